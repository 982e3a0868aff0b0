"""The connect and TLS stages, and one HTTP request over the verified connection.

Each stage is its own step so a failure names the stage and says what happened in plain words
("nothing listens on 10.0.0.5:6443", "the server's certificate is not signed by the CA in your
kubeconfig"), the way a person would explain it, not an OpenSSL reason code.

Why no credential can reach a server that failed verification: the token travels only in an HTTP
request, and a request is written only on a socket whose handshake completed with
`CERT_REQUIRED` and the name checked; a client certificate is offered inside the handshake, and
OpenSSL verifies the server's certificate when it arrives (it aborts the handshake right there)
before it ever sends the client's Certificate message (RFC 8446 §4.4.2; RFC 5246 §7.4.6). The
private key itself never leaves this process. The certificate and key are handed to OpenSSL
through an anonymous in-memory file (`memfd_create`), never a file on disk.

The budget is the whole context's `--timeout`: each step gets what is left of it.
"""

from __future__ import annotations

import base64
import errno
import http.client
import os
import socket
import ssl
import struct
import tempfile
import time
from dataclasses import dataclass

from kubewallet.errors import KubewalletError
from kubewallet.probe.endpoint import Endpoint, proxy_parts

CONNECT, TLS, AUTH, OK = "connect", "tls", "auth", "ok"
# what the window shows (and -o json carries as `reason`)
UNREACHABLE, TLS_PROBLEM, UNAUTHORIZED, NEEDS_LOGIN, ERROR, WORKS = (
    "unreachable", "tls", "unauthorized", "needs-login", "error", "ok")


class ProbeFailure(KubewalletError):
    """One stage of a check failed; `stage` and `reason` say which and what kind."""

    def __init__(self, stage: str, reason: str, message: str) -> None:
        super().__init__(message)
        self.stage, self.reason = stage, reason


@dataclass(frozen=True)
class Budget:
    deadline: float
    total: float

    @classmethod
    def of(cls, seconds: float) -> Budget:
        return cls(time.monotonic() + seconds, seconds)

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def words(self) -> str:
        return f"{self.total:g} s"


def _timeout(budget: Budget, stage: str, what: str) -> float:
    left = budget.left()
    if left <= 0:
        raise ProbeFailure(stage, UNREACHABLE, f"{what} within {budget.words()}")
    return left


# ----------------------------------------------------------------------------------- connect


def _dial(host: str, port: int, budget: Budget, who: str) -> socket.socket:
    try:
        return socket.create_connection((host, port), timeout=_timeout(budget, CONNECT, f"no answer from {who}"))
    except socket.gaierror as exc:
        raise ProbeFailure(CONNECT, UNREACHABLE, f"cannot resolve {host} (DNS: {exc.strerror})") from None
    except TimeoutError:
        raise ProbeFailure(CONNECT, UNREACHABLE, f"no answer from {who} within {budget.words()}") from None
    except ConnectionRefusedError:
        raise ProbeFailure(CONNECT, UNREACHABLE, f"nothing listens on {who} (connection refused)") from None
    except OSError as exc:
        if exc.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
            raise ProbeFailure(CONNECT, UNREACHABLE,
                               f"{who} is unreachable from this machine (no route: is a VPN down?)") from None
        raise ProbeFailure(CONNECT, UNREACHABLE, f"cannot connect to {who} ({exc.strerror or exc})") from None


def _proxy_chunk(sock: socket.socket, budget: Budget, who: str, size: int) -> bytes:
    """Up to `size` bytes from the proxy, within the budget; never an empty read."""
    sock.settimeout(_timeout(budget, CONNECT, f"no answer from {who}"))
    try:
        chunk = sock.recv(size)
    except TimeoutError:
        raise ProbeFailure(CONNECT, UNREACHABLE, f"no answer from {who} within {budget.words()}") from None
    if not chunk:
        raise ProbeFailure(CONNECT, UNREACHABLE, f"{who} closed the connection")
    return chunk


def _read_head(sock: socket.socket, budget: Budget, who: str) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data and len(data) < 65536:
        data += _proxy_chunk(sock, budget, who, 4096)
    return data


def _http_connect(sock: socket.socket, ep: Endpoint, user: str, password: str, budget: Budget, who: str) -> None:
    """HTTP CONNECT (RFC 9110 §9.3.6) through the proxy, as Go's transport does for proxy-url http://."""
    target = ep.address
    lines = [f"CONNECT {target} HTTP/1.1", f"Host: {target}"]
    if user:
        lines.append("Proxy-Authorization: Basic " + base64.b64encode(f"{user}:{password}".encode()).decode())
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    status_line = _read_head(sock, budget, who).split(b"\r\n", 1)[0].decode("latin-1")
    parts = status_line.split(" ", 2)
    if len(parts) < 2 or parts[1] != "200":
        raise ProbeFailure(CONNECT, UNREACHABLE, f"the proxy {who} refused to connect to {target} "
                                                 f"({' '.join(parts[1:]) or 'no status'})")


