"""The loopback redirect listener: one valid callback, everything else turned away."""

from __future__ import annotations

import socket
import threading
import urllib.error
import urllib.request

import pytest

from kubewallet.errors import OidcError
from kubewallet.oidc.loopback import ListenerTls, RedirectListener, parse_listen_address
from tests.support.kubelogin_ports import hold, is_free, kubelogin_ports


def _get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


ANY_PORT = ("127.0.0.1:0",)


def test_kubelogins_defaults_port_8000_then_18000_and_redirect_to_localhost():
    """kubelogin's defaults: 127.0.0.1:8000, else :18000; redirect_uri http://localhost:PORT."""
    with kubelogin_ports() as first_free:
        if first_free is None:
            with pytest.raises(OidcError, match="127.0.0.1:8000 .* and 127.0.0.1:18000"):
                RedirectListener("st")
            return
        with RedirectListener("st") as listener:
            assert listener.port == first_free
            assert listener.redirect_uri == f"http://localhost:{first_free}"
            assert listener.path == "/"
            status, page = _get(f"http://127.0.0.1:{first_free}/?code=c&state=st")
            assert status == 200 and "You can close this tab" in page


def test_falls_back_to_18000_and_names_both_ports_and_the_flag_when_both_are_busy():
    with kubelogin_ports():
        held = [hold(8000)]
        try:
            if is_free(18000):
                with RedirectListener("st") as listener:
                    assert listener.redirect_uri == "http://localhost:18000"
            held.append(hold(18000))
            with pytest.raises(OidcError) as err:
                RedirectListener("st")
            assert "127.0.0.1:8000" in err.value.message and "127.0.0.1:18000" in err.value.message
            assert "--listen-address=127.0.0.1:0" in err.value.hint
        finally:
            for sock in held:
                if sock is not None:
                    sock.close()


def test_redirect_host_name_and_any_free_port():
    with RedirectListener("st", listen_addresses=ANY_PORT, redirect_hostname="127.0.0.1") as listener:
        assert listener.port not in (0, 8000, 18000)
        assert listener.redirect_uri == f"http://127.0.0.1:{listener.port}"


def test_tls_listener_and_the_page_to_open_after_the_sign_in(pki, tmp_path):
    """--local-server-cert/--local-server-key: https://localhost:PORT with that certificate;
    --open-url-after-authentication: the success page sends the browser on."""
    import ssl

    leaf = pki.issue("localhost", server=True, dns=("localhost",))
    cert, key, ca = tmp_path / "cert.pem", tmp_path / "key.pem", tmp_path / "ca.pem"
    cert.write_bytes(leaf.cert_pem)
    key.write_bytes(leaf.key_pem)
    ca.write_bytes(pki.cert_pem)
    with RedirectListener("st", listen_addresses=ANY_PORT, tls=ListenerTls(str(cert), str(key)),
                          success_url="https://example.com/done?a=1&b=2") as listener:
        assert listener.redirect_uri == f"https://localhost:{listener.port}"
        ctx = ssl.create_default_context(cafile=str(ca))
        with urllib.request.urlopen(listener.redirect_uri + "/?code=c&state=st", context=ctx,
                                    timeout=5) as resp:
            page = resp.read().decode()
        assert 'http-equiv="refresh" content="0;URL=https://example.com/done?a=1&amp;b=2"' in page
        assert listener.wait(1).code == "c"


def test_listens_on_loopback_and_says_close_this_tab():
    with RedirectListener("st", listen_addresses=ANY_PORT) as listener:
        assert listener.redirect_uri == f"http://localhost:{listener.port}"
        base = listener.redirect_uri + "/"
        assert _get(base + "favicon.ico")[0] == 404
        assert _get(base + "?code=c&state=wrong")[0] == 400
        status, page = _get(base + "?code=c&state=st")
        assert status == 200 and "You can close this tab" in page
        assert listener.wait(1).code == "c"
        assert listener.rejected == 1


def test_provider_error_and_mixed_up_issuer():
    with RedirectListener("st", issuer="https://idp", listen_addresses=ANY_PORT) as listener:
        _get(listener.redirect_uri + "/?error=access_denied&error_description=no&state=st")
        with pytest.raises(OidcError, match="the provider refused the login: access_denied"):
            listener.wait(1)
    with RedirectListener("st", issuer="https://idp", listen_addresses=ANY_PORT) as listener:
        _get(listener.redirect_uri + "/?code=c&state=st&iss=https%3A%2F%2Fevil")
        with pytest.raises(OidcError, match="came from 'https://evil'"):
            listener.wait(1)


def test_timeout_and_cancel():
    with RedirectListener("st", listen_addresses=ANY_PORT) as listener:
        with pytest.raises(OidcError, match="no sign-in arrived within 0 s"):
            listener.wait(0.2)
        cancel = threading.Event()
        cancel.set()
        with pytest.raises(OidcError, match="cancelled"):
            listener.wait(5, cancel)


def test_listen_addresses_are_tried_in_order():
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    taken = busy.getsockname()[1]
    free = socket.socket()
    free.bind(("127.0.0.1", 0))
    spare = free.getsockname()[1]
    free.close()
    try:
        with RedirectListener("st", listen_addresses=(f"127.0.0.1:{taken}", f"127.0.0.1:{spare}"),
                              redirect_url=f"http://localhost:{spare}/cb") as listener:
            assert listener.port == spare and listener.path == "/cb"
        with pytest.raises(OidcError, match="cannot listen for the login callback"):
            RedirectListener("st", listen_addresses=(f"127.0.0.1:{taken}",))
    finally:
        busy.close()
    with pytest.raises(OidcError, match="not HOST:PORT"):
        parse_listen_address("8000x")
