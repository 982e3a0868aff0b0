"""The loopback redirect listener of the authorization code flow (RFC 8252 §7.3).

kubelogin's defaults, to the letter (int128/kubelogin `pkg/cmd/cmd.go` defaultListenAddress, and
its usage guide): listen on 127.0.0.1:8000, else 127.0.0.1:18000 (`--listen-address` replaces the
list; the addresses are tried in order, `127.0.0.1:0` takes any free port), and send
`redirect_uri=http://localhost:PORT` (oauth2cli's form; the host from
`--oidc-redirect-url-hostname`, `https` with `--local-server-cert`), unless `--oidc-redirect-url`
gives the whole URL. Those are the redirect URLs kubelogin's setup guide has people register with
their provider, so a kubelogin kubeconfig works by changing only its `command`. It waits for the
provider's redirect, and accepts exactly one
callback: the one carrying the `state` of the login it belongs to (RFC 6749 §10.12, CSRF). A
request with another state — a forged or stale redirect — gets an error page and the listener
keeps waiting; after the one good callback every further request is turned away, so a code can
never be delivered twice. The browser gets a small "you can close this tab" page.
"""

from __future__ import annotations

import html
import queue
import ssl
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlsplit

from kubewallet.errors import OidcError

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;margin:15vh auto;max-width:34em;text-align:center;color:#222}}
h1{{font-weight:400}}</style></head><body><h1>{title}</h1><p>{text}</p></body></html>"""


REDIRECT_PAGE = """<!doctype html><html><head><meta charset="utf-8">
<meta http-equiv="refresh" content="0;URL={url}"><title>Signed in</title></head>
<body><a href="{url}">redirecting...</a></body></html>"""

DEFAULT_LISTEN_ADDRESSES = ("127.0.0.1:8000", "127.0.0.1:18000")   # kubelogin's, in its order
DEFAULT_REDIRECT_HOSTNAME = "localhost"


@dataclass(frozen=True)
class Callback:
    code: str


@dataclass(frozen=True)
class ListenerTls:
    """`--local-server-cert` / `--local-server-key`: serve the callback over https."""

    cert_file: str
    key_file: str


def parse_listen_address(addr: str) -> tuple[str, int]:
    host, sep, port = addr.rpartition(":")
    if not sep or not port.isdigit():
        raise OidcError(f"--listen-address {addr!r} is not HOST:PORT (for example 127.0.0.1:8000)")
    return host.strip("[]") or "127.0.0.1", int(port)


def parse_response(uri: str, state: str) -> Callback:
    """An authorization response (RFC 6749 §4.1.2) with our `state`, through Authlib's parser;
    OidcError for a foreign state or a response without a code."""
    from authlib.oauth2.rfc6749.errors import MismatchingStateException, MissingCodeException
    from authlib.oauth2.rfc6749.parameters import parse_authorization_code_response

    try:
        return Callback(parse_authorization_code_response(uri, state)["code"])
    except MismatchingStateException:
        raise OidcError("the sign-in response does not belong to this login (state mismatch)") from None
    except MissingCodeException:
        raise OidcError("the sign-in response carries no code") from None


def _cannot_listen(busy: list[tuple[str, str]], defaults: bool) -> OidcError:
    """Name every address tried and the flag that changes them."""
    tried = " and ".join(f"{addr} ({why})" for addr, why in busy)
    if defaults:
        return OidcError(
            f"cannot listen for the login callback: {tried}; these are kubelogin's default "
            "ports, the redirect URLs http://localhost:8000 and http://localhost:18000 "
            "registered with your provider",
            hint="close what uses them, or pass --listen-address=127.0.0.1:PORT with a port your "
                 "provider's redirect URLs allow (--listen-address=127.0.0.1:0 takes any free port)")
    return OidcError(f"cannot listen for the login callback on {tried}",
                     hint="free the port or pass another --listen-address")


def _tls_context(tls: ListenerTls) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        ctx.load_cert_chain(tls.cert_file, tls.key_file)
    except (OSError, ssl.SSLError) as exc:
        raise OidcError(f"cannot load --local-server-cert {tls.cert_file} / --local-server-key "
                        f"{tls.key_file}: {getattr(exc, 'strerror', None) or exc}") from None
    return ctx


class RedirectListener:
    """Bind at construction (so the redirect URI is known before the browser opens)."""

    def __init__(self, state: str, *, listen_addresses: tuple[str, ...] = (),
                 redirect_url: str | None = None, redirect_hostname: str | None = None,
                 tls: ListenerTls | None = None, success_url: str | None = None,
                 issuer: str | None = None) -> None:
        self.state = state
        self.issuer = issuer
        self.success_url = success_url
        self.rejected = 0
        self._results: queue.Queue = queue.Queue()
        self._done = threading.Event()
        addresses = tuple(listen_addresses) or DEFAULT_LISTEN_ADDRESSES
        candidates = [parse_listen_address(a) for a in addresses]
        handler = self._handler_class()
        busy = []
        self._server = None
        for host, port in candidates:
            try:
                self._server = HTTPServer((host, port), handler)
                break
            except OSError as exc:
                busy.append((f"{host}:{port}", exc.strerror or str(exc)))
        if self._server is None:
            raise _cannot_listen(busy, defaults=not listen_addresses)
        if tls is not None:
            self._server.socket = _tls_context(tls).wrap_socket(self._server.socket, server_side=True)
        host, port = self._server.server_address[:2]
        self.port = port
        if redirect_url:
            self.redirect_uri = redirect_url
        else:
            scheme = "https" if tls is not None else "http"
            self.redirect_uri = f"{scheme}://{redirect_hostname or DEFAULT_REDIRECT_HOSTNAME}:{port}"
        self.path = urlsplit(self.redirect_uri).path or "/"
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.1}, daemon=True)
        self._thread.start()

    def _handler_class(self):
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):   # the browser's requests are not the user's business
                pass

            def _page(self, status: int, title: str, text: str) -> None:
                body = PAGE.format(title=html.escape(title), text=html.escape(text)).encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):   # noqa: N802 (http.server's naming)
                url = urlsplit(self.path)
                if (url.path or "/") != listener.path:
                    self._page(404, "Not found", "This is kubewallet's login listener.")
                    return
                if listener._done.is_set():
                    self._page(410, "Already used",
                               "This login has already finished. You can close this tab.")
                    return
                params = {k: v[0] for k, v in parse_qs(url.query).items()}
                if params.get("state") != listener.state:
                    listener.rejected += 1
                    self._page(400, "Sign-in not accepted",
                               "This sign-in response does not belong to the login kubewallet is "
                               "waiting for (state mismatch). Start the login again from kubectl.")
                    return
                if listener.issuer and "iss" in params and params["iss"] != listener.issuer:
                    # RFC 9207: the response names the issuer that produced it (mix-up defence).
                    listener._finish(OidcError(
                        f"the login response came from {params['iss']!r}, not {listener.issuer!r}"))
                    self._page(400, "Sign-in not accepted", "The response came from another provider.")
                    return
                if "error" in params:
                    desc = params.get("error_description", "")
                    listener._finish(OidcError(
                        f"the provider refused the login: {params['error']}"
                        + (f" ({desc})" if desc else "")))
                    self._page(200, "Sign-in failed",
                               f"The provider said: {params['error']}. You can close this tab.")
                    return
                try:
                    callback = parse_response(self.path, listener.state)
                except OidcError:
                    listener.rejected += 1
                    self._page(400, "Sign-in not accepted", "The response carries no code.")
                    return
                listener._finish(callback)
                if listener.success_url:
                    # --open-url-after-authentication: kubelogin's success page sends the
                    # browser on to that URL (BrowserRedirectHTML).
                    body = REDIRECT_PAGE.format(url=html.escape(listener.success_url)).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                self._page(200, "Signed in",
                           "kubewallet received your sign-in. You can close this tab and return "
                           "to the terminal.")

        return Handler

    def _finish(self, result) -> None:
        if not self._done.is_set():
            self._done.set()
            self._results.put(result)

    def wait(self, timeout: float, cancel: threading.Event | None = None) -> Callback:
        """The one valid callback; OidcError on timeout, cancel, or a provider error."""
        step = 0.1
        waited = 0.0
        while True:
            try:
                result = self._results.get(timeout=step)
                break
            except queue.Empty:
                waited += step
                if cancel is not None and cancel.is_set():
                    raise OidcError("the login was cancelled")
                if waited >= timeout:
                    raise OidcError(f"no sign-in arrived within {timeout:.0f} s",
                                    hint="open the printed URL in a browser, or raise "
                                         "--authentication-timeout-sec")
        if isinstance(result, Exception):
            raise result
        return result

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=2)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
