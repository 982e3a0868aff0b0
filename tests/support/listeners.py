"""Loopback network stand-ins for `kubewallet check`: a closed port, a listener that accepts and
never answers, and small HTTP CONNECT (RFC 9110 §9.3.6) and SOCKS5 (RFC 1928) proxies that record
what they were asked to reach. They forward only to 127.0.0.1: tests never send traffic away."""

from __future__ import annotations

import socket
import struct
import threading


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then closed: the kernel refuses connections)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Listener:
    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(256)
        self.port = self.sock.getsockname()[1]
        self.held: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            self.handle(client)

    def handle(self, client: socket.socket) -> None:
        raise NotImplementedError

    def close(self) -> None:
        self.sock.close()
        for s in self.held:
            s.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Silent(_Listener):
    """Accepts every connection and says nothing (a black-holed load balancer)."""

    def handle(self, client: socket.socket) -> None:
        self.held.append(client)


def _pipe(a: socket.socket, b: socket.socket) -> None:
    try:
        while data := a.recv(65536):
            b.sendall(data)
    except OSError:
        pass
    finally:
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def _splice(client: socket.socket, port: int) -> None:
    upstream = socket.create_connection(("127.0.0.1", port))
    threading.Thread(target=_pipe, args=(upstream, client), daemon=True).start()
    _pipe(client, upstream)


class _Proxy(_Listener):
    def __init__(self) -> None:
        self.targets: list[str] = []
        super().__init__()

    def handle(self, client: socket.socket) -> None:
        threading.Thread(target=self.tunnel, args=(client,), daemon=True).start()

    def tunnel(self, client: socket.socket) -> None:
        raise NotImplementedError


class ConnectProxy(_Proxy):
    """HTTP CONNECT; records "CONNECT host:port"."""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def tunnel(self, client: socket.socket) -> None:
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = client.recv(4096)
            if not chunk:
                client.close()
                return
            head += chunk
        method, target = head.split(b" ")[:2]
        self.targets.append(f"{method.decode()} {target.decode()}")
        host, port = target.decode().rsplit(":", 1)
        if host != "127.0.0.1":
            client.sendall(b"HTTP/1.1 403 Forbidden\r\n\r\n")
            client.close()
            return
        client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        _splice(client, int(port))


class Socks5Proxy(_Proxy):
    """SOCKS5 with user/password (RFC 1929) when `login` is set; records "host:port"."""

    def __init__(self, login: tuple[str, str] | None = None) -> None:
        self.login = login
        super().__init__()

    @property
    def url(self) -> str:
        auth = f"{self.login[0]}:{self.login[1]}@" if self.login else ""
        return f"socks5://{auth}127.0.0.1:{self.port}"

    def tunnel(self, client: socket.socket) -> None:
        f = client.makefile("rb")
        _version, n = f.read(2)
        methods = f.read(n)
        wanted = 2 if self.login else 0
        if wanted not in methods:
            client.sendall(b"\x05\xff")
            client.close()
            return
        client.sendall(bytes([5, wanted]))
        if self.login:
            _v, ulen = f.read(2)
            user = f.read(ulen).decode()
            password = f.read(f.read(1)[0]).decode()
            ok = (user, password) == self.login
            client.sendall(b"\x01\x00" if ok else b"\x01\x01")
            if not ok:
                client.close()
                return
        _v, _cmd, _rsv, atyp = f.read(4)
        host = f.read(f.read(1)[0]).decode() if atyp == 3 else socket.inet_ntoa(f.read(4))
        port = struct.unpack(">H", f.read(2))[0]
        self.targets.append(f"{host}:{port}")
        if host != "127.0.0.1":
            client.sendall(b"\x05\x02\x00\x01\x00\x00\x00\x00\x00\x00")
            client.close()
            return
        client.sendall(b"\x05\x00\x00\x01\x7f\x00\x00\x01" + struct.pack(">H", port))
        _splice(client, port)
