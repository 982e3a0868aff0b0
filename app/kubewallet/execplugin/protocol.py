"""The ExecCredential exchange with kubectl (client-go's `exec` authenticator).

kubectl starts the plugin with `KUBERNETES_EXEC_INFO` holding an ExecCredential whose
`apiVersion` is the one the kubeconfig's `exec.apiVersion` names and whose `spec.interactive`
says whether a person can answer a prompt (stdin is a terminal and interactiveMode allows it).
The plugin must answer on stdout with an ExecCredential of the *same* apiVersion and nothing
else; anything human goes to stderr. `expirationTimestamp` (RFC 3339) tells client-go when to
run the plugin again; without it client-go caches the credential until a 401.

Reference: client-go `plugin/pkg/client/auth/exec/exec.go`, KEP-541, and the
client.authentication.k8s.io/v1 types. Standard library only: this runs on every kubectl call.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime, timezone
from typing import NamedTuple

API_V1 = "client.authentication.k8s.io/v1"
API_V1BETA1 = "client.authentication.k8s.io/v1beta1"
SUPPORTED = (API_V1, API_V1BETA1)


class ExecInfo(NamedTuple):
    """What kubectl told the plugin about this call.

    A NamedTuple rather than a frozen dataclass: `dataclasses` imports `inspect` (and `ast`),
    about 9 ms on the plugin's no-agent path, where `typing` is already loaded by the D-Bus client.
    """

    api_version: str
    interactive: bool
    cluster: dict | None  # spec.cluster when provideClusterInfo is true


def read_exec_info(environ: os._Environ | dict | None = None,
                   default_api_version: str = API_V1) -> ExecInfo:
    """Parse `KUBERNETES_EXEC_INFO`; without it (a person running the plugin by hand) assume
    `default_api_version` and interactive when stdin is a terminal.

    Raises ValueError with a plain message on a malformed or unsupported value: the caller turns
    it into the plugin's one-line error.
    """
    env = os.environ if environ is None else environ
    raw = env.get("KUBERNETES_EXEC_INFO")
    if not raw:
        return ExecInfo(default_api_version, sys.stdin.isatty() if sys.stdin else False, None)
    try:
        info = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"KUBERNETES_EXEC_INFO is not JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(info, dict):
        raise ValueError("KUBERNETES_EXEC_INFO is not a JSON object")
    api_version = info.get("apiVersion") or default_api_version
    if api_version not in SUPPORTED:
        raise ValueError(f"unsupported ExecCredential apiVersion {api_version!r}; "
                         f"supported: {', '.join(SUPPORTED)}")
    spec = info.get("spec") or {}
    if not isinstance(spec, dict):
        raise ValueError("KUBERNETES_EXEC_INFO spec is not an object")
    # v1beta1 may omit `interactive`; client-go then means "unknown", which we treat as false so
    # a plugin never blocks on a prompt nobody can answer.
    return ExecInfo(api_version, bool(spec.get("interactive", False)), spec.get("cluster"))


def rfc3339(when: datetime) -> str:
    """UTC, second precision, `Z` suffix: the form client-go's metav1.Time parses."""
    return when.astimezone(timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def exec_credential(api_version: str, *, token: str | None = None,
                    client_certificate_data: str | None = None,
                    client_key_data: str | None = None,
                    expiration: datetime | None = None) -> dict:
    """The ExecCredential object kubectl expects: a token, or a certificate and its key (PEM)."""
    if token is None and not (client_certificate_data and client_key_data):
        raise ValueError("an ExecCredential needs a token or a client certificate with its key")
    status: dict[str, str] = {}
    if expiration is not None:
        status["expirationTimestamp"] = rfc3339(expiration)
    if token is not None:
        status["token"] = token
    if client_certificate_data and client_key_data:
        status["clientCertificateData"] = client_certificate_data
        status["clientKeyData"] = client_key_data
    return {"kind": "ExecCredential", "apiVersion": api_version, "spec": {}, "status": status}


def write_exec_credential(credential: dict, out=None) -> None:
    """Write the answer on stdout as one JSON document and nothing else."""
    stream = sys.stdout if out is None else out
    stream.write(json.dumps(credential, separators=(",", ":")))
    stream.write("\n")
    stream.flush()
