"""Offline `kubectl auth whoami`: which credential a context sends and who that makes you.

The order is the API server's: its authenticators run as a union, x509 client certificates
before bearer tokens, so a user with both a certificate and a token is the certificate's
identity as long as the certificate is valid (k8s.io/apiserver `pkg/authentication/request/union`,
assembled in `pkg/kubeapiserver/authenticator/config.go`).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass

from kubewallet.errors import InspectError
from kubewallet.inspect import certificates as certs
from kubewallet.inspect import identity as ident
from kubewallet.inspect.sources import VaultReader, token_text, user_credentials

REMOVED_PROVIDERS = {"gcp": "gke-gcloud-auth-plugin", "azure": "kubelogin (Azure/kubelogin)"}


@dataclass(frozen=True)
class WhoAmI:
    context: str
    cluster: str
    user: str
    credential: str                      # "client certificate (users/jane client-certificate-data)"
    identity: ident.Identity | None      # None: not knowable offline
    problems: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {"context": self.context, "cluster": self.cluster, "user": self.user,
                "credential": self.credential,
                "identity": self.identity.to_json() if self.identity else None,
                "problems": list(self.problems)}


def _oidc_cache_token(exec_body: dict) -> str | None:
    """The id_token `kubewallet oidc-login get-token` cached for exactly this exec entry: the
    OIDC package parses its flags (kubelogin's) and names the cache file, `--token-cache-dir`
    included, so this finds what the plugin itself would serve."""
    try:
        from kubewallet.oidc.flags import login_from_exec
        from kubewallet.oidc.tokencache import TokenCache

        flags = login_from_exec(exec_body)
        if flags is None:
            return None
        cached = TokenCache(flags.value("token-cache-dir") or None).load(flags.cache_key())
        return cached.id_token if cached else None
    except (ImportError, OSError, ValueError):
        return None


def whoami(ws, context: str | None, *, now: dt.datetime,
           rules_for: Callable[[str], ident.OidcClaimRules] = lambda _c: ident.OidcClaimRules(),
           vault_reader: VaultReader | None = None) -> WhoAmI:
    name = context or ws.current_context
    if not name:
        raise InspectError("no current context", hint="pass --context NAME or 'kubewallet use NAME'")
    entry = ws.contexts.get(name)
    if entry is None:
        raise InspectError(f"context {name!r} not found", hint="'kubewallet config get-contexts' lists them")
    cluster = str((entry.body or {}).get("cluster") or "")
    user = str((entry.body or {}).get("user") or "")
    if not user:
        return WhoAmI(name, cluster, "", "none", ident.Identity("anonymous", "system:anonymous",
                      ("system:unauthenticated",),
                      notes=("no user in the context: requests are anonymous, if the server allows them",)))
    creds = user_credentials(ws, user, vault_reader)
    if creds.missing:
        return WhoAmI(name, cluster, user, "none", None,
                      (f"user {user!r} is not defined in any kubeconfig file (a dangling reference)",))
    rules = rules_for(cluster)
    problems: list[str] = []
    found: tuple[str, ident.Identity | None] | None = None

    def from_cert(data, source: str) -> ident.Identity:
        leaf = certs.load_certificates(data, source)[0]
        info = certs.describe(leaf, source)
        who = ident.from_certificate(info.common_name, info.organizations, source, not_after=info.not_after)
        status = info.status(now, dt.timedelta(0))
        if status in ("expired", "not-yet-valid"):
            from dataclasses import replace

            who = replace(who, rejected=f"the certificate {info.expiry_words(now)}")
        return who

    def from_token(text: str, source: str) -> ident.Identity:
        return ident.from_token(text, source, now=now, rules=rules)

    try:
        if creds.client_cert is not None:
            if creds.client_cert.data is None:
                problems.append(creds.client_cert.error)
            else:
                found = (f"client certificate ({creds.client_cert.source})",
                         from_cert(creds.client_cert.data, creds.client_cert.source))
        if creds.token is not None:
            if creds.token.data is None:
                problems.append(creds.token.error)
            elif found is None:
                found = (f"bearer token ({creds.token.source})",
                         from_token(token_text(creds.token) or "", creds.token.source))
            else:
                problems.append("a token is set too; the API server tries the client certificate first")
        if found is None and creds.vault is not None:
            v = creds.vault
            source = f"vault {v.ref}"
            if v.error:
                problems.append(v.error)
            elif v.cert_pem:
                found = (f"client certificate from the {source}", from_cert(v.cert_pem, source))
            elif v.token:
                found = (f"bearer token from the {source}", from_token(v.token, source))
        if found is None and creds.auth_provider:
            provider = creds.auth_provider
            if provider in REMOVED_PROVIDERS:
                problems.append(f"auth-provider {provider!r} was removed from kubectl in 1.26; "
                                f"use the exec plugin {REMOVED_PROVIDERS[provider]}")
                found = (f"auth-provider {provider}", None)
            elif provider == "oidc":
                config = creds.auth_provider_config or {}
                id_token = config.get("id-token")
                if isinstance(id_token, str) and id_token:
                    found = ("auth-provider oidc id-token",
                             from_token(id_token, f"users/{user} auth-provider id-token"))
                else:
                    found = ("auth-provider oidc", None)
                    problems.append("no id-token cached in the auth-provider config: log in first")
            else:
                found = (f"auth-provider {provider}", None)
        if found is None and creds.exec_command and creds.vault is None:
            exec_body = ws.users[user].body.get("exec") or {}
            cached = _oidc_cache_token(exec_body)
            if cached:
                found = ("id_token cached by kubewallet oidc-login",
                         from_token(cached, "the oidc-login token cache"))
            elif "oidc-login" in [str(a) for a in (exec_body.get("args") or [])]:
                found = ("OIDC login (no cached id_token)", None)
                problems.append("no id_token cached for this OIDC login yet: run 'kubectl get ns' "
                                f"(or 'kubewallet oidc-login get-token ...') once, then ask again")
            else:
                found = (f"exec plugin {os.path.basename(creds.exec_command)}", None)
                problems.append(f"the exec plugin {creds.exec_command!r} decides at run time; "
                                "kubewallet cannot know the identity offline")
        if found is None and creds.basic_username:
            found = ("username/password", None)
            problems.append("basic authentication (username/password) was removed from the API "
                            "server in Kubernetes 1.19")
    except InspectError as exc:
        problems.append(exc.message)
    if found is None:
        found = ("none", None)
        if not problems:
            problems.append(f"user {user!r} has no credential: requests are anonymous")
    credential, who = found
    if who is not None and creds.impersonate_user:
        who = ident.impersonate(who, creds.impersonate_user, creds.impersonate_groups,
                                creds.impersonate_uid, creds.impersonate_extra,
                                source=f"users/{user}")
    return WhoAmI(name, cluster, user, credential, who, tuple(p for p in problems if p))
