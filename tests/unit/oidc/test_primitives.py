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
                                 "http://localhost:8080", "http://[::1]:9000", "http://127.8.9.10/",
                                 "http://LOCALHOST:1/"])
def test_issuers_accepted(url):
    assert check_issuer_url(url) == url


@pytest.mark.parametrize("url, message", [
    ("http://dex.example.com", "refusing the plain http issuer"),
    ("http://10.0.0.1", "refusing the plain http issuer"),
    ("ftp://x", r"not an http\(s\) URL"),
    ("dex.example.com", r"not an http\(s\) URL"),
    ("https://x/?a=b", "must not have a query"),
    # DNS names that merely start with "127." point wherever their owner wants (issue 12, item 5).
    ("http://127.evil.example/", "refusing the plain http issuer"),
    ("http://127.0.0.1.nip.io/", "refusing the plain http issuer"),
    ("http://localhost.evil.example/", "refusing the plain http issuer"),
    ("http://[::ffff:10.0.0.1]/", "refusing the plain http issuer"),
])
def test_issuers_refused(url, message):
    with pytest.raises(OidcError, match=message):
        check_issuer_url(url)


def test_a_discovery_endpoint_on_a_127_dns_name_is_refused():
    """The same loopback rule for every endpoint discovery returns (issue 12, item 5)."""
    from kubewallet.oidc.discovery import parse_discovery

    issuer = "http://127.0.0.1:5556"
    doc = {"issuer": issuer, "authorization_endpoint": f"{issuer}/auth",
           "token_endpoint": f"{issuer}/token", "jwks_uri": f"{issuer}/jwks"}
    assert parse_discovery(doc, issuer).token_endpoint == f"{issuer}/token"
    for name in ("token_endpoint", "authorization_endpoint", "jwks_uri"):
        for host in ("127.evil.example", "127.0.0.1.nip.io"):
            with pytest.raises(OidcError, match=f"the provider's {name} .* is not https"):
                parse_discovery(dict(doc, **{name: f"http://{host}/x"}), issuer)


def _planted(tmp_path, mode=0o700, owner=None):
    """A cache folder holding a token someone else put there (the key is computable from the
    public flags of a kubeconfig)."""
    folder = tmp_path / "planted"
    folder.mkdir(mode=mode)
    os.chmod(folder, mode)
    now = time.time()
    body = ('{"id_token":"planted.token.x","exp":%d,"iat":%d,"issuer":"https://idp","client_id":"k"}'
            % (now + 3600, now))
    (folder / "key1.json").write_text(body)
    if owner is not None:
        os.chown(folder / "key1.json", owner, owner)
        os.chown(folder, owner, owner)
    return folder


@pytest.mark.parametrize("mode, owner, why", [
    (0o700, 65534, "belongs to uid 65534, not to you"),   # another user's folder (we run as root here)
    (0o777, None, "is open to other users"),
    (0o755, None, "is open to other users"),
])
def test_a_planted_token_cache_folder_is_never_served(tmp_path, mode, owner, why):
    """Issue 12, item 8: only a folder of our own, 0700, not a symlink, is read."""
    from kubewallet.privatedir import private_dir_problem

    if owner is not None and os.getuid() != 0:
        pytest.fail("this test gives a folder to another uid: it runs as root in CI and here")
    folder = _planted(tmp_path, mode, owner)
    cache = TokenCache(folder)
    assert why in private_dir_problem(str(folder))
    assert cache.load("key1") is None
    if owner is not None:
        with pytest.raises(OidcError, match="refusing the token cache folder .* belongs to uid 65534"):
            cache.save("key1", CachedToken("mine.token.y", time.time() + 60, time.time()))
        assert "planted" in (folder / "key1.json").read_text()
    else:
        cache.save("key1", CachedToken("mine.token.y", time.time() + 60, time.time()))
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700, "our own loose folder is tightened"
        assert cache.load("key1").id_token == "mine.token.y"


def test_a_symlinked_cache_folder_and_a_planted_temp_symlink_are_refused(tmp_path):
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    (tmp_path / "link").symlink_to(real)
    cache = TokenCache(tmp_path / "link")
    with pytest.raises(OidcError, match="is a symbolic link"):
        cache.save("k", CachedToken("t.o.k", time.time() + 60, time.time()))
    # A symlink where the cache file would be read is not followed.
    target = tmp_path / "elsewhere.json"
    target.write_text('{"id_token":"planted.t.x","exp":%d}' % (time.time() + 3600))
    (real / "k.json").symlink_to(target)
    assert TokenCache(real).load("k") is None


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


def test_client_secret_references_are_keyed_on_the_whole_issuer_and_the_client():
    """Issue 12, item 3: two Keycloak realms on one host are two issuers, two references."""
    from kubewallet.oidc.store import client_secret_ref

    a = client_secret_ref("https://kc.example.com/realms/a", "kubernetes")
    b = client_secret_ref("https://kc.example.com/realms/b", "kubernetes")
    assert a == "oidc/kc.example.com/realms/a/kubernetes/client-secret"
    assert a != b
    assert client_secret_ref("https://kc.example.com/realms/a/", "kubernetes") == a
    assert client_secret_ref("https://kc.example.com:8443/realms/a", "kubernetes") != a
    assert client_secret_ref("https://kc.example.com/realms/a", "k/x") != \
        client_secret_ref("https://kc.example.com/realms/a/k", "x")


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=30), st.ip_addresses().map(str),
                 st.from_regex(r"127(\.[0-9a-z-]{1,6}){1,5}", fullmatch=True)))
def test_fuzz_loopback_is_an_ip_literal_or_exactly_localhost(host):
    import ipaddress

    from kubewallet.oidc.config import is_loopback_host

    try:
        literal = ipaddress.ip_address(host.strip("[]").lower()).is_loopback
    except ValueError:
        literal = False
    assert is_loopback_host(host) == (literal or host.lower() == "localhost")
