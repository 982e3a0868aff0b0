"""The standard-library D-Bus client's wire format (against the real bus in the keyring tests;
here, its marshalling round trips and its reader never crashes on garbage from a peer)."""

from __future__ import annotations

import struct

from hypothesis import given, settings
from hypothesis import strategies as st

from kubewallet.vault.dbus_secret import DBusProtocolError, _Reader, _split, _Writer

text = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\0"),
               max_size=40)
paths = st.lists(st.from_regex(r"[A-Za-z0-9_]{1,8}", fullmatch=True), min_size=1, max_size=4).map(
    lambda parts: "/" + "/".join(parts))


def test_signatures_split_into_complete_types():
    assert _split("sa{ss}v(oayays)ao") == ["s", "a{ss}", "v", "(oayays)", "ao"]


@settings(max_examples=80, deadline=None)
@given(attrs=st.dictionaries(text, text, max_size=5), objs=st.lists(paths, max_size=4),
       secret=st.binary(max_size=300), name=text)
def test_the_messages_the_client_sends_and_reads_round_trip(attrs, objs, secret, name):
    for sig, value in (("a{ss}", attrs), ("ao", objs), ("s", name), ("v", ("s", name)),
                       ("a{o(oayays)}", {p: (p, b"", secret, "text/plain") for p in objs}),
                       ("a(yv)", [(1, ("o", "/a")), (8, ("g", "sv"))])):
        w = _Writer()
        w.buf += b"\x01"  # an odd offset, so alignment is exercised
        w.put(sig, value)
        r = _Reader(bytes(w.buf), 1)
        assert r.get(sig) == value
        assert r.pos == len(w.buf)


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=200), sig=st.sampled_from(["a{ss}", "ao", "a{o(oayays)}", "vo", "s"]))
def test_garbage_from_the_bus_raises_what_the_caller_falls_back_on(data, sig):
    try:
        r = _Reader(data)
        for t in _split(sig):
            r.get(t)
    except (DBusProtocolError, struct.error, IndexError, KeyError, ValueError, UnicodeDecodeError):
        pass
