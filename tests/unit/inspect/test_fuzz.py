"""Every parser of the inspect area against random bytes and near misses: a clear InspectError
(or a successful parse), never another exception."""

from __future__ import annotations

import base64
import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kubewallet.errors import InspectError
from kubewallet.inspect import certificates as c
from kubewallet.inspect import identity, tokens
from tests.support.certs import Pki

NOW = dt.datetime.now(dt.timezone.utc)
_PKI = Pki("fuzz-ca")
_LEAF = _PKI.issue("fuzz", ("g",))
CERT_PEM = _LEAF.cert_pem.decode()
KEY_PEM = _LEAF.key_pem.decode()


def _b64url(data: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


# A well-formed but unsigned JWT, built here rather than pasted: the seed the fuzzers mutate.
GOOD_JWT = ".".join((_b64url(b'{"alg":"RS256","kid":"1"}'),
                     _b64url(b'{"iss":"https://i","sub":"1","exp":1}'), _b64url(b"signature")))

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _mutate(text: str, data: st.DataObject) -> str:
    """A near miss: delete, duplicate, or replace a slice of a valid value."""
    i = data.draw(st.integers(0, len(text)))
    j = data.draw(st.integers(i, min(len(text), i + 40)))
    op = data.draw(st.sampled_from(["delete", "replace", "insert", "truncate"]))
    filler = data.draw(st.text(alphabet="A-=./+_\n \x00é{}\"", max_size=8))
    if op == "delete":
        return text[:i] + text[j:]
    if op == "replace":
        return text[:i] + filler + text[j:]
    if op == "insert":
        return text[:i] + filler + text[i:]
    return text[:i]


def _ok_or_inspect_error(fn, *args):
    try:
        return fn(*args)
    except InspectError as exc:
        assert str(exc) and "Traceback" not in str(exc)
        return None


@FAST
@given(st.binary(max_size=600))
def test_random_bytes_to_certificate_and_key_loaders(data):
    _ok_or_inspect_error(c.load_certificates, data, "src")
    _ok_or_inspect_error(c.load_private_key, data, "src")
    assert _ok_or_inspect_error(c.encoding, data) in (None, "pem", "der", "base64")


@FAST
@given(st.data())
def test_near_miss_pem_certificates(data):
    text = _mutate(CERT_PEM, data)
    for form in (text, base64.b64encode(text.encode("utf-8", "replace")).decode()):
        certs = _ok_or_inspect_error(c.load_certificates, form, "src")
        for cert in certs or ():
            info = _ok_or_inspect_error(c.describe, cert)
            if info is not None:
                info.expiry_words(NOW)
                info.to_json(NOW)


@FAST
@given(st.data())
def test_near_miss_pem_keys(data):
    _ok_or_inspect_error(c.load_private_key, _mutate(KEY_PEM, data), "src")


@FAST
@given(st.data())
def test_near_miss_der(data):
    der = bytearray(base64.b64decode("".join(CERT_PEM.splitlines()[1:-1])))
    for _ in range(data.draw(st.integers(1, 4))):
        der[data.draw(st.integers(0, len(der) - 1))] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(1, len(der)))
    certs = _ok_or_inspect_error(c.load_certificates, bytes(der[:cut]), "src")
    for cert in certs or ():
        _ok_or_inspect_error(c.describe, cert)


@FAST
@given(st.text(max_size=300))
def test_random_text_to_the_token_decoder_and_identity(text):
    token = _ok_or_inspect_error(tokens.decode, text)
    if token is not None:
        token.times(NOW)
    _ok_or_inspect_error(lambda: identity.from_token(text, "src", now=NOW))


@FAST
@given(st.data())
def test_near_miss_jwts(data):
    text = _mutate(GOOD_JWT, data)
    token = _ok_or_inspect_error(tokens.decode, text)
    if token is not None:
        token.times(NOW), token.audience, token.expiry_words(NOW)
        _ok_or_inspect_error(lambda: identity.from_decoded(token, "src", now=NOW))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=10)


@FAST
@given(st.dictionaries(st.sampled_from(["iss", "sub", "exp", "iat", "nbf", "aud", "email", "groups",
                                        "email_verified", "kubernetes.io", "jti",
                                        "kubernetes.io/serviceaccount/namespace",
                                        "kubernetes.io/serviceaccount/service-account.name"]),
                       json_values), st.sampled_from([{}, {"usernameClaim": "email", "groupsClaim": "groups"}]))
def test_arbitrary_claim_sets_map_or_fail_clearly(claims, rules):
    import json

    seg = lambda obj: base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()  # noqa: E731
    token = tokens.decode(seg({"alg": "RS256"}) + "." + seg(claims) + ".c2ln")
    who = _ok_or_inspect_error(lambda: identity.from_decoded(
        token, "src", now=NOW, rules=identity.OidcClaimRules.from_mapping(rules)))
    if who is not None:
        who.to_json()


@FAST
@given(st.one_of(st.text(max_size=200), json_values.map(lambda v: __import__("json").dumps(v))))
def test_random_jwks_text_is_refused_clearly(text):
    token = tokens.decode(GOOD_JWT)
    result = _ok_or_inspect_error(tokens.verify_with_jwks, token, text)
    assert result is None or result.state in ("invalid", "unverified")


@FAST
@given(st.text(max_size=20))
def test_random_durations(text):
    from kubewallet.errors import UsageError
    from kubewallet.inspect.timewords import parse_duration

    try:
        assert parse_duration(text).total_seconds() >= 0
    except UsageError as exc:
        assert "cannot read the duration" in str(exc)


@FAST
@given(st.binary(max_size=300))
def test_random_public_key_files(data):
    token = tokens.decode(GOOD_JWT)
    result = _ok_or_inspect_error(tokens.verify_with_public_key, token, data)
    assert result is None or result.state == "invalid"
