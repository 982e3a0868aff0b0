"""The loopback redirect listener: one valid callback, everything else turned away."""

from __future__ import annotations

import socket
import threading
import urllib.error
import urllib.request

import pytest

from kubewallet.errors import OidcError
from kubewallet.oidc.loopback import RedirectListener, parse_listen_address


def _get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_listens_on_loopback_on_a_random_port_and_says_close_this_tab():
    with RedirectListener("st") as listener:
        assert listener.redirect_uri == f"http://127.0.0.1:{listener.port}/"
        assert _get(listener.redirect_uri + "favicon.ico")[0] == 404
        assert _get(listener.redirect_uri + "?code=c&state=wrong")[0] == 400
        status, page = _get(listener.redirect_uri + "?code=c&state=st")
        assert status == 200 and "You can close this tab" in page
        assert listener.wait(1).code == "c"
        assert listener.rejected == 1


def test_provider_error_and_mixed_up_issuer():
    with RedirectListener("st", issuer="https://idp") as listener:
        _get(listener.redirect_uri + "?error=access_denied&error_description=no&state=st")
        with pytest.raises(OidcError, match="the provider refused the login: access_denied"):
            listener.wait(1)
    with RedirectListener("st", issuer="https://idp") as listener:
        _get(listener.redirect_uri + "?code=c&state=st&iss=https%3A%2F%2Fevil")
        with pytest.raises(OidcError, match="came from 'https://evil'"):
            listener.wait(1)


def test_timeout_and_cancel():
    with RedirectListener("st") as listener:
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
