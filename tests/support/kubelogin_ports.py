"""kubelogin's two callback ports (127.0.0.1:8000 and :18000), shared safely between test runs.

Several checkouts run the OIDC tests on one machine at once, and kubewallet's default login
binds those fixed ports (as kubelogin does). A test that relies on the defaults holds a
machine-wide lock for its duration, so two test processes never race for the ports; it then
looks at which ports are free *inside* the lock, and asserts what kubewallet must do in exactly
that situation (port 8000; 18000 when something else holds 8000; the clear error when both are
held). No outcome depends on luck.
"""

from __future__ import annotations

import fcntl
import os
import socket
from contextlib import contextmanager

PORTS = (8000, 18000)
LOCK_FILE = "/tmp/kubewallet-tests-kubelogin-ports.lock"


def hold(port: int) -> socket.socket | None:
    """Bind and listen on 127.0.0.1:PORT; None when something else holds it already."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)   # as http.server binds: TIME_WAIT is free
    try:
        sock.bind(("127.0.0.1", port))
    except OSError:
        sock.close()
        return None
    sock.listen(1)
    return sock


def is_free(port: int) -> bool:
    sock = hold(port)
    if sock is None:
        return False
    sock.close()
    return True


@contextmanager
def kubelogin_ports():
    """Hold the machine-wide lock on kubelogin's ports; yields the first free one (or None)."""
    fd = os.open(LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield next((p for p in PORTS if is_free(p)), None)
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
