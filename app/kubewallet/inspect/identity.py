"""The identity (user name, uid, groups, extra) the API server derives from a credential.

The rules are the API server's authenticators, written down here so `kubewallet whoami` can
answer offline what `kubectl auth whoami` answers online:

- x509 client certificate: CN is the user name, each O is a group
  (k8s.io/apiserver `pkg/authentication/request/x509`, `CommonNameUserConversion`).
- ServiceAccount token, legacy (Secret-based, `iss: kubernetes/serviceaccount`, no `exp`) and
  bound (TokenRequest, the `kubernetes.io` claim): user `system:serviceaccount:NS:NAME`, groups
  `system:serviceaccounts` and `system:serviceaccounts:NS`; a bound token adds the pod/node it is
  bound to and its `jti` as extra (`authentication.kubernetes.io/pod-name`, `.../credential-id`...)
  (k8s.io/kubernetes `pkg/serviceaccount/claims.go`, `legacy.go`, `util.go`).
- OIDC token: the `--oidc-username-claim` (default `sub`) prefixed by `--oidc-username-prefix`;
  when that flag is unset and the claim is not `email`, the prefix is the issuer URL followed by
  `#` ("iss#sub"), and the value `-` disables prefixing; groups from `--oidc-groups-claim` (a
  string or a list of strings) each prefixed by `--oidc-groups-prefix`; with the `email` claim an
  `email_verified: false` claim makes the server reject the token
  (k8s.io/kubernetes `pkg/kubeapiserver/options/authentication.go`,
  k8s.io/apiserver `plugin/pkg/authenticator/token/oidc`).
- Bootstrap token `ID.SECRET`: `system:bootstrap:ID` in group `system:bootstrappers`.
- Every authenticated identity is also in `system:authenticated`.
- Impersonation in the kubeconfig (`as`, `as-groups`, `as-uid`, `as-user-extra`) replaces all of
  it for authorization, once the real identity is allowed to impersonate.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from kubewallet.errors import InspectError
from kubewallet.inspect import tokens as jwt_tokens

AUTHENTICATED = "system:authenticated"
SA_PREFIX = "system:serviceaccount:"
SA_GROUP = "system:serviceaccounts"
LEGACY_SA_ISSUER = "kubernetes/serviceaccount"
BOOTSTRAP_TOKEN = re.compile(r"^([a-z0-9]{6})\.([a-z0-9]{16})$")


@dataclass(frozen=True)
class OidcClaimRules:
    """The API server's `--oidc-*` claim mapping for one cluster.

    `username_prefix=None` means "flag not set" (the default rule applies); "-" means no prefix.
    `issuer_url` and `client_id` empty mean "not configured": the token's own `iss` is used for
    the default prefix and the audience is not checked.
    """

    issuer_url: str = ""
    client_id: str = ""
    username_claim: str = "sub"
    username_prefix: str | None = None
    groups_claim: str = ""
    groups_prefix: str = ""

    _KEYS = {"issuer_url": ("issuerURL", "issuer-url", "issuer_url", "oidc-issuer-url"),
             "client_id": ("clientID", "client-id", "client_id", "oidc-client-id"),
             "username_claim": ("usernameClaim", "username-claim", "username_claim",
                                "oidc-username-claim"),
             "username_prefix": ("usernamePrefix", "username-prefix", "username_prefix",
                                 "oidc-username-prefix"),
             "groups_claim": ("groupsClaim", "groups-claim", "groups_claim", "oidc-groups-claim"),
             "groups_prefix": ("groupsPrefix", "groups-prefix", "groups_prefix",
                               "oidc-groups-prefix")}

    @classmethod
    def from_mapping(cls, data: Mapping | None) -> OidcClaimRules:
        """From settings written with any of the spellings people use (camelCase as in a
        kubeconfig extension, the flag names, or snake_case)."""
        if not data:
            return cls()
        values = {}
        for attr, names in cls._KEYS.items():
            for name in names:
                if name in data and data[name] is not None:
                    values[attr] = str(data[name])
                    break
        return cls(**values)

    def to_mapping(self) -> dict:
        out = {"issuerURL": self.issuer_url, "clientID": self.client_id,
               "usernameClaim": self.username_claim, "groupsClaim": self.groups_claim,
               "groupsPrefix": self.groups_prefix}
        if self.username_prefix is not None:
            out["usernamePrefix"] = self.username_prefix
        return out

    def effective_username_prefix(self, token_issuer: str) -> str:
        if self.username_prefix == "-":
            return ""
        if self.username_prefix:
            return self.username_prefix
        if self.username_claim == "email":
            return ""
        return f"{self.issuer_url or token_issuer}#"


@dataclass(frozen=True)
class Origin:
    """Where one part of the identity comes from: ('user name', 'jane', 'certificate CN of ...')."""

    part: str
    value: str
    source: str


@dataclass(frozen=True)
class Identity:
    """Who the API server will think you are.

    `username` is None when it cannot be known offline (an exec plugin that is not kubewallet, an
    opaque token only its issuer understands). `rejected` is set when the server will answer 401
    (expired, email not verified, audience mismatch); `warnings` are worth saying but not fatal.
    """

    kind: str
    username: str | None
    groups: tuple[str, ...] = ()
    uid: str = ""
    extra: tuple[tuple[str, tuple[str, ...]], ...] = ()
    origins: tuple[Origin, ...] = ()
    warnings: tuple[str, ...] = ()
    rejected: str = ""
    expires_at: dt.datetime | None = None
    notes: tuple[str, ...] = ()
    impersonated_by: Identity | None = field(default=None, compare=False)

    def to_json(self) -> dict:
        out = {
            "kind": self.kind, "username": self.username, "uid": self.uid,
            "groups": list(self.groups), "extra": {k: list(v) for k, v in self.extra},
            "origins": [{"part": o.part, "value": o.value, "source": o.source} for o in self.origins],
            "warnings": list(self.warnings), "rejected": self.rejected,
            "expiresAt": self.expires_at.isoformat() if self.expires_at else None,
            "notes": list(self.notes),
        }
        if self.impersonated_by is not None:
            out["impersonatedBy"] = self.impersonated_by.to_json()
        return out


def _with_authenticated(groups: list[str]) -> tuple[str, ...]:
    """The API server's `AuthenticatedGroupAdder`: every authenticated user is in
    system:authenticated (added once, at the end)."""
    out = list(dict.fromkeys(groups))
    if AUTHENTICATED not in out:
        out.append(AUTHENTICATED)
    return tuple(out)


def from_certificate(common_name: str, organizations: tuple[str, ...], source: str, *,
                     not_after: dt.datetime | None = None) -> Identity:
    """A client certificate's identity: CN = user name, each O = a group."""
    origins = [Origin("user name", common_name, f"CN of {source}")]
    origins += [Origin("group", o, f"O of {source}") for o in organizations]
    origins.append(Origin("group", AUTHENTICATED, "added to every authenticated user"))
    warnings = []
    if "system:masters" in organizations:
        warnings.append("system:masters: bypasses all authorization and cannot be revoked")
    return Identity("x509", common_name, _with_authenticated(list(organizations)),
                    origins=tuple(origins), warnings=tuple(warnings), expires_at=not_after)


