"""The plugin's answer from a stored value: ExecCredential shape, expiry, and the stale warning;
and its parsers (stored values, JWT exp, RFC 3339) never crash on garbage."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kubewallet.errors import ExecPluginError
from kubewallet.execplugin import serve
from kubewallet.execplugin.expiry import jwt_expiry, parse_rfc3339
from kubewallet.execplugin.protocol import API_V1, API_V1BETA1, ExecInfo
from tests.support.kubeconfigs import unsigned_jwt

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)
V1 = ExecInfo(API_V1, False, None)


def test_token_with_jwt_exp_gets_an_expiration_timestamp():
    token = unsigned_jwt({"exp": int((NOW + timedelta(hours=1)).timestamp())})
    cred = serve.credential(json.dumps({"token": token}), {}, V1, ref="r", now=NOW)
    assert cred["status"] == {"token": token, "expirationTimestamp": "2026-06-01T13:00:00Z"}


def test_certificate_pair_with_stored_not_after():
    value = json.dumps({"clientCertificateData": "CERT", "clientKeyData": "KEY"})
    cred = serve.credential(value, {"expires": "2027-01-01T00:00:00Z"}, ExecInfo(API_V1BETA1, False, None),
                            ref="r", now=NOW)
    assert cred["apiVersion"] == API_V1BETA1
    assert cred["status"] == {"clientCertificateData": "CERT", "clientKeyData": "KEY",
                              "expirationTimestamp": "2027-01-01T00:00:00Z"}


def test_expired_is_served_with_one_warning_and_no_stale_timestamp():
    lines = []
    cred = serve.credential(json.dumps({"token": "t"}), {"expires": "2026-05-31T09:00:00Z", "user": "ann",
                                                         "kind": "token"}, V1, ref="r", now=NOW,
                            warn=lines.append)
    assert cred["status"] == {"token": "t"}
    assert lines == ["kubewallet: the token of user 'ann' expired at 2026-05-31T09:00:00Z (1 day ago); "
                     "renew it with: kubewallet credential update ann --token-stdin"]


def test_a_value_with_no_credential_is_a_clear_error():
    with pytest.raises(ExecPluginError, match="holds no token"):
        serve.credential(json.dumps({"clientKeyData": "only a key"}), {}, V1, ref="users/x", now=NOW)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=200), st.builds(lambda d: json.dumps(d), st.dictionaries(
    st.sampled_from(["token", "clientCertificateData", "clientKeyData", "x"]),
    st.one_of(st.text(max_size=20), st.integers(), st.none(), st.lists(st.integers(), max_size=2))))),
    st.dictionaries(st.sampled_from(["expires", "user", "kind", "renew"]),
                    st.one_of(st.text(max_size=30), st.none()), max_size=4))
def test_stored_values_and_meta_never_crash_the_plugin(value, meta):
    try:
        cred = serve.credential(value, meta, V1, ref="r", now=NOW, warn=lambda line: None)
    except ExecPluginError:
        return
    assert cred["kind"] == "ExecCredential" and cred["status"]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=120))
def test_jwt_and_time_parsers_never_crash(text):
    assert jwt_expiry(text) is None or jwt_expiry(text).tzinfo is not None
    assert parse_rfc3339(text) is None or parse_rfc3339(text).tzinfo is not None
