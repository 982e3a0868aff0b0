"""Work-arounds for bugs of the Qt binding we ship with, each with how to see it.

PySide6 6.12.0 drops one reference to `None` each time a Python override of a virtual that
returns a `QVariant` (`QAbstractItemModel.data`, `headerData`, ...) returns `None` — which every
item model does for the roles it does not serve. Reproduce: a `QAbstractListModel` whose `data`
returns None; call `model.index(0).data(0)` 1,000 times from C++ (e.g. `QModelIndex.data`):
`sys.getrefcount(None)` falls by 1,000. A view over 1,000 rows makes hundreds of thousands of such
calls, so `None`'s count reaches zero and the interpreter aborts ("Fatal Python error:
none_dealloc") — at exit or, worse, mid-session.

CPython 3.12 makes `None` immortal (PEP 683); on 3.11 we give it a reference count so large that
no session can drain it (2**40 calls). Adding references to `None` is harmless (it is never
freed); this is removed once the binding is fixed.
"""

from __future__ import annotations

import sys

_HEADROOM = 1 << 40


def protect_none_refcount() -> None:
    """Top up `None`'s reference count (CPython < 3.12 only; idempotent)."""
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return
    import ctypes

    refcnt = ctypes.c_ssize_t.from_address(id(None))
    if refcnt.value < _HEADROOM // 2:
        refcnt.value += _HEADROOM