def _socks5(sock: socket.socket, ep: Endpoint, user: str, password: str, budget: Budget, who: str) -> None:
    """SOCKS5 (RFC 1928, user/password RFC 1929), the host name resolved by the proxy."""
    def recv(n: int) -> bytes:
        data = b""
        while len(data) < n:
            data += _proxy_chunk(sock, budget, who, n - len(data))
        return data

    sock.sendall(b"\x05\x02\x00\x02" if user else b"\x05\x01\x00")
    version, method = recv(2)
    if version != 5 or method == 0xFF:
        raise ProbeFailure(CONNECT, UNREACHABLE, f"the SOCKS proxy {who} accepts none of our login methods")
    if method == 2:
        sock.sendall(bytes([1, len(user)]) + user.encode() + bytes([len(password)]) + password.encode())
        if recv(2)[1] != 0:
            raise ProbeFailure(CONNECT, UNREACHABLE, f"the SOCKS proxy {who} refused the user name and password")
    host = ep.host.encode("idna")
    sock.sendall(b"\x05\x01\x00\x03" + bytes([len(host)]) + host + struct.pack(">H", ep.port))
    reply = recv(4)
    if reply[1] != 0:
        raise ProbeFailure(CONNECT, UNREACHABLE, f"the SOCKS proxy {who} could not reach {ep.address} (code {reply[1]})")
    recv({1: 4, 4: 16}.get(reply[3], 0) or recv(1)[0])
    recv(2)


def connect(ep: Endpoint, budget: Budget) -> socket.socket:
    """A TCP connection to the server, through its proxy when it has one."""
    if not ep.proxy:
        return _dial(ep.host, ep.port, budget, ep.address)
    scheme, host, port, user, password = proxy_parts(ep.proxy)
    who = f"proxy {host}:{port}"
    if scheme not in ("http", "socks5", "socks5h") or not host or not port:
        raise ProbeFailure(CONNECT, ERROR, f"the proxy URL {scheme}://{host}:{port} is not one kubewallet "
                                           "check can use (http:// and socks5:// are)")
    sock = _dial(host, port, budget, who)
    try:
        (_http_connect if scheme == "http" else _socks5)(sock, ep, user, password, budget, who)
    except (ValueError, UnicodeError):  # a user name, password or host SOCKS cannot carry
        sock.close()
        raise ProbeFailure(CONNECT, ERROR, f"the proxy {who} cannot be asked for {ep.address} "
                                           "(user name, password or host too long for SOCKS5)") from None
    except BaseException:
        sock.close()
        raise
    return sock


# ----------------------------------------------------------------------------------- TLS


def _load_client_cert(ctx: ssl.SSLContext, cert_pem: bytes, key_pem: bytes) -> None:
    """OpenSSL reads a certificate chain only from a file: hand it one that lives in memory."""
    data = cert_pem.rstrip(b"\n") + b"\n" + key_pem
    if hasattr(os, "memfd_create"):
        fd = os.memfd_create("kubewallet-client-cert", os.MFD_CLOEXEC)
        try:
            os.write(fd, data)
            ctx.load_cert_chain(f"/proc/self/fd/{fd}")
        finally:
            os.close(fd)
        return
    with tempfile.TemporaryDirectory(prefix="kubewallet-") as private:  # 0700, removed at once
        path = os.path.join(private, "client.pem")
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as f:
            f.write(data)
        ctx.load_cert_chain(path)


def tls_context(ep: Endpoint, client_cert: tuple[bytes, bytes] | None) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2  # client-go's default floor
    ctx.set_alpn_protocols(["http/1.1"])
    if ep.insecure:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    elif ep.ca_pem is not None:
        try:
            text = ep.ca_pem.decode("ascii") if b"-----BEGIN" in ep.ca_pem else None
            ctx.load_verify_locations(cadata=text if text is not None else ep.ca_pem)
        except (ssl.SSLError, ValueError, UnicodeDecodeError):
            raise ProbeFailure(TLS, ERROR, f"{ep.ca_source} holds no certificate OpenSSL can read") from None
    else:
        ctx.load_default_certs()
    if client_cert is not None:
        try:
            _load_client_cert(ctx, *client_cert)
        except ssl.SSLError:
            raise ProbeFailure(AUTH, ERROR, "the client certificate and key do not match or cannot be read") from None
    return ctx


_NOT_SIGNED = {2, 18, 19, 20, 21}    # X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT*, *SELF_SIGNED*, UNABLE_TO_VERIFY_LEAF
_WRONG_NAME = {62, 64}               # X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH


