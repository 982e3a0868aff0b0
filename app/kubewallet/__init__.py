"""kubewallet: kubeconfig files and the credentials they carry.

The package root stays import-free on purpose: the exec credential plugin starts a fresh
interpreter on every kubectl call, and anything imported here is paid on each of them.
"""

__version__ = "0.1.0"
