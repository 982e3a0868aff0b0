"""The credential model: which credential kubectl sends for a user entry (client-go's precedence),
and the one registry of secret fields with its redaction."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kubewallet.credentials.fields import CREDENTIAL_FIELDS, plaintext_fields, redact_diff
from kubewallet.credentials.model import AUTH_PROVIDER, BASIC, CERT, EXEC, NONE, TOKEN, sent
from kubewallet.credentials.secure import securable

EXEC_ENTRY = {"command": "aws", "args": ["eks", "get-token"]}
OIDC = {"name": "oidc", "config": {"id-token": "idt"}}


@pytest.mark.parametrize("body, kind, bearer, certificate, refused", [
    ({"token": "t"}, TOKEN, "token", None, False),
    ({"tokenFile": "/f"}, TOKEN, "tokenFile", None, False),
    ({"token": "t", "tokenFile": "/f"}, TOKEN, "tokenFile", None, False),       # the file wins
    ({"client-certificate-data": "c", "client-key-data": "k"}, CERT, None, "client-certificate-data", False),
    ({"client-certificate": "/c", "client-key": "/k"}, CERT, None, "client-certificate", False),
    ({"client-certificate": "/c", "client-certificate-data": "c", "client-key-data": "k"}, NONE, None, None, True),
    ({"client-certificate-data": "c", "client-key": "/k", "client-key-data": "k"}, NONE, None, None, True),
    ({"client-certificate-data": "c"}, NONE, None, None, True),                  # a certificate without key
    ({"client-certificate-data": "c", "client-key-data": "k", "token": "t"}, CERT, "token",
     "client-certificate-data", False),                                          # both sent; x509 first
    ({"token": "t", "username": "u", "password": "p"}, NONE, None, None, True),  # two methods
    ({"username": "u", "password": "p"}, BASIC, None, None, False),
    ({"token": "t", "exec": EXEC_ENTRY}, TOKEN, "token", None, False),           # static beats exec
    ({"client-certificate-data": "c", "client-key-data": "k", "exec": EXEC_ENTRY}, CERT, None,
     "client-certificate-data", False),
    ({"exec": EXEC_ENTRY}, EXEC, EXEC, None, False),
    ({"token": "t", "auth-provider": OIDC}, TOKEN, "token", None, False),        # static beats auth-provider
    ({"auth-provider": OIDC}, AUTH_PROVIDER, AUTH_PROVIDER, None, False),
    ({"auth-provider": OIDC, "exec": EXEC_ENTRY}, NONE, None, None, True),
    ({}, NONE, None, None, False),
])
def test_sent_follows_client_go_precedence(body, kind, bearer, certificate, refused):
    what = sent(body, "u")
    assert (what.kind, what.bearer, what.certificate, bool(what.refused)) == (kind, bearer, certificate, refused)


def test_token_beside_token_file_is_only_the_fallback():
    assert sent({"token": "t", "tokenFile": "/f"}).fallback_token
    assert not sent({"tokenFile": "/f"}).fallback_token


@pytest.mark.parametrize("body, expected", [
    ({"token": "t"}, True),
    ({"token": "t", "tokenFile": "/f"}, False),     # the file's token is sent: needs --include-files
    ({"client-certificate-data": "c", "client-key": "/k"}, False),
    ({"client-certificate": "/c", "client-key-data": "k"}, True),
    ({"client-certificate": "/c", "client-certificate-data": "c", "client-key-data": "k"}, False),
    ({"auth-provider": OIDC}, True),
    ({"auth-provider": {"name": "oidc", "config": {}}}, False),
    ({"token": "t", "exec": EXEC_ENTRY}, True),      # the plugin never runs: the token is sent
    ({"exec": EXEC_ENTRY}, False),
    ({"username": "u", "password": "p"}, False),
])
def test_securable_without_include_files(body, expected):
    assert securable(body) is expected


def test_plaintext_fields_names_every_inline_secret():
    body = {"token": "t", "client-key-data": "k", "password": "p",
            "auth-provider": {"name": "oidc", "config": {"id-token": "i", "refresh-token": "r", "client-id": "c"}}}
    assert plaintext_fields(body) == ["token", "password", "client-key-data",
                                      "auth-provider id-token", "auth-provider refresh-token"]
    assert plaintext_fields({"tokenFile": "/f", "client-certificate-data": "c"}) == []


def test_redact_diff_hides_every_secret_and_shortens_certificate_data():
    diff = ("-    token: abc\n+    token: def\n     server: https://x\n+    client-key-data: S0VZ\n"
            "+      refresh-token: r1\n+    username: bob\n+    client-certificate-data: Q0VSVA==\n")
    out = redact_diff(diff)
    for secret in ("abc", "def", "S0VZ", "r1", "Q0VSVA=="):
        assert secret not in out
    assert "server: https://x" in out and "username: bob" in out
    assert "+    client-certificate-data: DATA+OMITTED\n" in out and "-    token: REDACTED\n" in out


@given(st.dictionaries(st.sampled_from(CREDENTIAL_FIELDS + ("exec", "as")),
                       st.one_of(st.text(max_size=5), st.none(), st.integers(), st.just({"config": {}})),
                       max_size=6))
def test_sent_never_fails_and_refused_entries_send_nothing(body):
    what = sent(body, "u")
    if what.refused:
        assert (what.certificate, what.bearer, what.basic) == (None, None, False)


@given(st.text(max_size=200))
def test_redact_diff_keeps_the_line_structure(text):
    assert redact_diff(text).count("\n") == text.count("\n")


def test_lint_and_the_credentials_page_count_the_same_plaintext_users(tmp_path):
    import yaml

    from kubewallet.credentials.fields import plaintext_users
    from kubewallet.credentials.inventory import INLINE, describe
    from kubewallet.inspect.lint import check_plaintext
    from kubewallet.kubeconfig import LoadingRules, load_workspace

    users = {"tok": {"token": "t"}, "both": {"token": "t", "tokenFile": "/f"},
             "file": {"tokenFile": "/f"}, "static+exec": {"token": "t", "exec": EXEC_ENTRY},
             "oidc": {"auth-provider": OIDC}, "refused": {"token": "t", "password": "p"},
             "cert": {"client-certificate": "/c", "client-key": "/k"}, "plugin": {"exec": EXEC_ENTRY}}
    path = tmp_path / "config"
    path.write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "Config",
                                    "users": [{"name": n, "user": b} for n, b in users.items()]}))
    ws = load_workspace(LoadingRules.from_env(str(path)))
    page = {row.user for row in describe(ws) if row.location == INLINE}
    lint = {f.subject.split("/", 1)[1] for f in check_plaintext(ws)}
    assert page == lint == set(plaintext_users(ws)) == {"tok", "both", "static+exec", "oidc", "refused"}
