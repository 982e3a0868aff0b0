"""Run a kubeconfig `exec` entry the way kubectl does, and read the ExecCredential it answers.

This is the *client* side of the protocol in `protocol.py` (client-go
`plugin/pkg/client/auth/exec/exec.go`, KEP-541):
- the command is looked up on PATH, or, when it holds a path separator and is relative, taken
  relative to the kubeconfig file that names it (client-go `ResolveLocalPaths`);
- the environment is the caller's plus the entry's `env` list; `KUBERNETES_EXEC_INFO` holds an
  ExecCredential of the entry's `apiVersion` with `spec.interactive`, and `spec.cluster` when
  `provideClusterInfo` is true;
- `interactiveMode`: `Never` runs without stdin and `interactive: false`; `IfAvailable` (the
  v1beta1 default) is interactive only when a person is at a terminal; `Always` refuses to run
  without one ("exec plugin cannot support interactive mode: standard input is not a terminal").
  Stdin is handed over only when the call is interactive;
- the answer must be one ExecCredential of the same `apiVersion`, with `status.token` or
  `status.clientCertificateData` + `status.clientKeyData`.

Unlike kubectl, a caller can forbid interaction outright (`allow_interactive=False`, what
`kubewallet check` does): then no plugin ever sees a terminal, and one that needs a person fails
with `NeedsLogin` instead of opening a browser or a prompt. Secrets stay in the returned value:
the plugin's stdout is never put into an error message.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from contextlib import nullcontext
from dataclasses import dataclass

from kubewallet.errors import ExecPluginError
from kubewallet.execplugin.clientgo import (MalformedCredential, command_line, environment,
                                            exec_info_for, validate)
from kubewallet.execplugin.protocol import API_V1, SUPPORTED


# One plugin at a time may talk to the person: callers that run plugins side by side (check's
# pool) must not interleave two prompts on one terminal.
_TERMINAL = threading.Lock()


class NeedsLogin(ExecPluginError):
    """The plugin needs a person (a prompt, a browser login) and none may be asked."""


@dataclass(frozen=True)
class PluginCredential:
    """What the plugin answered (secret values: never print them)."""

    token: str | None = None
    cert_pem: str | None = None
    key_pem: str | None = None
    expiration: str = ""


def _command(exec_body: dict, kubeconfig_file: str) -> str:
    if not exec_body.get("command"):
        raise ExecPluginError("the exec entry has no command")
    command = command_line(exec_body, os.path.dirname(os.path.abspath(kubeconfig_file)))[0]
    found = shutil.which(command)
    if found is None:
        hint = str(exec_body.get("installHint") or "").strip() or None
        raise ExecPluginError(f"the exec plugin {command!r} is not installed (not found on PATH)", hint=hint)
    return found


def _interactive(exec_body: dict, allow_interactive: bool) -> bool:
    mode = exec_body.get("interactiveMode") or "IfAvailable"
    at_terminal = allow_interactive and bool(sys.stdin) and sys.stdin.isatty()
    if mode == "Never":
        return False
    if mode == "Always" and not at_terminal:
        name = os.path.basename(str(exec_body.get("command") or "?"))
        raise NeedsLogin(f"the exec plugin {name} runs only with a person at a terminal (interactiveMode: Always)")
    return at_terminal


def _needs_person(exec_body: dict, stderr: str) -> bool:
    """A failure that a login would cure: an OIDC plugin (kubelogin's `oidc-login`, kubewallet's
    own) refusing to open a browser, or any plugin that says so on stderr."""
    args = [str(a) for a in exec_body.get("args") or []]
    words = stderr.lower()
    return "oidc-login" in args or "get-token" in args or "login" in words or "interactive" in words


def run_plugin(exec_body: dict, *, kubeconfig_file: str, cluster_info: dict | None = None,
               allow_interactive: bool = False, timeout: float = 60.0) -> PluginCredential:
    """Run the plugin of one `users[].user.exec` entry; raises `NeedsLogin` or `ExecPluginError`."""
    api_version = str(exec_body.get("apiVersion") or "")
    if api_version not in SUPPORTED:
        raise ExecPluginError(f"exec apiVersion {api_version or '(none)'!r} is not supported by kubectl; "
                              f"use {API_V1}")
    command = _command(exec_body, kubeconfig_file)
    interactive = _interactive(exec_body, allow_interactive)
    env = environment(exec_body, exec_info_for(exec_body, interactive=interactive, cluster=cluster_info))
    name = os.path.basename(command)
    try:
        with _TERMINAL if interactive else nullcontext():
            done = subprocess.run([command, *(str(a) for a in exec_body.get("args") or [])], env=env,
                                  stdin=None if interactive else subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=None if interactive else subprocess.PIPE,
                                  timeout=timeout, start_new_session=not interactive)
    except subprocess.TimeoutExpired:
        raise ExecPluginError(f"the exec plugin {name} gave no credential within {timeout:.0f} s") from None
    except OSError as exc:
        raise ExecPluginError(f"the exec plugin {name} could not start ({exc.strerror})") from None
    stderr = (done.stderr or b"").decode(errors="replace").strip()
    if done.returncode != 0:
        last = stderr.splitlines()[-1][:300] if stderr else f"exit status {done.returncode}"
        error = NeedsLogin if not interactive and _needs_person(exec_body, stderr) else ExecPluginError
        raise error(f"the exec plugin {name} failed: {last}")
    return parse_answer(done.stdout, api_version, name)


def parse_answer(stdout: bytes, api_version: str, name: str) -> PluginCredential:
    """client-go's checks on the plugin's stdout (`clientgo.validate`: its words, never the content)."""
    try:
        status = validate(stdout, api_version)
    except MalformedCredential as exc:
        raise ExecPluginError(f"the exec plugin {name}: {exc}") from None
    return PluginCredential(status.get("token"), status.get("clientCertificateData"),
                            status.get("clientKeyData"), str(status.get("expirationTimestamp") or ""))
