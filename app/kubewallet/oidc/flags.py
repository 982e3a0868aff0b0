"""kubelogin's `get-token` flags, parsed the way pflag parses them, into a login's settings.

Standard library only (the cached-token path parses these on every kubectl call; argparse and
its gettext would cost more than the rest of that call). pflag's grammar: `--flag=value` or
`--flag value`; booleans as `--flag` or `--flag=true|false`; StringSlice flags
(`--oidc-extra-scope`, `--listen-address`) repeatable and comma-separated; StringArray flags
(`--certificate-authority`, `--certificate-authority-data`) repeatable, commas kept. The names and
meanings are int128/kubelogin's `pkg/cmd` (get_token.go, authentication.go, tls.go), so a
kubeconfig migrates by changing only its `command`. Used by the CLI and by the GUI (which reads a
user's exec arguments to show and manage that login).
"""

from __future__ import annotations

import os

from kubewallet.errors import UsageError

VALUE_FLAGS = {"oidc-issuer-url", "oidc-client-id", "oidc-client-secret", "oidc-client-secret-ref",
               "oidc-redirect-url", "oidc-redirect-url-hostname", "grant-type", "browser-command",
               "token-cache-dir", "token-cache-storage", "authentication-timeout-sec",
               "oidc-pkce-method", "local-server-cert", "local-server-key",
               "open-url-after-authentication", "v"}
LIST_FLAGS = {"oidc-extra-scope", "listen-address",                 # pflag StringSlice: a,b
              "oidc-auth-request-extra-params"}                     # pflag StringToString: k=v,k=v
ARRAY_FLAGS = {"certificate-authority", "certificate-authority-data"}  # pflag StringArray
BOOL_FLAGS = {"oidc-use-pkce", "insecure-skip-tls-verify", "skip-open-browser", "force-refresh",
              "oidc-use-access-token"}
SECRET_FLAGS = {"oidc-client-secret"}
TOKEN_CACHE_STORAGES = ("disk", "keyring", "none")    # kubelogin's --token-cache-storage

# kubelogin flags (v1.30+) that kubewallet does not implement yet.
UNSUPPORTED = {
    "force-keyring": "kubelogin's keyring storage (kubewallet keeps the refresh token in its vault)",
    "no-keyring": "kubelogin's keyring storage (kubewallet keeps the refresh token in its vault)",
    "oidc-request-header": "extra HTTP headers to the provider",
    "oidc-redirect-url-authcode-keyboard": "a keyboard redirect URL (use --oidc-redirect-url)",
    "username": "the password grant", "password": "the password grant",
    "tls-renegotiation-once": "TLS renegotiation", "tls-renegotiation-freely": "TLS renegotiation",
    "token-exchange-resource": "the token exchange grant",
    "token-exchange-audience": "the token exchange grant",
    "token-exchange-requested-token-type": "the token exchange grant",
    "token-exchange-subject-token": "the token exchange grant",
    "token-exchange-subject-token-type": "the token exchange grant",
    "token-exchange-actor-token": "the token exchange grant",
    "token-exchange-actor-token-type": "the token exchange grant",
}
UNSUPPORTED_GRANTS = ("password", "client-credentials", "token-exchange")
GRANT_TYPES = ("auto", "authcode", "authcode-keyboard", "device-code")

