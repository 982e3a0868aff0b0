"""Keeping the agent's secrets as hard to read as ssh-agent's and gpg-agent's (issue 13.5).

Measured before: another process of the same user read a running agent's memory through /proc
and found a served token 16 times while unlocked, and 12 times after the timeout had "forgotten"
it. What the C agents do, and what this module does for ours:

- ssh-agent calls `prctl(PR_SET_DUMPABLE, 0)` at start (no core dump, no ptrace and no
  /proc/PID/mem for the user's other processes): `make_undumpable`.
- gpg-agent keeps keys in locked memory (never swapped) and zeroes them when it drops them:
  `SecretStore`, one mlock'ed arena holding every served value, zeroed at lock, timeout and stop.
- What Python copies on its own (the decrypted vault, the JSON parse, the response being built)
  is freed without being cleared, and CPython's small-object allocator and glibc's tcache keep
  those bytes. The agent daemon therefore runs with `PYTHONMALLOC=malloc` and glibc's
  `perturb` tunable (every freed block overwritten) with the tcache off: `HARDENED_ENV`.
  Objects still alive at lock (the data key, the passphrase) are zeroed in place by `wipe`.

What Python cannot guarantee: while a request is served, transient copies of that secret exist
(the str handed to the ExecCredential builder, the JSON text, the bytes on their way to the
socket) until they are freed; an agent embedded in the window runs without the hardened
allocator (its process started as a GUI), so there freed copies may linger until reused.
"""

from __future__ import annotations

import ctypes
import os
import sys

PR_GET_DUMPABLE, PR_SET_DUMPABLE = 3, 4
HARDENED_ENV = {"PYTHONMALLOC": "malloc",
                "GLIBC_TUNABLES": "glibc.malloc.tcache_count=0:glibc.malloc.perturb=165"}

_libc: ctypes.CDLL | None = None


def _lib() -> ctypes.CDLL | None:
    global _libc
    if _libc is None and sys.platform.startswith("linux"):
        _libc = ctypes.CDLL(None, use_errno=True)
    return _libc


def make_undumpable() -> bool:
    """prctl(PR_SET_DUMPABLE, 0) (Linux): no core dumps, and the user's other processes can no
    longer ptrace this one or open its /proc/PID/mem. False where there is no such call."""
    lib = _lib()
    return lib is not None and lib.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0


def dumpable() -> int | None:
    """prctl(PR_GET_DUMPABLE): 0 once `make_undumpable` ran; None where there is no such call."""
    lib = _lib()
    return None if lib is None else int(lib.prctl(PR_GET_DUMPABLE, 0, 0, 0, 0))


def hardened_environment(env: dict[str, str]) -> dict[str, str]:
    """`env` for starting an agent process whose freed memory is overwritten (see above)."""
    return {**env, **HARDENED_ENV}


def is_hardened() -> bool:
    return all(os.environ.get(k) == v for k, v in HARDENED_ENV.items())


_BYTES_HEADER = sys.getsizeof(b"") - 1
_ASCII_HEADER = sys.getsizeof("") - 1


def wipe(value: object) -> None:
    """Zero the buffer of a `bytes`, an ASCII `str` or a `bytearray` in place, before the last
    reference to it goes. Only for objects the caller made (never shared, never interned):
    one-character and empty strings and bytes are the interpreter's shared singletons and are
    left alone. Non-ASCII strings are not zeroed (their layout differs); the hardened allocator
    clears them when they are freed."""
    if isinstance(value, bytearray):
        if value:
            ctypes.memset((ctypes.c_char * len(value)).from_buffer(value), 0, len(value))
    elif isinstance(value, bytes) and len(value) > 1:
        ctypes.memset(id(value) + _BYTES_HEADER, 0, len(value))
    elif isinstance(value, str) and len(value) > 1 and value.isascii():
        ctypes.memset(id(value) + _ASCII_HEADER, 0, len(value))


def scrub_environment(name: str) -> str | None:
    """Remove `name` from this process's environment and return its value, overwriting it also
    in the environment block the kernel shows as /proc/PID/environ (unsetenv only drops the
    pointer; the bytes stay on the stack)."""
    value = os.environ.pop(name, None)
    if value is None or not sys.platform.startswith("linux"):
        return value
    try:
        with open("/proc/self/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
        start, end = int(fields[47]), int(fields[48])  # env_start, env_end: proc(5) fields 50, 51
        block = ctypes.string_at(start, end - start)
        needle = name.encode() + b"="
        at = block.find(needle)
        while at != -1:
            if at == 0 or block[at - 1] == 0:
                stop = block.index(b"\0", at)
                ctypes.memset(start + at + len(needle), 0, stop - at - len(needle))
            at = block.find(needle, at + 1)
    except (OSError, IndexError, ValueError):
        pass
    return value


class SecretStore:
    """The agent's secrets: one arena of memory, mlock'ed where the system allows, holding every
    value as bytes at an offset, with its (non-secret) meta beside it. `clear()` zeroes it all."""

    def __init__(self) -> None:
        self._arena: ctypes.Array | None = None
        self._used = 0
        self._index: dict[str, tuple[int, int, dict]] = {}
        self.in_locked_memory: bool | None = None  # None: nothing held yet

    def __contains__(self, ref: str) -> bool:
        return ref in self._index

    def __len__(self) -> int:
        return len(self._index)

    def _reserve(self, size: int) -> None:
        capacity = 0 if self._arena is None else len(self._arena)
        if self._used + size <= capacity:
            return
        new = ctypes.create_string_buffer(max(4096, 2 * (self._used + size)))
        lib = _lib()
        self.in_locked_memory = bool(lib is not None and
                                     lib.mlock(ctypes.c_void_p(ctypes.addressof(new)), ctypes.c_size_t(len(new))) == 0)
        if self._arena is not None:
            ctypes.memmove(new, self._arena, self._used)
            self._release()
        self._arena = new

    def _release(self) -> None:
        if self._arena is None:
            return
        ctypes.memset(self._arena, 0, len(self._arena))
        lib = _lib()
        if lib is not None and self.in_locked_memory:
            lib.munlock(ctypes.c_void_p(ctypes.addressof(self._arena)), ctypes.c_size_t(len(self._arena)))
        self._arena = None

    def put(self, ref: str, value: str, meta: dict) -> None:
        data = value.encode("utf-8")
        self._reserve(len(data))
        ctypes.memmove(ctypes.addressof(self._arena) + self._used, data, len(data))
        self._index[ref] = (self._used, len(data), meta)
        self._used += len(data)
        wipe(data)

    def get(self, ref: str) -> tuple[str, dict] | None:
        """A transient str copy of the value (the caller `wipe`s it when done) and its meta."""
        found = self._index.get(ref)
        if found is None or self._arena is None:
            return None
        offset, length, meta = found
        return str(memoryview(self._arena)[offset:offset + length], "utf-8"), meta

    def clear(self) -> None:
        self._release()
        self._index.clear()
        self._used = 0
