"""The client.authentication.k8s.io ExecCredential protocol and the sources that feed it.

This package is on kubectl's hot path: modules here import the standard library only, unless
a credential source really needs more (and then imports it inside the function that does).
"""
