"""The one credential model: what a kubeconfig user entry makes kubectl send (client-go's
precedence), the secret-field registry and its redaction, the secure/unsecure plans that move
credentials into and out of the vault, and the inventory of every user's credential.

This package root imports nothing, so that importing one submodule does not pay for the others.
"""