def _verify_words(exc: ssl.SSLCertVerificationError, ep: Endpoint) -> str:
    code = exc.verify_code
    if code in _NOT_SIGNED:
        if ep.ca_pem is not None:
            return f"the server's certificate is not signed by the CA in your kubeconfig ({ep.ca_source})"
        return "the server's certificate is not signed by a CA this system trusts (the cluster sets no certificate-authority)"
    if code in _WRONG_NAME:
        named = (f"tls-server-name {ep.server_name!r}" if ep.server_name != ep.host else f"{ep.host!r}")
        return f"the server's certificate is not valid for {named}"
    if code == 10:
        return "the server's certificate has expired"
    if code == 9:
        return "the server's certificate is not valid yet (is this machine's clock right?)"
    return f"the server's certificate was rejected: {exc.verify_message}"


def handshake(sock: socket.socket, ep: Endpoint, ctx: ssl.SSLContext, budget: Budget) -> ssl.SSLSocket:
    """The TLS handshake with verification; the socket is closed when it fails."""
    try:
        sock.settimeout(_timeout(budget, TLS, f"no answer from {ep.address}"))
        tls = ctx.wrap_socket(sock, server_hostname=ep.server_name)
        return tls
    except ProbeFailure:
        sock.close()
        raise
    except ssl.SSLCertVerificationError as exc:
        sock.close()
        raise ProbeFailure(TLS, TLS_PROBLEM, _verify_words(exc, ep)) from None
    except TimeoutError:
        sock.close()
        raise ProbeFailure(TLS, UNREACHABLE, f"no answer from {ep.address} within {budget.words()} (the "
                                             "connection opened, but the TLS handshake got no reply)") from None
    except ssl.SSLError as exc:
        sock.close()
        reason = exc.reason or str(exc)
        if reason in ("WRONG_VERSION_NUMBER", "HTTP_REQUEST", "UNKNOWN_PROTOCOL"):
            raise ProbeFailure(TLS, TLS_PROBLEM, f"{ep.address} does not speak TLS (is the server URL http://?)") from None
        raise ProbeFailure(TLS, TLS_PROBLEM, f"the TLS handshake with {ep.address} failed ({reason})") from None
    except OSError as exc:
        sock.close()
        raise ProbeFailure(TLS, UNREACHABLE, f"{ep.address} closed the connection during the TLS handshake "
                                             f"({exc.strerror or type(exc).__name__})") from None


# ----------------------------------------------------------------------------------- HTTP


class _Pinned(http.client.HTTPConnection):
    """An HTTP connection over the one socket given: never a new one (a reconnect would dial
    without TLS verification, and could carry the credential there)."""

    def __init__(self, sock: socket.socket, host: str) -> None:
        super().__init__(host)
        self.sock = sock

    def connect(self) -> None:
        raise ConnectionError("the server closed the connection")


@dataclass(frozen=True)
class Answer:
    status: int
    reason: str
    body: bytes


class Session:
    """Requests on one verified connection (keep-alive), within the budget."""

    def __init__(self, sock: socket.socket, ep: Endpoint, budget: Budget) -> None:
        self.ep, self.budget = ep, budget
        self.conn = _Pinned(sock, ep.address if ep.port not in (443, 80) else ep.host)

    def request(self, method: str, path: str, headers: tuple[tuple[str, str], ...],
                body: bytes | None = None) -> Answer:
        ep = self.ep
        if self.conn.sock is None:
            raise ProbeFailure(AUTH, ERROR, f"{ep.address} closed the connection")
        self.conn.sock.settimeout(_timeout(self.budget, AUTH, f"no answer from {ep.address}"))
        try:
            self.conn.putrequest(method, ep.prefix + path, skip_accept_encoding=True)
            for name, value in headers:
                self.conn.putheader(name, value)
            self.conn.putheader("Content-Length", str(len(body or b"")))
            self.conn.endheaders(body)
            response = self.conn.getresponse()
            return Answer(response.status, response.reason, response.read())
        except TimeoutError:
            raise ProbeFailure(AUTH, UNREACHABLE, f"no answer from {ep.address} within {self.budget.words()} "
                                                  "(TLS worked, the request got no reply)") from None
        except ssl.SSLError as exc:
            if "CERTIFICATE_REQUIRED" in str(exc.reason or ""):
                raise ProbeFailure(AUTH, UNAUTHORIZED, "the server demands a client certificate and this user "
                                                       "sends none") from None
            raise ProbeFailure(AUTH, ERROR, f"the connection to {ep.address} failed ({exc.reason or exc})") from None
        except (OSError, http.client.HTTPException) as exc:
            raise ProbeFailure(AUTH, ERROR, f"{ep.address} broke off the request "
                                            f"({getattr(exc, 'strerror', None) or type(exc).__name__})") from None

    def close(self) -> None:
        self.conn.close()
