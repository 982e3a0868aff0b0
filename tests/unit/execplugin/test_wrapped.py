"""The rules of a wrapped foreign plugin: how long an answer is kept, what identifies it, what
client-go would accept from the original, what it would give the original, and the 401 retry."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kubewallet.execplugin import clientgo, wrapped
from kubewallet.execplugin.retry import second_call

V1 = "client.authentication.k8s.io/v1"
V1BETA1 = "client.authentication.k8s.io/v1beta1"
NOW = datetime(2026, 12, 5, 12, 0, tzinfo=timezone.utc)


T0 = NOW.timestamp()


def test_an_eks_token_is_kept_until_a_minute_before_it_expires():
    assert wrapped.cache_until(NOW + timedelta(minutes=14), T0) == T0 + 13 * 60


def test_a_short_lived_answer_is_kept_until_a_tenth_of_its_life_before_expiry():
    assert wrapped.cache_until(NOW + timedelta(seconds=100), T0) == T0 + 90


def test_no_expiry_or_an_expired_answer_is_not_kept():
    assert wrapped.cache_until(None, T0) is None
    assert wrapped.cache_until(NOW - timedelta(seconds=1), T0) is None


def test_the_key_names_the_cluster_only_when_the_plugin_asks_for_it():
    block = {"command": "aws", "args": ["eks", "get-token"], "provideClusterInfo": False}
    a, b = {"server": "https://a"}, {"server": "https://b"}
    assert wrapped.cache_key("u", block, a) == wrapped.cache_key("u", block, b)
    asking = dict(block, provideClusterInfo=True)
    assert wrapped.cache_key("u", asking, a) != wrapped.cache_key("u", asking, b)
    assert wrapped.cache_key("u", block, a) != wrapped.cache_key("v", block, a)
    assert wrapped.cache_key("u", block, a) != wrapped.cache_key("u", dict(block, args=["x"]), a)


def test_the_original_gets_client_gos_exec_info_and_its_env_entries_over_ours():
    block = {"apiVersion": V1BETA1, "provideClusterInfo": True,
             "env": [{"name": "AWS_PROFILE", "value": "prod"}, {"name": "AWS_PROFILE", "value": "dev"}]}
    info = clientgo.exec_info_for(block, interactive=True, cluster={"server": "https://k"})
    assert json.loads(info) == {"kind": "ExecCredential", "apiVersion": V1BETA1,
                                "spec": {"interactive": True, "cluster": {"server": "https://k"}}}
    env = clientgo.environment(block, info, base={"AWS_PROFILE": "mine", "HOME": "/h"})
    assert env == {"AWS_PROFILE": "dev", "HOME": "/h", "KUBERNETES_EXEC_INFO": info}
    no_cluster = clientgo.exec_info_for(dict(block, provideClusterInfo=False), interactive=False,
                                       cluster={"server": "https://k"})
    assert "cluster" not in json.loads(no_cluster)["spec"]


def test_a_relative_command_with_a_slash_is_resolved_against_the_kubeconfig_folder():
    assert clientgo.command_line({"command": "./bin/auth", "args": ["a"]}, "/etc/kube") == \
        ["/etc/kube/bin/auth", "a"]
    assert clientgo.command_line({"command": "aws"}, "/etc/kube") == ["aws"]


def answer_of(status: dict, api_version: str = V1) -> bytes:
    return json.dumps({"kind": "ExecCredential", "apiVersion": api_version, "status": status}).encode()


@pytest.mark.parametrize("stdout, words", [
    (b"nope", "not JSON"),
    (json.dumps({"kind": "Pod"}).encode(), "did not print an ExecCredential"),
    (answer_of({"token": "t"}, V1BETA1), "answered apiVersion"),
    (json.dumps({"kind": "ExecCredential", "apiVersion": V1}).encode(), "no status field"),
    (answer_of({}), "neither a token nor a client certificate"),
    (answer_of({"clientCertificateData": "C"}), "without its key"),
    (answer_of({"token": "t", "expirationTimestamp": "soon"}), "RFC 3339"),
])
def test_what_client_go_would_refuse_is_refused_with_its_reason(stdout, words):
    with pytest.raises(clientgo.MalformedCredential, match=words):
        clientgo.validate(stdout, V1)


def test_a_good_answer_is_served_in_the_apiversion_kubectl_asked_for():
    status = clientgo.validate(answer_of({"token": "t", "expirationTimestamp": "2026-12-05T12:14:00Z"},
                                        V1BETA1), V1BETA1)
    assert wrapped.expires_at(status) == NOW + timedelta(minutes=14)
    assert json.loads(wrapped.answer(status, V1)) == {"kind": "ExecCredential", "apiVersion": V1,
                                                      "spec": {}, "status": status}


@given(st.binary(max_size=300))
def test_validate_never_fails_other_than_with_its_own_error(data):
    try:
        status = clientgo.validate(data, V1)
    except clientgo.MalformedCredential:
        return
    assert status.get("token") or status.get("clientKeyData")


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                                 max_size=3)))
def test_validate_on_any_json_status(status):
    try:
        clientgo.validate(answer_of(status), V1)
    except clientgo.MalformedCredential:
        pass


def test_a_missing_command_fails_like_client_go_with_the_install_hint(capfd):
    code, out = wrapped.run_original({"command": "/nonexistent/aws", "installHint": "install aws"},
                                     "/", interactive=False, cluster=None)
    assert (code, out) == (127, b"")
    assert "install aws" in capfd.readouterr().err


def test_the_original_runs_with_its_exit_status_and_no_stdin_when_not_interactive(tmp_path):
    script = "import sys; print(repr(sys.stdin.read())); sys.exit(4)"
    code, out = wrapped.run_original({"command": sys.executable, "args": ["-c", script]}, str(tmp_path),
                                     interactive=False, cluster=None)
    assert code == 4 and out.strip() == b"''"


def test_a_second_call_from_the_same_parent_within_seconds_is_a_retry(tmp_path):
    folder = str(tmp_path)
    assert not second_call("plugins/a", folder, ppid=10, now=100.0)
    assert second_call("plugins/a", folder, ppid=10, now=102.0)
    assert not second_call("plugins/a", folder, ppid=11, now=103.0)  # another kubectl
    assert not second_call("plugins/b", folder, ppid=11, now=103.5)  # another user
    assert not second_call("plugins/a", folder, ppid=11, now=120.0)  # long after


@given(st.binary(max_size=80))
def test_any_retry_note_is_read_without_failing(tmp_path_factory, note):
    from kubewallet.execplugin import retry

    folder = str(tmp_path_factory.mktemp("notes"))
    with open(retry._note_path(folder, "plugins/a"), "wb") as fh:
        fh.write(note)
    assert second_call("plugins/a", folder, ppid=7, now=1000.0) in (True, False)
    assert second_call("plugins/a", folder, ppid=7, now=1001.0) is True


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=12),
                           lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=10)


@given(json_values, json_values)
def test_the_cluster_kubectl_names_is_read_from_anything_without_failing(cluster, recorded):
    from kubewallet.execplugin.binding import from_exec_info, refusal

    ident = from_exec_info(cluster)
    assert ident is None or set(ident) == {"server", "ca"}
    words = refusal({"clusters": recorded if isinstance(recorded, list) else []}, cluster,
                    ref="users/a", user="a")
    assert words is None or "refusing" in words


def test_a_secret_goes_only_to_the_server_and_ca_it_was_secured_for():
    import base64

    from kubewallet.execplugin.binding import from_exec_info, refusal

    ca, other_ca = base64.b64encode(b"CA one").decode(), base64.b64encode(b"CA two").decode()
    ours = {"server": "https://k.example", "certificate-authority-data": ca}
    meta = {"user": "admin", "clusters": [from_exec_info(ours)]}
    assert refusal(meta, ours, ref="users/admin", user="admin") is None
    same_server_other_ca = dict(ours, **{"certificate-authority-data": other_ca})
    assert "refusing to send 'users/admin'" in refusal(meta, same_server_other_ca, ref="users/admin",
                                                       user="admin")
    assert "provideClusterInfo" in refusal(meta, None, ref="users/admin", user="admin")
    assert refusal({"user": "admin"}, None, ref="users/admin", user="admin") is None  # stored before
