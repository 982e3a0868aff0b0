"""The bodies `config set-cluster`, `set-credentials` and `set-context` write, as kubectl 1.35 builds them.

k8s.io/kubectl/pkg/cmd/config/set_cluster.go (`modifyCluster`, `validate`), set_credentials.go
(`modifyAuthInfo`, `validate`) and set_context.go (`modifyContext`), including the flags that
change *other* fields than their own (each has a differential scenario against kubectl):

set-cluster
- `--server` clears `tls-server-name`, unless `--tls-server-name` is in the same call;
- `--insecure-skip-tls-verify` is applied on every call, given or not (kubectl sets its default
  with `Tristate.Default(false)`, which counts as provided): a call without it turns insecure
  mode off; when true it clears `certificate-authority` and `certificate-authority-data`;
- `--certificate-authority` clears `certificate-authority-data` and insecure mode; with
  `--embed-certs` it writes the file's bytes as data, clears the path and insecure mode.

set-credentials
- `--client-certificate`/`--client-key` clear the `-data` field; with `--embed-certs` they write
  the data and clear the path;
- a non-empty `--token` clears `username` and `password`; a non-empty `--username` or
  `--password` clears `token` (empty values clear nothing);
- `--auth-provider` with another name replaces the provider and drops its config;
- `--exec-command` on an existing exec entry drops its `args`; any `--exec-env` rebuilds `env`
  as a list (an exec entry without env then has `env: []`).

set-context: each flag sets its own field and nothing else.

Pure functions over a body dict (the existing entry's, or None for a new one); the flag values
arrive parsed (key=value pairs as dicts and removal lists). The CLI calls them; the GUI may.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass, field
from typing import Any

from kubewallet.errors import KubeconfigError

INTERACTIVE_MODES = ("IfAvailable", "Never", "Always")


def _stat_for_embed(path: str, flag: str) -> None:
    """kubectl stats the files to embed before it loads anything (`could not stat ...`)."""
    try:
        os.stat(path)
    except OSError as exc:
        reason = (exc.strerror or str(exc)).lower()
        raise KubeconfigError(f"could not stat {flag} file {path}: stat {path}: {reason}") from None


def _read_for_embed(path: str) -> str:
    try:
        with open(path, "rb") as fh:
            return base64.b64encode(fh.read()).decode()
    except OSError:
        return ""  # kubectl ignores a read error after the stat succeeded (a directory): no data


# ----- set-cluster --------------------------------------------------------------------------------

@dataclass(frozen=True)
class ClusterFlags:
    """The flags of `set-cluster` (None: not given)."""

    server: str | None = None
    tls_server_name: str | None = None
    insecure_skip_tls_verify: bool = False   # applied on every call (see the module docstring)
    certificate_authority: str | None = None
    embed_certs: bool = False
    proxy_url: str | None = None

    def check(self, name: str) -> None:
        """set_cluster.go's validate, in its order."""
        if not name:
            raise KubeconfigError("you must specify a non-empty cluster name")
        if self.insecure_skip_tls_verify and self.certificate_authority:
            raise KubeconfigError("you cannot specify a certificate authority and insecure mode at the same time")
        if self.embed_certs:
            if not self.certificate_authority:
                raise KubeconfigError("you must specify a --certificate-authority to embed")
            _stat_for_embed(self.certificate_authority, "certificate-authority")


def cluster_body(existing: dict | None, flags: ClusterFlags) -> dict:
    """modifyCluster over the existing body (a new cluster starts as `server: ""`)."""
    body = dict(existing) if existing is not None else {"server": ""}
    if flags.server is not None:
        body["server"] = flags.server
        body.pop("tls-server-name", None)
    if flags.tls_server_name is not None:
        body["tls-server-name"] = flags.tls_server_name
    body["insecure-skip-tls-verify"] = flags.insecure_skip_tls_verify
    if flags.insecure_skip_tls_verify:
        body.pop("certificate-authority", None)
        body.pop("certificate-authority-data", None)
    if flags.certificate_authority is not None:
        if flags.embed_certs:
            body["certificate-authority-data"] = _read_for_embed(flags.certificate_authority)
            body["insecure-skip-tls-verify"] = False
            body.pop("certificate-authority", None)
        else:
            path = os.path.abspath(flags.certificate_authority)  # Go's filepath.Abs("") is the cwd
            body["certificate-authority"] = path
            if path:
                body["insecure-skip-tls-verify"] = False
                body.pop("certificate-authority-data", None)
    if flags.proxy_url is not None:
        body["proxy-url"] = flags.proxy_url
    return body


# ----- set-credentials ----------------------------------------------------------------------------

