"""Read one Secret Service item over D-Bus with the standard library only (`_socket`, `struct`).

Why not `jeepney`/`secretstorage`: the exec plugin without an agent must answer kubectl in under
0.1 s, and importing jeepney (typing, enum, socket, selectors...) costs ~8 ms of that on this
project's interpreter; secretstorage ~25 ms. The exchange needed is tiny and fixed — Hello,
OpenSession("plain"), SearchItems, GetSecrets — so it is written out here against the D-Bus
specification (wire format: "Message Protocol"; auth: SASL EXTERNAL with the uid in hex) and the
freedesktop Secret Service API. Anything unexpected raises `DBusProtocolError` and the caller falls
back to jeepney. The "plain" session algorithm is the Secret Service spec's choice for a bus only
this user can reach: transport encryption would only hide the secret from the bus daemon.
"""

from __future__ import annotations

import _socket
import os
import struct

SECRETS = "org.freedesktop.secrets"
SERVICE_PATH = "/org/freedesktop/secrets"
SERVICE_IFACE = "org.freedesktop.Secret.Service"


class DBusProtocolError(Exception):
    """The conversation went somewhere this minimal client does not follow."""


class DBusCallError(Exception):
    """The peer answered with a D-Bus error (`name` is e.g. org.freedesktop.DBus.Error.ServiceUnknown)."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name


# ---- marshalling (little endian) --------------------------------------------------------------
_ALIGN = {"y": 1, "b": 4, "n": 2, "q": 2, "i": 4, "u": 4, "x": 8, "t": 8, "d": 8, "s": 4, "o": 4,
          "g": 1, "v": 1, "a": 4, "(": 8, "{": 8, "h": 4}
_FIXED = {"y": "B", "b": "I", "n": "h", "q": "H", "i": "i", "u": "I", "x": "q", "t": "Q", "d": "d", "h": "I"}


def _split(sig: str) -> list[str]:
    """Complete types of a signature: 'sa{ss}v' -> ['s', 'a{ss}', 'v']."""
    out, i = [], 0
    while i < len(sig):
        j = _end(sig, i)
        out.append(sig[i:j])
        i = j
    return out


def _end(sig: str, i: int) -> int:
    c = sig[i]
    if c == "a":
        return _end(sig, i + 1)
    if c in "({":
        depth, j = 0, i
        while j < len(sig):
            if sig[j] in "({":
                depth += 1
            elif sig[j] in ")}":
                depth -= 1
                if depth == 0:
                    return j + 1
            j += 1
        raise DBusProtocolError(f"unbalanced signature {sig!r}")
    return i + 1


class _Writer:
    def __init__(self) -> None:
        self.buf = bytearray()

    def pad(self, n: int) -> None:
        self.buf += b"\0" * (-len(self.buf) % n)

    def put(self, t: str, value) -> None:
        c = t[0]
        self.pad(_ALIGN[c])
        if c in _FIXED:
            self.buf += struct.pack("<" + _FIXED[c], value)
        elif c in "so":
            data = value.encode()
            self.buf += struct.pack("<I", len(data)) + data + b"\0"
        elif c == "g":
            data = value.encode()
            self.buf += bytes([len(data)]) + data + b"\0"
        elif c == "v":
            sig, inner = value
            self.put("g", sig)
            self.put(sig, inner)
        elif c == "a":
            elem = t[1:]
            at = len(self.buf)
            self.buf += b"\0\0\0\0"
            self.pad(_ALIGN[elem[0]])
            start = len(self.buf)
            items = value.items() if elem[0] == "{" else value
            for item in items:
                self.put(elem, item)
            struct.pack_into("<I", self.buf, at, len(self.buf) - start)
        elif c in "({":
            for sub, v in zip(_split(t[1:-1]), value):
                self.put(sub, v)
        else:
            raise DBusProtocolError(f"cannot marshal {t!r}")


class _Reader:
    def __init__(self, data: bytes, pos: int = 0) -> None:
        self.data, self.pos = data, pos

    def align(self, n: int) -> None:
        self.pos += -self.pos % n

    def get(self, t: str):
        c = t[0]
        self.align(_ALIGN[c])
        if c in _FIXED:
            fmt = "<" + _FIXED[c]
            (value,) = struct.unpack_from(fmt, self.data, self.pos)
            self.pos += struct.calcsize(fmt)
            return value
        if c in "so":
            (n,) = struct.unpack_from("<I", self.data, self.pos)
            value = self.data[self.pos + 4:self.pos + 4 + n].decode()
            self.pos += 4 + n + 1
            return value
        if c == "g":
            n = self.data[self.pos]
            value = self.data[self.pos + 1:self.pos + 1 + n].decode()
            self.pos += 1 + n + 1
            return value
        if c == "v":
            sig = self.get("g")
            return sig, self.get(sig)
        if c == "a":
            (n,) = struct.unpack_from("<I", self.data, self.pos)
            self.pos += 4
            elem = t[1:]
            self.align(_ALIGN[elem[0]])
            end = self.pos + n
            if elem == "y":
                value = self.data[self.pos:end]
                self.pos = end
                return bytes(value)
            items = []
            while self.pos < end:
                items.append(self.get(elem))
            return dict(items) if elem[0] == "{" else items
        if c in "({":
            self.align(8)
            return tuple(self.get(sub) for sub in _split(t[1:-1]))
        raise DBusProtocolError(f"cannot unmarshal {t!r}")


# ---- the connection ---------------------------------------------------------------------------
def _bus_address() -> tuple[str, str]:
    """('path' | 'abstract', where) of the session bus (D-Bus spec, "Server Addresses")."""
    raw = os.environ.get("DBUS_SESSION_BUS_ADDRESS")
    if not raw:
        runtime = os.environ.get("XDG_RUNTIME_DIR") or f"/run/user/{os.getuid()}"
        return "path", os.path.join(runtime, "bus")
    for address in raw.split(";"):
        kind, _, params = address.partition(":")
        if kind != "unix":
            continue
        for param in params.split(","):
            key, _, value = param.partition("=")
            if key in ("path", "abstract"):
                from urllib.parse import unquote

                return key, unquote(value) if "%" in value else value
    raise DBusProtocolError("no unix: address in DBUS_SESSION_BUS_ADDRESS")


class Connection:
    def __init__(self, timeout: float = 30.0) -> None:
        kind, where = _bus_address()
        self.sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        try:
            self.sock.connect(("\0" + where) if kind == "abstract" else where)
            uid = str(os.getuid()).encode().hex()
            self.sock.sendall(b"\0AUTH EXTERNAL " + uid.encode() + b"\r\n")
            line = self._line()
            if not line.startswith(b"OK "):
                raise DBusProtocolError("the bus refused EXTERNAL authentication")
            self.sock.sendall(b"BEGIN\r\n")
        except BaseException:
            self.sock.close()
            raise
        self.serial = 0
        self.pending = b""
        self.call("/org/freedesktop/DBus", "org.freedesktop.DBus", "Hello", "org.freedesktop.DBus")

    def _line(self) -> bytes:
        data = b""
        while not data.endswith(b"\r\n"):
            chunk = self.sock.recv(1)
            if not chunk:
                raise DBusProtocolError("the bus closed the connection during authentication")
            data += chunk
        return data

    def close(self) -> None:
        self.sock.close()

    def _recv_exact(self, n: int) -> bytes:
        while len(self.pending) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise DBusProtocolError("the bus closed the connection")
            self.pending += chunk
        data, self.pending = self.pending[:n], self.pending[n:]
        return data

    def call(self, path: str, iface: str, member: str, dest: str, sig: str = "", *args):
        self.serial += 1
        body = _Writer()
        for t, v in zip(_split(sig), args):
            body.put(t, v)
        fields = [(1, ("o", path)), (2, ("s", iface)), (3, ("s", member)), (6, ("s", dest))]
        if sig:
            fields.append((8, ("g", sig)))
        head = _Writer()
        head.buf += struct.pack("<cBBBII", b"l", 1, 0, 1, len(body.buf), self.serial)
        head.put("a(yv)", fields)
        head.pad(8)
        self.sock.sendall(bytes(head.buf) + bytes(body.buf))
        while True:
            fixed = self._recv_exact(16)
            endian, mtype, _flags, _ver, blen, _serial, flen = struct.unpack("<cBBBIII", fixed)
            if endian != b"l":
                raise DBusProtocolError("big-endian messages are not supported here")
            rest = self._recv_exact(flen + (-(16 + flen) % 8) + blen)
            msg = fixed + rest
            reader = _Reader(msg, 12)
            hfields = dict(reader.get("a(yv)"))
            reader.align(8)
            if hfields.get(5, (None, None))[1] != self.serial or mtype not in (2, 3):
                continue  # a signal (NameAcquired) or someone else's reply
            rsig = hfields.get(8, ("g", ""))[1]
            values = [reader.get(t) for t in _split(rsig)]
            if mtype == 3:
                name = hfields.get(4, ("s", "?"))[1]
                raise DBusCallError(name, values[0] if values and isinstance(values[0], str) else "")
            return values


def get_secret(attributes: dict[str, str], timeout: float = 30.0) -> tuple[str, bytes | None]:
    """("found", value) | ("missing", None) | ("locked", None) for the first item matching."""
    conn = Connection(timeout)
    try:
        def svc(member: str, sig: str = "", *args):
            return conn.call(SERVICE_PATH, SERVICE_IFACE, member, SECRETS, sig, *args)

        _output, session = svc("OpenSession", "sv", "plain", ("s", ""))
        unlocked, locked = svc("SearchItems", "a{ss}", attributes)
        if not unlocked:
            return ("locked" if locked else "missing"), None
        (found,) = svc("GetSecrets", "aoo", unlocked[:1], session)
        _session, _params, value, _ctype = found[unlocked[0]]
        return "found", value
    finally:
        conn.close()
