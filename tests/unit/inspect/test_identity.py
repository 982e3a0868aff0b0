"""The identity the API server derives, table by table (its authenticators' rules)."""

from __future__ import annotations

import datetime as dt

import pytest

from kubewallet.errors import InspectError
from kubewallet.inspect import identity as ident
from kubewallet.inspect.tokens import decode
from tests.support.inspect import Signer, bound_sa_claims, legacy_sa_claims, oidc_claims

NOW = dt.datetime.now(dt.timezone.utc)


@pytest.fixture(scope="module")
def signer():
    return Signer("ec")


def _id(signer, claims, rules=None):
    return ident.from_token(signer.sign(claims), "users/u token",
                            now=dt.datetime.now(dt.timezone.utc), rules=rules)


def test_client_certificate_identity():
    who = ident.from_certificate("jane", ("dev", "system:masters"), "users/jane client-certificate-data")
    assert who.username == "jane"
    assert who.groups == ("dev", "system:masters", "system:authenticated")
    assert who.origins[0].source == "CN of users/jane client-certificate-data"
    assert who.origins[2] == ident.Origin("group", "system:masters", "O of users/jane client-certificate-data")
    assert "bypasses all authorization" in who.warnings[0]


def test_bound_service_account_token(signer):
    who = _id(signer, bound_sa_claims("team-a", "deployer"))
    assert who.kind == "serviceaccount"
    assert who.username == "system:serviceaccount:team-a:deployer"
    assert who.groups == ("system:serviceaccounts", "system:serviceaccounts:team-a", "system:authenticated")
    assert who.uid == "sa-uid-1"
    assert dict(who.extra) == {
        "authentication.kubernetes.io/pod-name": ("web-0",),
        "authentication.kubernetes.io/pod-uid": ("pod-uid-1",),
        "authentication.kubernetes.io/node-name": ("node-1",),
        "authentication.kubernetes.io/node-uid": ("node-uid-1",),
        "authentication.kubernetes.io/credential-id": ("JTI=jti-1",),
    }
    assert any("bound to pod web-0" in n for n in who.notes)
    assert not who.warnings and not who.rejected


def test_legacy_service_account_token_never_expires(signer):
    who = _id(signer, legacy_sa_claims("kube-system", "ci-bot"))
    assert who.kind == "serviceaccount-legacy"
    assert who.username == "system:serviceaccount:kube-system:ci-bot"
    assert "system:serviceaccounts:kube-system" in who.groups
    assert who.expires_at is None
    assert "never expires" in who.warnings[0]
    assert "Secret kube-system/ci-bot-token-abcde" in who.notes[0]


def test_expired_bound_token_is_rejected(signer):
    who = _id(signer, bound_sa_claims(expires_in=-3630))
    assert who.rejected == "the token expired 1 hour ago"


ISS = "https://issuer.example"


@pytest.mark.parametrize(("rules", "claims", "username", "groups"), [
    # defaults: claim sub, prefixed with the issuer URL and '#'
    ({}, {"sub": "1234"}, f"{ISS}#1234", ()),
    # email claim: no default prefix
    ({"usernameClaim": "email"}, {"email": "a@x.io"}, "a@x.io", ()),
    # '-' disables prefixing
    ({"usernamePrefix": "-"}, {"sub": "1234"}, "1234", ()),
    # an explicit prefix is used as is (flag spellings accepted)
    ({"oidc-username-prefix": "oidc:", "oidc-username-claim": "preferred_username"},
     {"preferred_username": "bob"}, "oidc:bob", ()),
    # the configured issuer URL, not the token's, makes the default prefix
    ({"issuerURL": ISS, "usernameClaim": "name"}, {"name": "Bob"}, f"{ISS}#Bob", ()),
    # groups claim: a list, each prefixed
    ({"groupsClaim": "groups", "groupsPrefix": "oidc:", "usernameClaim": "email"},
     {"email": "a@x.io", "groups": ["dev", "ops"]}, "a@x.io", ("oidc:dev", "oidc:ops")),
    # groups claim: a single string is one group
    ({"groups_claim": "groups", "username_prefix": "-"}, {"sub": "s", "groups": "admins"}, "s", ("admins",)),
    # no groups claim configured: the token's groups are ignored
    ({"usernamePrefix": "-"}, {"sub": "s", "groups": ["dev"]}, "s", ()),
])
def test_oidc_claim_mapping(signer, rules, claims, username, groups):
    who = _id(signer, oidc_claims(**{"iss": ISS, **claims}), ident.OidcClaimRules.from_mapping(rules))
    assert who.kind == "oidc"
    assert who.username == username
    assert who.groups == (*groups, "system:authenticated")
    assert not who.rejected


def test_default_prefix_origin_says_why(signer):
    who = _id(signer, oidc_claims("1234", iss=ISS))
    assert "issuer URL + '#'" in who.origins[0].source


@pytest.mark.parametrize(("rules", "claims", "reason"), [
    ({"usernameClaim": "email"}, {"email": "a@x.io", "email_verified": False}, "email_verified is false"),
    ({"usernameClaim": "email"}, {}, "no string claim 'email'"),
    ({"issuerURL": "https://other"}, {}, "is not the cluster's issuer"),
    ({"clientID": "kubectl"}, {}, "aud does not contain the cluster's client id 'kubectl'"),
    ({"groupsClaim": "groups"}, {"groups": [1, 2]}, "neither a string nor a list of strings"),
    ({}, {"exp": 1}, "the token expired"),
])
def test_oidc_rejections(signer, rules, claims, reason):
    who = _id(signer, {**oidc_claims(iss=ISS), **claims}, ident.OidcClaimRules.from_mapping(rules))
    assert reason in who.rejected


def test_bootstrap_and_opaque_tokens():
    who = ident.from_token("abcdef.0123456789abcdef", "users/node token", now=NOW)
    assert who.username == "system:bootstrap:abcdef"
    assert who.groups == ("system:bootstrappers", "system:authenticated")
    opaque = ident.from_token("s3cr3t-static-token", "users/x token", now=NOW)
    assert opaque.kind == "opaque-token" and opaque.username is None


def test_impersonation_replaces_the_identity():
    real = ident.from_certificate("jane", ("dev",), "cert")
    who = ident.impersonate(real, "system:serviceaccount:ci:bot", ())
    assert who.username == "system:serviceaccount:ci:bot"
    assert who.groups == ("system:serviceaccounts", "system:serviceaccounts:ci", "system:authenticated")
    assert who.impersonated_by is real and "impersonate" in who.notes[0]
    assert ident.impersonate(real, None) is real
    assert who.to_json()["impersonatedBy"]["username"] == "jane"


def test_malformed_service_account_claims(signer):
    with pytest.raises(InspectError, match="without namespace"):
        _id(signer, {"iss": "kubernetes/serviceaccount"})


def test_rules_round_trip():
    rules = ident.OidcClaimRules(issuer_url=ISS, username_claim="email", groups_claim="groups",
                                 username_prefix="-")
    assert ident.OidcClaimRules.from_mapping(rules.to_mapping()) == rules
    assert ident.OidcClaimRules.from_mapping(None) == ident.OidcClaimRules()