def _service_account(ns: str, name: str, uid: str, source: str, claims_source: str,
                     kind: str, extra: list[tuple[str, tuple[str, ...]]], warnings: list[str],
                     notes: list[str], expires_at: dt.datetime | None, rejected: str) -> Identity:
    username = f"{SA_PREFIX}{ns}:{name}"
    groups = [SA_GROUP, f"{SA_GROUP}:{ns}"]
    origins = [Origin("user name", username, f"{claims_source} of {source}"),
               Origin("group", SA_GROUP, "every ServiceAccount"),
               Origin("group", f"{SA_GROUP}:{ns}", f"every ServiceAccount in namespace {ns}"),
               Origin("group", AUTHENTICATED, "added to every authenticated user")]
    if uid:
        origins.append(Origin("uid", uid, f"{claims_source} of {source}"))
    return Identity(kind, username, _with_authenticated(groups), uid=uid, extra=tuple(extra),
                    origins=tuple(origins), warnings=tuple(warnings), notes=tuple(notes),
                    expires_at=expires_at, rejected=rejected)


def _str(value) -> str:
    return value if isinstance(value, str) else ""


def from_decoded(token: jwt_tokens.DecodedToken, source: str, *, now: dt.datetime,
                 rules: OidcClaimRules | None = None) -> Identity:
    """The identity carried by a decoded JWT: a ServiceAccount token (legacy or bound) or, for
    any other issuer, an OIDC token mapped with `rules` (the API server's defaults when None)."""
    claims = token.claims
    expires_at = token.expires_at
    warnings: list[str] = []
    rejected = ""
    if token.expired(now):
        rejected = f"the token {token.expiry_words(now)}"
    nbf = token.time("nbf")
    # A minute of leeway for clock skew, as the API server's token validators allow.
    if nbf is not None and now + dt.timedelta(seconds=60) < nbf:
        rejected = rejected or "the token is not valid yet (nbf is in the future)"

    # Legacy Secret-based ServiceAccount token (k8s legacy.go: iss "kubernetes/serviceaccount").
    if token.issuer == LEGACY_SA_ISSUER or "kubernetes.io/serviceaccount/namespace" in claims:
        ns = _str(claims.get("kubernetes.io/serviceaccount/namespace"))
        name = _str(claims.get("kubernetes.io/serviceaccount/service-account.name"))
        uid = _str(claims.get("kubernetes.io/serviceaccount/service-account.uid"))
        secret = _str(claims.get("kubernetes.io/serviceaccount/secret.name"))
        if not ns or not name:
            raise InspectError(f"{source}: a legacy ServiceAccount token without namespace or "
                               "service-account.name claims")
        notes = [f"valid only while the Secret {ns}/{secret or '?'} exists: deleting it revokes the token"]
        if expires_at is None:
            warnings.append("a legacy ServiceAccount token never expires: replace it with a bound "
                            "token (kubectl create token) and delete its Secret")
        return _service_account(ns, name, uid, source, "kubernetes.io/serviceaccount claims",
                                 "serviceaccount-legacy", [], warnings, notes, expires_at, rejected)

    # Bound ServiceAccount token (TokenRequest API, claims.go: the private "kubernetes.io" claim).
    private = claims.get("kubernetes.io")
    if isinstance(private, dict) and isinstance(private.get("serviceaccount"), dict):
        ns = _str(private.get("namespace"))
        sa = private["serviceaccount"]
        name, uid = _str(sa.get("name")), _str(sa.get("uid"))
        if not ns or not name:
            raise InspectError(f"{source}: a ServiceAccount token without namespace or name")
        extra: list[tuple[str, tuple[str, ...]]] = []
        notes = []
        for kind in ("pod", "node", "secret"):
            ref = private.get(kind)
            if isinstance(ref, dict) and ref.get("name"):
                notes.append(f"bound to {kind} {_str(ref.get('name'))}: invalid once it is deleted")
                if kind in ("pod", "node"):
                    extra.append((f"authentication.kubernetes.io/{kind}-name", (_str(ref.get("name")),)))
                    if ref.get("uid"):
                        extra.append((f"authentication.kubernetes.io/{kind}-uid", (_str(ref.get("uid")),)))
        if isinstance(claims.get("jti"), str):
            extra.append(("authentication.kubernetes.io/credential-id", (f"JTI={claims['jti']}",)))
        warn_after = token.time("exp") and private.get("warnafter")
        if isinstance(warn_after, (int, float)) and not isinstance(warn_after, bool):
            try:
                when = dt.datetime.fromtimestamp(warn_after, dt.timezone.utc).isoformat()
            except (OverflowError, OSError, ValueError):
                when = "an unreadable time"
            notes.append(f"an extended-lifetime token: the server logs a warning after {when}")
        if expires_at is None:
            warnings.append("a ServiceAccount token without exp")
        return _service_account(ns, name, uid, source, "kubernetes.io claim", "serviceaccount",
                                extra, warnings, notes, expires_at, rejected)

    return _oidc(token, source, rules or OidcClaimRules(), rejected, now)


