"""`kubewallet check`: does each context still work? Connect, TLS, authenticate, ask the server
who we are — per context, side by side, with the reason in plain words.

- `endpoint.py`: where a cluster entry dials and what it trusts (server URL, proxy, CA,
  tls-server-name, insecure-skip-tls-verify), read as client-go reads it.
- `transport.py`: the connect and TLS stages over the standard library's socket and ssl, and one
  HTTP request on the verified connection; each failure in words a person can act on.
- `credential.py`: the credential a user entry makes kubectl send (exec plugins run without a
  person), as request headers and a client certificate.
- `check.py`: one context's story and the bounded pool over many; `result.py` the report.
- `prune.py`: the kubeconfig edit that drops contexts which cannot be reached.

Standard library only (plus kubewallet's own engine): no HTTP dependency, no Qt.
"""
