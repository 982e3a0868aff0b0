"""Secret storage: one data key in the OS keyring (or derived from a passphrase) and the secrets
AES-256-GCM encrypted in a vault file. See `store.py` for why.

    from kubewallet.vault import open_vault
    vault = open_vault()
    vault.put("users/alice", token); vault.get("users/alice"); vault.refs(); vault.delete(ref)
"""

from kubewallet.vault.store import Entry, Vault, VaultStatus, open_vault

__all__ = ["Entry", "Vault", "VaultStatus", "open_vault"]
