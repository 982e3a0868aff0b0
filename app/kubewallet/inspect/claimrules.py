"""Per-cluster OIDC claim mapping (the API server's `--oidc-*` flags), as kubewallet remembers it.

The client cannot ask the API server how it maps claims, so a person tells kubewallet once per
cluster (the GUI's Who am I panel, or by editing this file); until then the API server's defaults
apply (username claim `sub` with the `issuer#` prefix, no groups). Stored as JSON in
`$XDG_CONFIG_HOME/kubewallet/oidc-claims.json`, `{cluster name: {usernameClaim: ..., ...}}`,
outside the kubeconfig so kubectl never sees it and no Qt is needed to read it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from kubewallet.errors import InspectError
from kubewallet.inspect.identity import OidcClaimRules


def settings_path() -> Path:
    """`$KUBEWALLET_OIDC_CLAIMS_FILE` (the demo points it at its own folder), else the
    per-user config file."""
    if os.environ.get("KUBEWALLET_OIDC_CLAIMS_FILE"):
        return Path(os.environ["KUBEWALLET_OIDC_CLAIMS_FILE"])
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "kubewallet" / "oidc-claims.json"


def load_all(path: Path | None = None) -> dict[str, OidcClaimRules]:
    path = path or settings_path()
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise InspectError(f"cannot read the OIDC claim settings {path} ({exc})",
                           hint="fix or delete the file") from None
    if not isinstance(data, dict):
        raise InspectError(f"{path} must hold a JSON object of cluster name -> claim settings")
    return {str(k): OidcClaimRules.from_mapping(v if isinstance(v, dict) else {}) for k, v in data.items()}


def rules_for(cluster: str, path: Path | None = None) -> OidcClaimRules:
    return load_all(path).get(cluster, OidcClaimRules())


def save(cluster: str, rules: OidcClaimRules, path: Path | None = None) -> Path:
    """Remember one cluster's rules (atomic replace; the file holds no secrets)."""
    path = path or settings_path()
    current = {k: v.to_mapping() for k, v in load_all(path).items()}
    current[cluster] = rules.to_mapping()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, path)
    return path
