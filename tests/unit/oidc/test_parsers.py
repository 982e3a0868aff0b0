"""What the provider, the browser and the person hand us, fuzzed: a discovery document, a
pasted code or URL, a token cache file. Bad input is a clear OidcError, never a crash; and the
cached-token path of `get-token` imports nothing heavy."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kubewallet.errors import OidcError
from kubewallet.oidc.authcode import code_from_pasted
from kubewallet.oidc.config import ProviderConfig
from kubewallet.oidc.discovery import parse_discovery
from kubewallet.oidc.tokencache import CachedToken, TokenCache

ISSUER = "https://idp.example.com"
GOOD = {"issuer": ISSUER, "authorization_endpoint": f"{ISSUER}/auth",
        "token_endpoint": f"{ISSUER}/token", "jwks_uri": f"{ISSUER}/jwks",
        "code_challenge_methods_supported": ["S256"]}

json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=30),
                           lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=10), inner, max_size=3), max_leaves=8)


def test_a_good_document_and_the_mix_up_rule():
    assert parse_discovery(GOOD, ISSUER).token_endpoint == f"{ISSUER}/token"
    with pytest.raises(OidcError, match="names the issuer 'https://evil.example', not"):
        parse_discovery(dict(GOOD, issuer="https://evil.example"), ISSUER)
    with pytest.raises(OidcError, match="token_endpoint 'http://idp.example.com/token' is not https"):
        parse_discovery(dict(GOOD, token_endpoint="http://idp.example.com/token"), ISSUER)
    with pytest.raises(OidcError, match="has no jwks_uri"):
        parse_discovery({k: v for k, v in GOOD.items() if k != "jwks_uri"}, ISSUER)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(sorted(GOOD) + ["device_authorization_endpoint",
                                                       "revocation_endpoint"]),
                       json_values | st.sampled_from([ISSUER, f"{ISSUER}/x", "http://[", "x"]),
                       max_size=7))
def test_fuzz_discovery_documents(doc):
    try:
        parse_discovery(dict(GOOD, **doc), ISSUER)
    except OidcError as exc:
        assert exc.message


def test_pasted_code_or_url():
    assert code_from_pasted("  abc123\n", "st") == "abc123"
    assert code_from_pasted("http://127.0.0.1:9/cb?code=xyz&state=st", "st") == "xyz"
    with pytest.raises(OidcError, match="state mismatch"):
        code_from_pasted("http://127.0.0.1:9/cb?code=xyz&state=other", "st")
    with pytest.raises(OidcError, match="no authorization code"):
        code_from_pasted("   ", "st")


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=80))
def test_fuzz_pasted_text(text):
    try:
        assert isinstance(code_from_pasted(text, "st"), str)
    except OidcError as exc:
        assert exc.message


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200) | json_values.map(lambda v: json.dumps(v).encode()))
def test_fuzz_cache_files(tmp_path_factory, content):
    cache = TokenCache(tmp_path_factory.mktemp("c"))
    cache.save("k", CachedToken("a.b.c", 1.0, 0.0))
    with open(cache.path("k"), "wb") as fh:
        fh.write(content)
    token = cache.load("k")
    assert token is None or isinstance(token, CachedToken)


def test_the_cached_path_imports_only_the_standard_library(tmp_path):
    """RECIPES/DESIGN: the path that serves a cached credential runs on every kubectl call."""
    config = ProviderConfig("https://idp.example.com", "kubernetes")
    now = time.time()
    TokenCache(tmp_path).save(config.cache_key(), CachedToken("a.b.c", now + 3600, now))
    probe = (
        "import sys\n"
        "from kubewallet.cli.main import main\n"
        f"rc = main(['oidc-login', 'get-token', '--oidc-issuer-url=https://idp.example.com',"
        f" '--oidc-client-id=kubernetes', '--token-cache-dir={tmp_path}'])\n"
        "print('MODULES', ' '.join(sorted(sys.modules)), file=sys.stderr)\n"
        "sys.exit(rc)\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["status"]["token"] == "a.b.c"
    modules = set(out.stderr.split("MODULES ", 1)[1].split())
    heavy = {m for m in modules if m.split(".")[0] in {
        "jwt", "authlib", "cryptography", "yaml", "keyring", "PySide6", "ssl", "http", "argparse",
        "secretstorage", "jeepney", "json", "re", "enum"} or m in ("urllib.request", "hashlib", "pathlib", "dataclasses",
                                             "datetime", "typing", "inspect")}
    assert heavy == set()
    ours = {m for m in modules if m.startswith("kubewallet.")}
    assert ours <= {"kubewallet.cli", "kubewallet.cli.main", "kubewallet.cli.oidc_login",
                    "kubewallet.errors", "kubewallet.oidc", "kubewallet.oidc.flags",
                    "kubewallet.oidc.tokencache", "kubewallet.oidc.fastjson", "kubewallet.privatedir"}


@pytest.mark.parametrize("exec_info", [
    None,
    '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":false}}',
    '{"apiVersion":"client.authentication.k8s.io/v1beta1","spec":{}}',
    '{"kind":"ExecCredential"}',
])
@pytest.mark.parametrize("expiry", [1795428671.0, 1795428671.999, 4102444800.5])
def test_the_cached_answer_is_byte_for_byte_the_protocol_modules(exec_info, expiry, capsys):
    """The cached path writes the ExecCredential without importing execplugin.protocol; it must
    write exactly what that module writes."""
    import datetime as dt
    import io

    from kubewallet.execplugin.protocol import (SUPPORTED, exec_credential, read_exec_info,
                                                write_exec_credential)
    from kubewallet.oidc import tokencache

    assert tokencache._SUPPORTED == SUPPORTED
    env = {} if exec_info is None else {"KUBERNETES_EXEC_INFO": exec_info}
    token = CachedToken("h.p.s", expiry, expiry - 3600)
    out = io.StringIO()
    info = read_exec_info(env)
    write_exec_credential(exec_credential(info.api_version, token=token.id_token,
                                          expiration=dt.datetime.fromtimestamp(expiry, dt.timezone.utc)), out)
    assert tokencache.fast_exec_credential(token, env) == out.getvalue()


@pytest.mark.parametrize("exec_info", ["not json", "[]", '{"apiVersion":"v0"}', '{"spec":[1]}'])
def test_unusual_exec_info_is_left_to_the_protocol_module(exec_info):
    from kubewallet.oidc.tokencache import fast_exec_credential

    assert fast_exec_credential(CachedToken("t", 1.0, 0.0), {"KUBERNETES_EXEC_INFO": exec_info}) is None


json_docs = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-2**70, max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12)


@settings(max_examples=200, deadline=None)
@given(json_docs)
def test_fastjson_agrees_with_the_json_module(value):
    from kubewallet.oidc import fastjson

    text = json.dumps(value, separators=(",", ":"))
    assert fastjson.dumps(value) == text
    assert fastjson.loads(" " + json.dumps(value, indent=1) + "\n") == value


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_fastjson_refuses_what_json_refuses(text):
    from kubewallet.oidc import fastjson

    try:
        expected = json.loads(text)
    except ValueError:
        with pytest.raises(ValueError):
            fastjson.loads(text)
        return
    if expected == expected:   # NaN is never equal to itself
        assert fastjson.loads(text) == expected