class GetTokenFlags:
    """The parsed flags. A plain class, not a dataclass: `dataclasses` imports `inspect` and
    `re`, about as much time as the interpreter's own start, on every kubectl call."""

    __slots__ = ("values", "lists", "bools")

    def __init__(self) -> None:
        self.values: dict[str, str] = {}
        self.lists: dict[str, list[str]] = {}
        self.bools: dict[str, bool] = {}

    def value(self, name: str, default: str | None = None) -> str | None:
        return self.values.get(name, default)

    def _required(self) -> tuple[str, str]:
        issuer = self.value("oidc-issuer-url")
        client_id = self.value("oidc-client-id")
        if not issuer:
            raise UsageError("--oidc-issuer-url is missing")
        if not client_id:
            raise UsageError("--oidc-client-id is missing")
        return issuer, client_id

    def cache_key(self) -> str:
        """`ProviderConfig.cache_key()` computed without building one (the cached path)."""
        from kubewallet.oidc.tokencache import cache_key

        issuer, client_id = self._required()
        return cache_key(issuer, client_id, self.value("oidc-client-secret"),
                         self.value("oidc-client-secret-ref"),
                         tuple(self.lists.get("oidc-extra-scope", ())), "",
                         tuple(self.lists.get("certificate-authority", ())),
                         tuple(self.lists.get("certificate-authority-data", ())),
                         self.bools.get("insecure-skip-tls-verify", False),
                         self.bools.get("oidc-use-access-token", False))

    def storage(self) -> str:
        """kubelogin's `--token-cache-storage` (disk, keyring or none; checked when parsed)."""
        return self.values.get("token-cache-storage", "disk")

    def config(self):
        """The `ProviderConfig` (slow path: imports the dataclass module)."""
        from kubewallet.oidc.config import ProviderConfig, TlsSettings

        issuer, client_id = self._required()
        tls = TlsSettings(tuple(self.lists.get("certificate-authority", ())),
                          tuple(self.lists.get("certificate-authority-data", ())),
                          self.bools.get("insecure-skip-tls-verify", False))
        return ProviderConfig(issuer, client_id, self.value("oidc-client-secret"),
                              self.value("oidc-client-secret-ref"),
                              tuple(self.lists.get("oidc-extra-scope", ())), "", tls,
                              self.bools.get("oidc-use-access-token", False))

    def login_options(self):
        from kubewallet.oidc.session import GRANT_TYPES, LoginOptions

        grant = self.value("grant-type", "auto")
        if grant in UNSUPPORTED_GRANTS:
            raise UsageError(f"--grant-type={grant} is not supported by kubewallet yet",
                             hint=f"use one of {', '.join(GRANT_TYPES)}")
        if grant not in GRANT_TYPES:
            raise UsageError(f"--grant-type must be one of {', '.join(GRANT_TYPES)} (got {grant!r})")
        pkce = self.value("oidc-pkce-method", "auto")
        if pkce not in ("auto", "S256"):
            raise UsageError(f"--oidc-pkce-method={pkce} is not supported: kubewallet always uses "
                             "PKCE with S256 (RFC 9700 §2.1.1)")
        raw_timeout = self.value("authentication-timeout-sec", "180")
        try:
            timeout = float(raw_timeout)
        except ValueError:
            raise UsageError(f"--authentication-timeout-sec must be a number of seconds "
                             f"(got {raw_timeout!r})") from None
        cert, key = self.value("local-server-cert"), self.value("local-server-key")
        if bool(cert) != bool(key):
            raise UsageError("--local-server-cert and --local-server-key go together")
        return LoginOptions(grant_type=grant,
                            listen_addresses=tuple(self.lists.get("listen-address", ())),
                            redirect_url=self.value("oidc-redirect-url"),
                            redirect_hostname=self.value("oidc-redirect-url-hostname"),
                            skip_open_browser=self.bools.get("skip-open-browser", False),
                            browser_command=self.value("browser-command"),
                            timeout=timeout, force_refresh=self.bools.get("force-refresh", False),
                            extra_params=self.extra_params(),
                            local_server_tls=(os.path.expanduser(cert), os.path.expanduser(key))
                            if cert else None,
                            open_url_after=self.value("open-url-after-authentication"))

    def extra_params(self) -> tuple[tuple[str, str], ...]:
        """`--oidc-auth-request-extra-params=k=v,k2=v2` (pflag StringToString), in order."""
        pairs = []
        for item in self.lists.get("oidc-auth-request-extra-params", ()):
            key, eq, value = item.partition("=")
            if not eq or not key:
                raise UsageError(f"--oidc-auth-request-extra-params takes key=value pairs "
                                 f"(got {item!r})")
            pairs.append((key, value))
        return tuple(pairs)

    def command_line(self) -> str:
        """The same command, for an error hint — with any secret replaced by a placeholder."""
        import shlex

        parts = ["kubewallet", "oidc-login", "get-token"]
        for name, value in self.values.items():
            shown = "<secret as in your kubeconfig>" if name in SECRET_FLAGS else value
            parts.append(f"--{name}={shown}" if name in SECRET_FLAGS else shlex.quote(f"--{name}={shown}"))
        for name, items in self.lists.items():
            parts += [shlex.quote(f"--{name}={item}") for item in items]
        for name, on in self.bools.items():
            if on and name != "force-refresh":
                parts.append(f"--{name}")
        return " ".join(parts)


