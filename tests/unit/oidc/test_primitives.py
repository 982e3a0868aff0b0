"""PKCE, the cache key, the issuer rule, the token cache file and the JWT peek."""

from __future__ import annotations

import base64
import json
import os
import stat
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kubewallet.errors import OidcError
from kubewallet.oidc.config import ProviderConfig, TlsSettings, check_issuer_url
from kubewallet.oidc.jwtpeek import peek
from kubewallet.oidc.pkce import challenge_for, new_pkce
from kubewallet.oidc.tokencache import CachedToken, TokenCache


def test_pkce_s256_matches_rfc7636_appendix_b():
    assert challenge_for("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == \
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    a, b = new_pkce(), new_pkce()
    assert a.method == "S256" and len(a.verifier) == 43 and a.verifier != b.verifier
    assert a.verifier not in repr(a)


def test_cache_key_covers_everything_that_changes_the_token():
    base = ProviderConfig("https://idp", "k", extra_scopes=("email", "groups"))
    variants = [
        ProviderConfig("https://idp2", "k", extra_scopes=("email", "groups")),
        ProviderConfig("https://idp", "k2", extra_scopes=("email", "groups")),
        ProviderConfig("https://idp", "k", "Sup3rS3cret", extra_scopes=("email", "groups")),
        ProviderConfig("https://idp", "k", extra_scopes=("email",)),
        ProviderConfig("https://idp", "k", extra_scopes=("email", "groups"), username="bob"),
        ProviderConfig("https://idp", "k", extra_scopes=("email", "groups"),
                       tls=TlsSettings(ca_files=("/ca.pem",))),
        ProviderConfig("https://idp", "k", extra_scopes=("email", "groups"),
                       tls=TlsSettings(insecure_skip_verify=True)),
    ]
    keys = {v.cache_key() for v in variants}
    assert len(keys) == len(variants) and base.cache_key() not in keys
    assert ProviderConfig("https://idp", "k", extra_scopes=("groups", "email")).cache_key() == base.cache_key()
    assert "Sup3rS3cret" not in repr(variants[2])


@pytest.mark.parametrize("url", ["https://dex.example.com", "http://127.0.0.1:5556/dex",
                                 "http://localhost:8080", "http://[::1]:9000"])
def test_issuers_accepted(url):
    assert check_issuer_url(url) == url


@pytest.mark.parametrize("url, message", [
    ("http://dex.example.com", "refusing the plain http issuer"),
    ("http://10.0.0.1", "refusing the plain http issuer"),
    ("ftp://x", r"not an http\(s\) URL"),
    ("dex.example.com", r"not an http\(s\) URL"),
    ("https://x/?a=b", "must not have a query"),
])
def test_issuers_refused(url, message):
    with pytest.raises(OidcError, match=message):
        check_issuer_url(url)


def test_token_cache_file_is_private_and_atomic(tmp_path):
    cache = TokenCache(tmp_path / "c")
    now = time.time()
    token = CachedToken("a.b.c", now + 3600, now, "https://idp", "k")
    cache.save("key1", token)
    assert stat.S_IMODE(os.stat(cache.path("key1")).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(cache.directory).st_mode) == 0o700
    assert cache.load("key1") == token
    assert [k for k, _ in cache.entries()] == ["key1"]
    assert not [n for n in os.listdir(cache.directory) if n.endswith(".tmp")]
    with open(cache.path("key1"), "w") as fh:
        fh.write("{not json")
    assert cache.load("key1") is None, "a damaged cache is a miss, not a crash"
    assert cache.delete("key1") and not cache.delete("key1")


def test_freshness_margin():
    now = 1_000_000.0
    hour = CachedToken("t", now + 3600, now)
    assert hour.refresh_at() == now + 3600 - 30
    assert hour.is_fresh(now + 3569) and not hour.is_fresh(now + 3571)
    short = CachedToken("t", now + 3, now)
    assert short.refresh_at() == pytest.approx(now + 2.7)


def _jwt(header, payload):
    enc = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()
    return f"{enc(header)}.{enc(payload)}.c2ln"


def test_peek_reads_claims():
    header, claims = peek(_jwt({"alg": "RS256"}, {"sub": "a", "exp": 5}))
    assert header == {"alg": "RS256"} and claims["sub"] == "a"


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=60), st.lists(st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=", max_size=20),
    min_size=1, max_size=4).map(".".join)))
def test_fuzz_peek_never_crashes(text):
    try:
        header, claims = peek(text)
    except OidcError as exc:
        assert exc.message
        return
    assert isinstance(header, dict) and isinstance(claims, dict)
