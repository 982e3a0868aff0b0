"""client-go's exec authenticator, the rules of running a plugin (`plugin/pkg/client/auth/exec`):
what `KUBERNETES_EXEC_INFO` it builds, the environment it gives the plugin, where it finds the
command, and what it accepts as the answer. One home for the rules that `run.py` (`check`) and
`wrapped.py` (wrapped foreign plugins, on every kubectl call) both follow. Standard library only,
and no `json` module (`oidc.fastjson`): the wrapped plugin's cold path imports this.
"""

from __future__ import annotations

import os

from kubewallet.execplugin.expiry import parse_rfc3339
from kubewallet.oidc import fastjson


def exec_info_for(exec_block: dict, *, interactive: bool, cluster: dict | None) -> str:
    """The `KUBERNETES_EXEC_INFO` client-go gives the original plugin: the block's apiVersion,
    `spec.interactive`, and `spec.cluster` only when the block sets provideClusterInfo."""
    spec: dict = {"interactive": interactive}
    if exec_block.get("provideClusterInfo") and cluster is not None:
        spec["cluster"] = cluster
    return fastjson.dumps({"kind": "ExecCredential", "apiVersion": exec_block.get("apiVersion"),
                           "spec": spec})


def command_line(exec_block: dict, base_dir: str) -> list[str]:
    command = str(exec_block.get("command") or "")
    if os.sep in command and not os.path.isabs(command):
        command = os.path.normpath(os.path.join(base_dir, command))
    return [command, *(str(a) for a in (exec_block.get("args") or []) if a is not None)]


def environment(exec_block: dict, exec_info: str, base: dict | None = None) -> dict[str, str]:
    """Ours, then the block's `env` entries (a later entry wins, as Go's exec does), then
    KUBERNETES_EXEC_INFO (client-go appends it last)."""
    env = dict(os.environ if base is None else base)
    for item in exec_block.get("env") or []:
        if isinstance(item, dict) and item.get("name"):
            env[str(item["name"])] = str(item.get("value") or "")
    env["KUBERNETES_EXEC_INFO"] = exec_info
    return env


class MalformedCredential(ValueError):
    """The original plugin exited 0 but its stdout is not a usable ExecCredential."""


def validate(stdout: bytes, api_version: str) -> dict:
    """The answer's `status`, checked as client-go checks it (exec.go `refreshCredsLocked`):
    an ExecCredential of the apiVersion it was asked for, with a status holding a token or a
    certificate with its key. Raises MalformedCredential naming what is wrong (never a value)."""
    try:
        doc = fastjson.loads(stdout.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise MalformedCredential("it did not print an ExecCredential (not JSON)") from None
    if not isinstance(doc, dict) or doc.get("kind") != "ExecCredential":
        raise MalformedCredential("it did not print an ExecCredential")
    if doc.get("apiVersion") != api_version:
        raise MalformedCredential(f"it answered apiVersion {doc.get('apiVersion')!r}, not "
                                  f"{api_version!r} as the kubeconfig asks")
    status = doc.get("status")
    if not isinstance(status, dict):
        raise MalformedCredential("it answered no status field")
    token, cert, key = (status.get(k) if isinstance(status.get(k), str) else ""
                        for k in ("token", "clientCertificateData", "clientKeyData"))
    if bool(cert) != bool(key):
        raise MalformedCredential("it answered a client certificate without its key, or a key alone")
    if not token and not cert:
        raise MalformedCredential("it answered neither a token nor a client certificate")
    stamp = status.get("expirationTimestamp")
    if stamp is not None and (not isinstance(stamp, str) or parse_rfc3339(stamp) is None):
        raise MalformedCredential("its expirationTimestamp is not an RFC 3339 time")
    return {k: status[k] for k in ("token", "clientCertificateData", "clientKeyData",
                                   "expirationTimestamp") if isinstance(status.get(k), str) and status[k]}
