"""A foreign exec credential plugin (aws, gcloud, kubelogin) wrapped by kubewallet: the rules.

client-go keeps an exec plugin's answer only inside one kubectl process, so `aws eks get-token`
(about 0.4 s) runs at every kubectl call. Wrapped, the kubeconfig runs `kubewallet credential get
--ref plugins/USER`, and kubewallet runs the original plugin only when no unexpired answer is held.
This module holds the cache's rules and runs the original (client-go's own rules for that are in
`clientgo`); the story of one call is `kubewallet.execplugin.wrapserve`. Standard library only, and no `json` module (its `re`
and `enum` cost a cold call more than the rest of kubewallet's part): `oidc.fastjson` wraps `_json`.

The vault record at `plugins/USER` keeps the user's whole original body (so `unsecure` gives it
back exactly), and the directory of the kubeconfig that held it (client-go resolves a relative
`command` containing a path separator against that directory: clientcmd `ResolvePaths`).
"""

from __future__ import annotations

import os
import sys
from datetime import datetime

from kubewallet.execplugin.clientgo import command_line, environment, exec_info_for
from kubewallet.execplugin.expiry import parse_rfc3339
from kubewallet.oidc import fastjson

PREFIX = "plugins/"
MARGIN_SECONDS = 60.0
MARGIN_FRACTION = 0.1


def ref_for(user: str) -> str:
    return f"{PREFIX}{user}"


def is_wrapped_ref(ref: str) -> bool:
    return ref.startswith(PREFIX)


def record(body: dict, base_dir: str) -> dict:
    """The vault value of a wrapped user: its original body and where its kubeconfig lives."""
    return {"body": body, "base": base_dir}


def cache_key(user: str, exec_block: dict, cluster: dict | None) -> str:
    """One cached credential per user, original exec block and, when the block asks for it
    (`provideClusterInfo`), the cluster: the same plugin may answer differently per cluster."""
    import hashlib

    parts = [user, exec_block, cluster if exec_block.get("provideClusterInfo") else None]
    return hashlib.sha256(fastjson.dumps(_sorted(parts)).encode()).hexdigest()


def _sorted(value):
    """The same document with every object's keys in order: one key however the block was written."""
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted(v) for v in value]
    return value


def cache_until(expires: datetime | None, obtained: float) -> float | None:
    """Until when (epoch seconds) an answer obtained at `obtained` may be served from the cache:
    a margin before `expirationTimestamp` (60 s, or 10 % of its lifetime when that is shorter),
    so kubectl never receives a credential about to lapse mid-command. None (do not cache)
    without an expiry or when the margin has passed: client-go itself keeps an answer without
    expiry until a 401, which a new process cannot see."""
    if expires is None:
        return None
    lifetime = expires.timestamp() - obtained
    until = expires.timestamp() - min(MARGIN_SECONDS, MARGIN_FRACTION * max(lifetime, 0.0))
    return until if until > obtained else None


def run_original(exec_block: dict, base_dir: str, *, interactive: bool,
                 cluster: dict | None) -> tuple[int, bytes]:
    """Run the original plugin as client-go's exec authenticator does: stdout captured, stderr
    the terminal's (kubectl's), stdin passed through only when interactive (else none), the
    command looked up on our PATH (Go's exec.Command). Returns (exit status, stdout). A command
    that cannot start is status 127 with client-go's words and the block's installHint on stderr.

    `os.posix_spawnp` rather than `subprocess`: in 3.11 `subprocess` imports `locale`, `re` and
    `enum`, about 10 ms on every cold call; the pipe and /dev/null are opened close-on-exec
    (PEP 446), so the plugin inherits only stdin, stdout and stderr."""
    argv = command_line(exec_block, base_dir)
    env = environment(exec_block, exec_info_for(exec_block, interactive=interactive, cluster=cluster))
    read_end, write_end = os.pipe()
    actions = [(os.POSIX_SPAWN_DUP2, write_end, 1)]
    devnull = None
    if not interactive:
        devnull = os.open(os.devnull, os.O_RDONLY)
        actions.append((os.POSIX_SPAWN_DUP2, devnull, 0))
    try:
        pid = os.posix_spawnp(argv[0], argv, env, file_actions=actions)
    except OSError as exc:
        os.close(read_end)
        hint = exec_block.get("installHint")
        sys.stderr.write(f"exec: executable {argv[0]} failed: {exc.strerror}\n"
                         + (f"\n{hint}\n" if hint else ""))
        return 127, b""
    finally:
        os.close(write_end)
        if devnull is not None:
            os.close(devnull)
    chunks = []
    with open(read_end, "rb", buffering=0, closefd=True) as out:
        while chunk := out.read(65536):
            chunks.append(chunk)
    _pid, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    return (code if code >= 0 else 128 - code), b"".join(chunks)


def time_one_call(exec_block: dict, base_dir: str) -> float | None:
    """Seconds one non-interactive call of the plugin takes (for `lint --time-exec`); None when
    it failed. Its answer is discarded."""
    import time

    start = time.perf_counter()
    code, _out = run_original(exec_block, base_dir, interactive=False, cluster=None)
    return time.perf_counter() - start if code == 0 else None


def expires_at(status: dict) -> datetime | None:
    stamp = status.get("expirationTimestamp")
    return parse_rfc3339(stamp) if stamp else None


def answer(status: dict, api_version: str) -> str:
    """The stdout line for kubectl: the held status in the apiVersion kubectl asked for (already
    checked by `protocol.read_exec_info`)."""
    return fastjson.dumps({"kind": "ExecCredential", "apiVersion": api_version, "spec": {},
                           "status": status})
