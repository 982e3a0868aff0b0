"""Where the vault lives on disk and which keyring service holds its data key.

Standard library only: the exec plugin asks these questions on every kubectl call.
"""

from __future__ import annotations

import os

DEFAULT_SERVICE = "kubewallet"
DATA_KEY_ACCOUNT = "vault-data-key"


def keyring_service() -> str:
    """The keyring service name; tests set `KUBEWALLET_KEYRING_SERVICE` so they never share items."""
    return os.environ.get("KUBEWALLET_KEYRING_SERVICE") or DEFAULT_SERVICE


def vault_path() -> str:
    """`$KUBEWALLET_VAULT_FILE`, else `$XDG_DATA_HOME/kubewallet/vault.json` (XDG base dirs).

    A string, not a Path: pathlib costs the plugin's no-agent path about 5 ms."""
    explicit = os.environ.get("KUBEWALLET_VAULT_FILE")
    if explicit:
        return explicit
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return os.path.join(base, "kubewallet", "vault.json")