def _oidc(token: jwt_tokens.DecodedToken, source: str, rules: OidcClaimRules, rejected: str,
          now: dt.datetime) -> Identity:
    claims = token.claims
    warnings: list[str] = []
    notes: list[str] = []
    claim = rules.username_claim
    value = claims.get(claim)
    if not isinstance(value, str) or not value:
        return Identity("oidc", None, origins=(), expires_at=token.expires_at,
                        rejected=rejected or f"the token has no string claim {claim!r} "
                                             "(--oidc-username-claim): the API server rejects it")
    if claim == "email" and "email_verified" in claims and claims["email_verified"] is not True:
        rejected = rejected or "email_verified is false: the API server rejects an unverified email"
    if rules.issuer_url and token.issuer != rules.issuer_url:
        rejected = rejected or (f"iss {token.issuer!r} is not the cluster's issuer "
                                f"{rules.issuer_url!r}")
    if rules.client_id and rules.client_id not in token.audience:
        rejected = rejected or f"aud does not contain the cluster's client id {rules.client_id!r}"
    prefix = rules.effective_username_prefix(token.issuer)
    username = prefix + value
    if rules.username_prefix is None and prefix:
        why = "default prefix: issuer URL + '#', because the username claim is not 'email'"
    elif prefix:
        why = "--oidc-username-prefix"
    else:
        why = "no prefix"
    origins = [Origin("user name", username, f"claim {claim!r} of {source} ({why})")]
    groups: list[str] = []
    if rules.groups_claim:
        raw = claims.get(rules.groups_claim)
        if isinstance(raw, str):
            raw = [raw]
        if raw is None:
            notes.append(f"no {rules.groups_claim!r} claim: no groups from the token")
            raw = []
        if not isinstance(raw, list) or not all(isinstance(g, str) for g in raw):
            rejected = rejected or (f"claim {rules.groups_claim!r} is neither a string nor a list "
                                    "of strings: the API server rejects the token")
            raw = []
        for g in raw:
            groups.append(rules.groups_prefix + g)
            origins.append(Origin("group", rules.groups_prefix + g,
                                  f"claim {rules.groups_claim!r}"
                                  + (f" with prefix {rules.groups_prefix!r}" if rules.groups_prefix else "")))
    else:
        notes.append("no --oidc-groups-claim configured for this cluster: no groups from the token")
    origins.append(Origin("group", AUTHENTICATED, "added to every authenticated user"))
    if rules == OidcClaimRules():
        notes.append("the cluster's OIDC settings are not known: the API server's defaults are "
                     "assumed (username claim 'sub', issuer prefix)")
    if username.startswith("system:"):
        warnings.append("a user name starting with 'system:' is reserved for Kubernetes components")
    return Identity("oidc", username, _with_authenticated(groups), origins=tuple(origins),
                    warnings=tuple(warnings), rejected=rejected, expires_at=token.expires_at,
                    notes=tuple(notes))


