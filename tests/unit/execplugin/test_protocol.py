"""The ExecCredential exchange, as client-go reads it."""

import io
import json
from datetime import datetime, timedelta, timezone

import pytest

from kubewallet.execplugin.protocol import (API_V1, API_V1BETA1, exec_credential, read_exec_info,
                                            write_exec_credential)


@pytest.mark.parametrize("version", [API_V1, API_V1BETA1])
def test_the_answer_has_the_apiversion_kubectl_asked_for(version):
    info = read_exec_info({"KUBERNETES_EXEC_INFO": json.dumps(
        {"kind": "ExecCredential", "apiVersion": version, "spec": {"interactive": True}})})
    assert info.api_version == version and info.interactive
    out = io.StringIO()
    write_exec_credential(exec_credential(info.api_version, token="t0k"), out)
    doc = json.loads(out.getvalue())
    assert doc["apiVersion"] == version and doc["status"]["token"] == "t0k"
    assert out.getvalue().count("\n") == 1


def test_expiry_is_rfc3339_utc():
    when = datetime(2030, 1, 2, 3, 4, 5, 678, tzinfo=timezone(timedelta(hours=2)))
    cred = exec_credential(API_V1, token="x", expiration=when)
    assert cred["status"]["expirationTimestamp"] == "2030-01-02T01:04:05Z"


def test_missing_interactive_means_not_interactive():
    info = read_exec_info({"KUBERNETES_EXEC_INFO": json.dumps({"apiVersion": API_V1BETA1, "spec": {}})})
    assert info.interactive is False


@pytest.mark.parametrize("raw, words", [
    ("{not json", "not JSON"),
    ("[]", "not a JSON object"),
    (json.dumps({"apiVersion": "client.authentication.k8s.io/v1alpha1"}), "unsupported"),
])
def test_a_malformed_exec_info_gets_a_plain_error(raw, words):
    with pytest.raises(ValueError, match=words):
        read_exec_info({"KUBERNETES_EXEC_INFO": raw})


def test_a_credential_needs_a_token_or_a_certificate_and_key():
    with pytest.raises(ValueError):
        exec_credential(API_V1, client_certificate_data="cert only")