@dataclass(frozen=True)
class CredentialFlags:
    """The flags of `set-credentials`, parsed (None: not given)."""

    client_certificate: str | None = None
    client_key: str | None = None
    token: str | None = None
    username: str | None = None
    password: str | None = None
    embed_certs: bool = False
    auth_provider: str | None = None
    auth_provider_args: dict[str, str] = field(default_factory=dict)
    auth_provider_remove: tuple[str, ...] = ()
    exec_command: str | None = None
    exec_api_version: str | None = None
    exec_args: tuple[str, ...] | None = None
    exec_env: dict[str, str] | None = None          # None: no --exec-env at all
    exec_env_remove: tuple[str, ...] = ()
    exec_interactive_mode: str | None = None
    exec_provide_cluster_info: bool | None = None

    def check(self, name: str) -> None:
        """set_credentials.go's validate, in its order."""
        if not name:
            raise KubeconfigError("you must specify a non-empty user name")
        methods = []
        if self.token:
            methods.append("--token")
        if self.username or self.password:
            methods.append("--username/--password")
        if len(methods) > 1:
            raise KubeconfigError("you cannot specify more than one authentication method at the same "
                                  "time: " + ", ".join(methods))
        if self.embed_certs:
            if not self.client_certificate and not self.client_key:
                raise KubeconfigError("you must specify a --client-certificate or --client-key to embed")
            if self.client_certificate:
                _stat_for_embed(self.client_certificate, "client-certificate")
            if self.client_key:
                _stat_for_embed(self.client_key, "client-key")
        if self.exec_interactive_mode is not None and self.exec_interactive_mode not in INTERACTIVE_MODES:
            raise KubeconfigError("invalid interactive mode type, can be only IfAvailable, Never, Always")


def credential_body(existing: dict | None, flags: CredentialFlags) -> dict:
    """modifyAuthInfo over the existing body (a new user starts empty), in its order."""
    body: dict[str, Any] = dict(existing) if existing is not None else {}
    _client_files(body, flags)
    _static_credentials(body, flags)
    _auth_provider(body, flags)
    _exec(body, flags)
    return body


def _client_files(body: dict, flags: CredentialFlags) -> None:
    for value, path_key, data_key in ((flags.client_certificate, "client-certificate", "client-certificate-data"),
                                      (flags.client_key, "client-key", "client-key-data")):
        if value is None:
            continue
        if flags.embed_certs:
            body[data_key] = _read_for_embed(value)
            body.pop(path_key, None)
        else:
            body[path_key] = os.path.abspath(value)  # Go's filepath.Abs("") is the cwd
            body.pop(data_key, None)


def _static_credentials(body: dict, flags: CredentialFlags) -> None:
    """A non-empty token and non-empty basic auth exclude each other: setting one clears the other."""
    set_token = set_basic = False
    if flags.token is not None:
        body["token"] = flags.token
        set_token = bool(flags.token)
    for key, value in (("username", flags.username), ("password", flags.password)):
        if value is not None:
            body[key] = value
            set_basic = set_basic or bool(value)
    if set_token and not set_basic:
        body.pop("username", None)
        body.pop("password", None)
    elif set_basic and not set_token:
        body.pop("token", None)


def _auth_provider(body: dict, flags: CredentialFlags) -> None:
    if flags.auth_provider is not None:
        current = body.get("auth-provider")
        if not isinstance(current, dict) or current.get("name") != flags.auth_provider:
            body["auth-provider"] = {"name": flags.auth_provider}
    if isinstance(body.get("auth-provider"), dict):
        provider = dict(body["auth-provider"])
        config = dict(provider.get("config") or {})
        for key in flags.auth_provider_remove:
            config.pop(key, None)
        config.update(flags.auth_provider_args)
        provider["config"] = config
        body["auth-provider"] = provider


def _exec(body: dict, flags: CredentialFlags) -> None:
    if flags.exec_command is not None:
        if isinstance(body.get("exec"), dict):
            body["exec"] = {k: v for k, v in body["exec"].items() if k != "args"}
            body["exec"]["command"] = flags.exec_command
        else:
            body["exec"] = {"command": flags.exec_command}
    if not isinstance(body.get("exec"), dict):
        return
    exe = dict(body["exec"])
    if flags.exec_api_version is not None:
        exe["apiVersion"] = flags.exec_api_version
    if flags.exec_args is not None:
        exe["args"] = list(flags.exec_args)
    if flags.exec_interactive_mode is not None:
        exe["interactiveMode"] = flags.exec_interactive_mode
    if flags.exec_provide_cluster_info is not None:
        exe["provideClusterInfo"] = flags.exec_provide_cluster_info
    if flags.exec_env is not None:
        exe["env"] = _exec_env(exe.get("env"), flags.exec_env, flags.exec_env_remove)
    body["exec"] = exe


def _exec_env(current: Any, sets: dict[str, str], removes: tuple[str, ...]) -> list[dict]:
    """kubectl rebuilds the list on any --exec-env: removals first, then values set in place or appended."""
    env = [dict(e) for e in current if e.get("name") not in removes] if isinstance(current, list) else []
    for key, value in sets.items():
        for item in env:
            if item.get("name") == key:
                item["value"] = value
                break
        else:
            env.append({"name": key, "value": value})
    return env


# ----- set-context --------------------------------------------------------------------------------

@dataclass(frozen=True)
class ContextFlags:
    cluster: str | None = None
    user: str | None = None
    namespace: str | None = None


def context_body(existing: dict | None, flags: ContextFlags) -> dict:
    """modifyContext: each flag sets its own field (a new context starts as cluster "" and user "")."""
    body = dict(existing) if existing is not None else {"cluster": "", "user": ""}
    for key, value in (("cluster", flags.cluster), ("user", flags.user), ("namespace", flags.namespace)):
        if value is not None:
            body[key] = value
    return body
