"""JWT decoding and signature checks, with tokens signed at test time."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import time

import pytest

from kubewallet.errors import InspectError
from kubewallet.inspect import tokens as t
from tests.support.inspect import Signer, bound_sa_claims, oidc_claims

NOW = dt.datetime.now(dt.timezone.utc)


@pytest.fixture(scope="module")
def rsa_signer():
    return Signer("rsa", kid="rsa-1")


@pytest.fixture(scope="module")
def ec_signer():
    return Signer("ec", kid="ec-1")


def _seg(obj) -> str:
    raw = obj if isinstance(obj, bytes) else json.dumps(obj).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_decode_header_claims_and_times(rsa_signer):
    claims = oidc_claims("alice", expires_in=3 * 3600 + 60, email="alice@example.com")
    claims["nbf"] = claims["iat"]
    token = t.decode("Bearer " + rsa_signer.sign(claims) + "\n")
    assert token.header == {"alg": "RS256", "typ": "JWT", "kid": "rsa-1"}
    assert token.claims["sub"] == "alice"
    assert token.issuer == "https://issuer.example" and token.audience == ("kubernetes",)
    assert token.expiry_words(NOW) == "expires in 3 hours"
    assert [name for name, _, _ in token.times(NOW)] == ["exp", "iat", "nbf"]
    assert token.times(NOW)[1][2].endswith("ago") or token.times(NOW)[1][2].startswith("in")
    assert not token.problems


def test_audience_list_and_missing_times(rsa_signer):
    token = t.decode(rsa_signer.sign({"aud": ["a", "b", 3], "sub": "x"}))
    assert token.audience == ("a", "b")
    assert token.expires_at is None and token.expiry_words(NOW) == "never expires"


def test_expired_token(rsa_signer):
    token = t.decode(rsa_signer.sign(oidc_claims(expires_in=-2 * 86400 - 600)))
    now = dt.datetime.now(dt.timezone.utc)
    assert token.expired(now) and token.expiry_words(now) == "expired 2 days ago"


def test_verified_against_pem_and_jwks(rsa_signer, ec_signer, tmp_path):
    rs = t.decode(rsa_signer.sign(oidc_claims()))
    es = t.decode(ec_signer.sign(oidc_claims()))
    assert t.verify_with_public_key(rs, rsa_signer.public_pem).state == "verified"
    assert t.verify_with_jwks(es, ec_signer.jwks).state == "verified"
    assert t.verify_with_jwks(es, json.dumps(ec_signer.jwks)).label == "signature verified"
    (tmp_path / "jwks.json").write_text(json.dumps(rsa_signer.jwks))
    (tmp_path / "key.pem").write_bytes(ec_signer.public_pem)
    assert t.verify(rs, str(tmp_path / "jwks.json")).state == "verified"
    assert t.verify(es, str(tmp_path / "key.pem")).state == "verified"


def test_verification_with_a_certificate(pki):
    issued = pki.issue("signer")
    import jwt

    token = t.decode(jwt.encode({"sub": "x"}, issued.key, algorithm="ES256"))
    assert t.verify_with_public_key(token, issued.cert_pem).state == "verified"


def test_wrong_key_and_tampered_token_are_invalid(rsa_signer):
    other = Signer("rsa", kid="rsa-1")
    token = t.decode(rsa_signer.sign(oidc_claims()))
    assert t.verify_with_jwks(token, other.jwks).state == "invalid"
    head, _, sig = token.raw.split(".")
    forged = t.decode(".".join([head, _seg(oidc_claims("mallory")), sig]))
    result = t.verify_with_public_key(forged, rsa_signer.public_pem)
    assert result.state == "invalid" and result.label.startswith("INVALID signature")


def test_unknown_kid_is_named(rsa_signer):
    token = t.decode(rsa_signer.sign(oidc_claims(), headers={"kid": "rotated"}))
    result = t.verify_with_jwks(token, rsa_signer.jwks)
    assert result.state == "invalid" and "no key with kid 'rotated'" in result.detail


def test_unsigned_and_hmac_tokens_are_never_verified(rsa_signer):
    import jwt

    none = t.decode(_seg({"alg": "none"}) + "." + _seg({"sub": "x"}) + ".")
    assert "unsigned" in none.problems[0]
    assert t.verify_with_public_key(none, rsa_signer.public_pem).state == "invalid"
    hs = t.decode(jwt.encode({"sub": "x"}, "s" * 32, algorithm="HS256"))
    assert t.verify_with_jwks(hs, rsa_signer.jwks).state == "unverified"
    assert t.verify(hs, None) is t.UNVERIFIED
    assert t.UNVERIFIED.label.startswith("unverified")


def test_jwks_from_a_loopback_url(rsa_signer):
    """A JWKS served over HTTP on 127.0.0.1, as an issuer's jwks_uri would be."""
    import http.server
    import threading

    body = json.dumps(rsa_signer.jwks).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        token = t.decode(rsa_signer.sign(oidc_claims()))
        assert t.verify(token, f"http://127.0.0.1:{server.server_port}/jwks").state == "verified"
    finally:
        server.shutdown()
        server.server_close()
    with pytest.raises(InspectError, match="cannot fetch the JWKS"):
        t.verify(token, f"http://127.0.0.1:{server.server_port}/jwks")


@pytest.mark.parametrize(("text", "message"), [
    ("", "the token is empty"),
    ("abc", "a JWT has 3 segments separated by dots (header.claims.signature); this has 1"),
    ("a.b", "this has 2"),
    ("a.b.c.d", "this has 4"),
    ("a.b.c.d.e", "this is a JWE"),
    ("eyJ+.eyJ.x", "segment 1 (header) is not base64url: a character at position 4"),
    ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0=.x", "'=' padding is not allowed"),
    ("eyJhbGciOiJIUzI1NiJ9.e.x", "segment 2 (claims) is not base64url: its length (1)"),
    (_seg(b"not json") + ".e30.", "segment 1 (header) is not JSON (Expecting value at line 1 column 1)"),
    (_seg(b"[1,2]") + ".e30.", "segment 1 (header) is JSON but not an object (it is a list)"),
    (_seg({"alg": "RS256"}) + "." + _seg(b"\xff\xfe") + ".", "decodes to bytes that are not UTF-8"),
    ("eyJh bGci.e30.x", "whitespace inside it"),
])
def test_garbage_gets_a_precise_error(text, message):
    with pytest.raises(InspectError, match=re.escape(message)):
        t.decode(text)


def test_error_messages_never_quote_the_token(rsa_signer):
    good = rsa_signer.sign(oidc_claims())
    broken = good[:-1] + "+"
    with pytest.raises(InspectError) as err:
        t.decode(broken)
    assert good.split(".")[1][:16] not in str(err.value) and good.split(".")[2][:16] not in str(err.value)


def test_bad_time_claims_are_problems_not_crashes(rsa_signer):
    token = t.decode(rsa_signer.sign({"exp": "tomorrow", "iat": 1e300, "nbf": True}))
    assert len(token.problems) == 3 and token.expires_at is None
    assert token.times(NOW) == []


def test_bound_token_decodes(rsa_signer):
    token = t.decode(rsa_signer.sign(bound_sa_claims()))
    assert token.claims["kubernetes.io"]["namespace"] == "team-a"
    assert t.looks_like_jwt(token.raw) and not t.looks_like_jwt("abcdef.0123456789abcdef")
    assert time.time() < token.expires_at.timestamp()
