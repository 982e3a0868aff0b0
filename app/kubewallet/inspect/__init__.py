"""See a credential the way the API server will: X.509 certificates, JWTs, the identity (user
name and groups) they carry, renewal of client certificates, and a security lint of a kubeconfig.

Qt-free and YAML-free on purpose: the CLI and the GUI both sit on top of these modules. Import the
submodule you need (`kubewallet.inspect.certificates`, `.tokens`, `.identity`, `.lint`,
`.renewal`); this package root imports nothing so that `kubewallet token` does not pay for
`cryptography`'s X.509 machinery.
"""
