"""Secret storage: one data key in the OS keyring (or derived from a passphrase) and the secrets
AES-256-GCM encrypted in a vault file. See `store.py` for why.

    from kubewallet.vault import open_vault
    vault = open_vault()
    vault.put("users/alice", token); vault.get("users/alice"); vault.refs(); vault.delete(ref)
"""


__all__ = ["Entry", "Vault", "VaultStatus", "open_vault"]


def __getattr__(name: str):
    """The store's names, loaded on first use (PEP 562): `vault.paths` alone, which every backup
    write asks where the vault is, must not pay for the store's imports on `kubewallet use`."""
    if name in __all__:
        from kubewallet.vault import store

        return getattr(store, name)
    raise AttributeError(f"module 'kubewallet.vault' has no attribute {name!r}")