def _parse_bool(name: str, text: str) -> bool:
    lowered = text.lower()
    if lowered in ("1", "t", "true"):
        return True
    if lowered in ("0", "f", "false"):
        return False
    raise UsageError(f"--{name} takes true or false (got {text!r})")


def parse_get_token(args: list[str]) -> GetTokenFlags:
    """pflag's grammar for kubelogin's flags; UsageError (never echoing a secret) otherwise."""
    flags = GetTokenFlags()
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if arg == "--":
            if i < len(args):
                raise UsageError("get-token takes no arguments, only flags")
            break
        if arg.startswith("-v") and arg[2:].isdigit():       # klog's -v1
            flags.values["v"] = arg[2:]
            continue
        if not arg.startswith("--"):
            if arg == "-v":
                arg = "--v"
            else:
                raise UsageError(f"get-token takes no arguments, only flags (got {arg!r})"
                                 if not arg.startswith("-") else f"unknown flag {arg!r}")
        name, eq, inline = arg[2:].partition("=")
        if name in UNSUPPORTED:
            raise UsageError(f"--{name} is a kubelogin flag kubewallet does not support yet "
                             f"({UNSUPPORTED[name]})",
                             hint="remove it, or keep using kubelogin for this user")
        if name in BOOL_FLAGS:
            flags.bools[name] = _parse_bool(name, inline) if eq else True
            continue
        if name not in VALUE_FLAGS and name not in LIST_FLAGS and name not in ARRAY_FLAGS:
            raise UsageError(f"unknown flag --{name}", hint="see 'kubewallet oidc-login get-token --help'")
        if eq:
            value = inline
        elif i < len(args):
            value = args[i]
            i += 1
        else:
            raise UsageError(f"flag needs an argument: --{name}")
        if name == "token-cache-storage" and value not in TOKEN_CACHE_STORAGES:
            raise UsageError(f"--token-cache-storage must be one of {', '.join(TOKEN_CACHE_STORAGES)} "
                             f"(got {value!r})")
        if name == "grant-type" and value not in GRANT_TYPES:
            if value in UNSUPPORTED_GRANTS:
                raise UsageError(f"--grant-type={value} is not supported by kubewallet yet",
                                 hint=f"use one of {', '.join(GRANT_TYPES)}")
            raise UsageError(f"--grant-type must be one of {', '.join(GRANT_TYPES)} (got {value!r})")
        if name in LIST_FLAGS:
            flags.lists.setdefault(name, []).extend(v.strip() for v in value.split(",") if v.strip())
        elif name in ARRAY_FLAGS:
            flags.lists.setdefault(name, []).append(value)
        else:
            flags.values[name] = value
    return flags


def login_from_exec(exec_body: dict) -> GetTokenFlags | None:
    """The get-token flags of a kubeconfig `users[].user.exec` entry that runs an OIDC login —
    kubewallet's (`kubewallet oidc-login get-token ...`), `kubectl oidc-login get-token ...` or
    `kubelogin get-token ...` — else None. Unknown or unsupported flags give None as well (the
    GUI then shows the user as "exec plugin", not as a login it would run differently)."""
    if not isinstance(exec_body, dict):
        return None
    command = str(exec_body.get("command") or "").rsplit("/", 1)[-1]
    args = [str(a) for a in exec_body.get("args") or []]
    if command in ("kubewallet", "kubectl-wallet", "kubectl") and args[:2] == ["oidc-login", "get-token"]:
        rest = args[2:]
    elif command in ("kubelogin", "kubectl-oidc_login") and args[:1] == ["get-token"]:
        rest = args[1:]
    else:
        return None
    try:
        flags = parse_get_token(rest)
        flags.config()
    except UsageError:
        return None
    return flags
