"""The parsers `check` adds, fuzzed: a plugin's ExecCredential answer (anything a foreign
program prints), a cluster's server URL and proxy-url (anything a kubeconfig holds)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kubewallet.errors import ExecPluginError
from kubewallet.execplugin.run import parse_answer
from kubewallet.kubeconfig import LoadingRules, load_workspace
from kubewallet.probe.endpoint import endpoint, proxy_parts

V1 = "client.authentication.k8s.io/v1"
json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
                           max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=200), json_values.map(lambda v: json.dumps(v).encode()),
                 st.dictionaries(st.sampled_from(["kind", "apiVersion", "status"]), json_values)
                 .map(lambda d: json.dumps(d).encode())))
def test_any_plugin_output_is_a_credential_or_a_plain_error(stdout):
    try:
        answer = parse_answer(stdout, V1, "plug")
    except ExecPluginError as exc:
        assert "plug" in exc.message
        assert stdout.decode(errors="replace") not in exc.message or len(stdout) < 4
        return
    assert answer.token or (answer.cert_pem and answer.key_pem)


def test_a_valid_answer_and_the_checks_kubectl_makes():
    ok = {"kind": "ExecCredential", "apiVersion": V1, "status": {"token": "t"}}
    assert parse_answer(json.dumps(ok).encode(), V1, "p").token == "t"
    with pytest.raises(ExecPluginError, match="apiVersion"):
        parse_answer(json.dumps(dict(ok, apiVersion="client.authentication.k8s.io/v1beta1")).encode(), V1, "p")
    with pytest.raises(ExecPluginError, match="without its key"):
        parse_answer(json.dumps(dict(ok, status={"clientCertificateData": "c"})).encode(), V1, "p")


def _workspace(tmp_path, cluster: dict):
    from kubewallet.kubeconfig import run_edit

    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "config"
    path.write_text("apiVersion: v1\nkind: Config\n")
    rules = LoadingRules.from_env(str(path))
    run_edit(rules, lambda ws: ws.set_entry("clusters", "c", cluster))
    return load_workspace(rules)


@settings(max_examples=200, deadline=None)
@given(server=st.one_of(st.text(max_size=60), st.sampled_from(["https://[::1", "https://h:99999", "ftp://h",
                                                            "https://", "http://h:0", "https://[::1]:6443"])),
       proxy=st.one_of(st.text(max_size=40), st.sampled_from(["http://[x", "socks5://h:70000", "h:1"])))
def test_any_server_url_gives_an_endpoint_or_a_problem(tmp_path_factory, server, proxy):
    ws = _workspace(tmp_path_factory.mktemp("k"), {"server": server, "proxy-url": proxy})
    ep = endpoint(ws, "c")
    assert ep.problem or (ep.host and 0 < ep.port < 65536 and ep.scheme in ("https", "http"))
    scheme, host, port, _user, _password = proxy_parts(proxy)
    assert isinstance(host, str) and 0 <= port < 65536


def test_endpoint_reads_what_client_go_reads(tmp_path):
    ws = _workspace(tmp_path, {"server": "https://api.example:6443/k8s/", "tls-server-name": "kube.internal",
                               "proxy-url": "socks5://u:p%40ss@127.0.0.1:1080"})
    ep = endpoint(ws, "c")
    assert (ep.host, ep.port, ep.prefix, ep.server_name) == ("api.example", 6443, "/k8s", "kube.internal")
    assert proxy_parts(ep.proxy) == ("socks5", "127.0.0.1", 1080, "u", "p@ss")
    assert endpoint(_workspace(tmp_path / "b", {"server": "https://h"}), "c").port == 443
    assert "does not exist" in endpoint(ws, "nope").problem


@settings(max_examples=300, deadline=None)
@given(reply=st.one_of(st.binary(max_size=120),
                       st.builds(lambda code, rest: f"HTTP/1.1 {code} x\r\n".encode() + rest + b"\r\n\r\n",
                                 st.integers(100, 599), st.binary(max_size=40)),
                       st.builds(lambda a, b, c: bytes([5, a, 1, b, 5, c, 0]) + bytes(12),
                                 st.sampled_from([0, 2, 255]), st.integers(0, 1), st.integers(0, 4))),
       scheme=st.sampled_from(["http", "socks5"]), login=st.booleans())
def test_any_proxy_reply_is_a_tunnel_or_a_connect_failure(reply, scheme, login):
    """Whatever a proxy answers (then hanging up), the connect stage ends in a plain failure or a
    tunnel, never another exception."""
    import socket

    from kubewallet.probe import transport as tp
    from kubewallet.probe.endpoint import Endpoint

    ours, theirs = socket.socketpair()
    theirs.sendall(reply)
    theirs.shutdown(socket.SHUT_WR)
    ep = Endpoint("https://127.0.0.1:6443", "https", "127.0.0.1", 6443, "", "127.0.0.1", None, "", False, "")
    step = tp._http_connect if scheme == "http" else tp._socks5
    try:
        step(ours, ep, "u" if login else "", "p", tp.Budget.of(1.0), "proxy 127.0.0.1:1")
    except tp.ProbeFailure as failure:
        assert failure.stage == "connect"
    finally:
        ours.close()
        theirs.close()
