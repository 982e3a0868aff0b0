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
from dataclasses import dataclass, field, replace

from kubewallet.credentials.model import sent
from kubewallet.errors import InspectError
from kubewallet.inspect import certificates as certs
from kubewallet.inspect import identity as ident
from kubewallet.inspect.sources import UserCredentials, VaultReader, token_text, user_credentials

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
    refused = sent(ws.users[user].body or {}, user).refused
    if refused:  # client-go validateAuthInfo: kubectl sends nothing at all
        return WhoAmI(name, cluster, user, "none", None, (f"kubectl refuses this user: {refused}",))
    source = _Sources(ws, user, creds, now, rules_for(cluster))
    found: Found | None = None
    try:
        for step in (_client_certificate, _bearer_token, _vault, _auth_provider, _exec_plugin, _basic):
            found = step(source, found)
    except InspectError as exc:
        source.problems.append(exc.message)
    if found is None:
        found = ("none", None)
        if not source.problems:
            source.problems.append(f"user {user!r} has no credential: requests are anonymous")
    credential, who = found
    if who is not None and creds.impersonate_user:
        who = ident.impersonate(who, creds.impersonate_user, creds.impersonate_groups,
                                creds.impersonate_uid, creds.impersonate_extra,
                                source=f"users/{user}")
    return WhoAmI(name, cluster, user, credential, who, tuple(p for p in source.problems if p))


# The credential sources, in the API server's authenticator order (x509 first, then bearer
# tokens), each on top of what kubectl sends (`credentials.model.sent`, via `user_credentials`).
# Each takes what an earlier source found and returns what holds after it.

Found = tuple[str, "ident.Identity | None"]


@dataclass
class _Sources:
    ws: object
    user: str
    creds: UserCredentials
    now: dt.datetime
    rules: ident.OidcClaimRules
    problems: list[str] = field(default_factory=list)

    def from_cert(self, data, source: str) -> ident.Identity:
        leaf = certs.load_certificates(data, source)[0]
        info = certs.describe(leaf, source)
        who = ident.from_certificate(info.common_name, info.organizations, source, not_after=info.not_after)
        if info.status(self.now, dt.timedelta(0)) in ("expired", "not-yet-valid"):
            who = replace(who, rejected=f"the certificate {info.expiry_words(self.now)}")
        return who

    def from_token(self, text: str, source: str) -> ident.Identity:
        return ident.from_token(text, source, now=self.now, rules=self.rules)


def _readable(s: _Sources, material) -> bool:
    """Is this field set and readable? (An unreadable one is a problem to report.)"""
    if material is not None and material.data is None:
        s.problems.append(material.error)
    return material is not None and material.data is not None


def _client_certificate(s: _Sources, found: Found | None) -> Found | None:
    cert = s.creds.client_cert
    if not _readable(s, cert):
        return found
    return f"client certificate ({cert.source})", s.from_cert(cert.data, cert.source)


def _bearer_token(s: _Sources, found: Found | None) -> Found | None:
    token = s.creds.token
    if not _readable(s, token):
        return found
    if found is not None:
        s.problems.append("a token is set too; the API server tries the client certificate first")
        return found
    return f"bearer token ({token.source})", s.from_token(token_text(token) or "", token.source)


def _vault(s: _Sources, found: Found | None) -> Found | None:
    """A user secured by kubewallet: what its vault entry serves."""
    v = s.creds.vault
    if found is not None or v is None:
        return found
    source = f"vault {v.ref}"
    if v.error:
        s.problems.append(v.error)
        return found
    if v.cert_pem:
        return f"client certificate from the {source}", s.from_cert(v.cert_pem, source)
    if v.token:
        return f"bearer token from the {source}", s.from_token(v.token, source)
    return found


def _auth_provider(s: _Sources, found: Found | None) -> Found | None:
    provider = s.creds.auth_provider
    if found is not None or not provider:
        return found
    if provider in REMOVED_PROVIDERS:
        s.problems.append(f"auth-provider {provider!r} was removed from kubectl in 1.26; "
                          f"use the exec plugin {REMOVED_PROVIDERS[provider]}")
        return f"auth-provider {provider}", None
    if provider != "oidc":
        return f"auth-provider {provider}", None
    id_token = (s.creds.auth_provider_config or {}).get("id-token")
    if isinstance(id_token, str) and id_token:
        return "auth-provider oidc id-token", s.from_token(id_token, f"users/{s.user} auth-provider id-token")
    s.problems.append("no id-token cached in the auth-provider config: log in first")
    return "auth-provider oidc", None


def _exec_plugin(s: _Sources, found: Found | None) -> Found | None:
    """A foreign exec plugin (kubewallet's own is `_vault`): only an OIDC login's cache is known."""
    if found is not None or not s.creds.exec_command or s.creds.vault is not None:
        return found
    exec_body = s.ws.users[s.user].body.get("exec") or {}
    cached = _oidc_cache_token(exec_body)
    if cached:
        return "id_token cached by kubewallet oidc-login", s.from_token(cached, "the oidc-login token cache")
    if "oidc-login" in [str(a) for a in (exec_body.get("args") or [])]:
        s.problems.append("no id_token cached for this OIDC login yet: run 'kubectl get ns' "
                          "(or 'kubewallet oidc-login get-token ...') once, then ask again")
        return "OIDC login (no cached id_token)", None
    s.problems.append(f"the exec plugin {s.creds.exec_command!r} decides at run time; "
                      "kubewallet cannot know the identity offline")
    return f"exec plugin {os.path.basename(s.creds.exec_command)}", None


def _basic(s: _Sources, found: Found | None) -> Found | None:
    if found is not None or not s.creds.basic_username:
        return found
    s.problems.append("basic authentication (username/password) was removed from the API "
                      "server in Kubernetes 1.19")
    return "username/password", None