def from_token(text: str, source: str, *, now: dt.datetime,
               rules: OidcClaimRules | None = None) -> Identity:
    """The identity of a bearer token of any kind: a JWT, a bootstrap token, or an opaque one
    (a static token file entry or a webhook's token: only the server knows)."""
    stripped = text.strip()
    match = BOOTSTRAP_TOKEN.match(stripped)
    if match:
        user = f"system:bootstrap:{match.group(1)}"
        return Identity("bootstrap", user, _with_authenticated(["system:bootstrappers"]),
                        origins=(Origin("user name", user, f"token id of {source}"),
                                 Origin("group", "system:bootstrappers", "every bootstrap token")),
                        notes=("a bootstrap token may add groups from its Secret's auth-extra-groups; "
                               "expiry lives in that Secret",))
    if stripped.count(".") != 2:
        return Identity("opaque-token", None,
                        notes=("an opaque token (not a JWT): only the server's static token file "
                               "or webhook knows who it is",))
    return from_decoded(jwt_tokens.decode(stripped), source, now=now, rules=rules)


def impersonate(real: Identity, user: str | None, groups: tuple[str, ...] = (), uid: str = "",
                extra: Mapping[str, list[str]] | None = None, source: str = "kubeconfig") -> Identity:
    """`as`/`as-groups` in the kubeconfig: the request is authorized as someone else
    (Impersonate-User headers); the real identity needs the `impersonate` verb for that.
    Impersonated groups are taken as given, plus system:authenticated (as the server adds)."""
    if not user:
        return real
    origins = [Origin("user name", user, f"'as' in {source}")]
    origins += [Origin("group", g, f"'as-groups' in {source}") for g in groups]
    kind = "serviceaccount" if user.startswith(SA_PREFIX) else real.kind
    all_groups = list(groups)
    if user.startswith(SA_PREFIX) and not groups:
        ns = user[len(SA_PREFIX):].split(":", 1)[0]
        all_groups = [SA_GROUP, f"{SA_GROUP}:{ns}"]
    return Identity(kind, user, _with_authenticated(all_groups), uid=uid,
                    extra=tuple((k, tuple(v)) for k, v in (extra or {}).items()),
                    origins=tuple(origins), rejected=real.rejected, expires_at=real.expires_at,
                    notes=(f"impersonating: the real identity ({real.username or 'unknown'}) needs "
                           "RBAC permission to impersonate this user and these groups",),
                    impersonated_by=real)

