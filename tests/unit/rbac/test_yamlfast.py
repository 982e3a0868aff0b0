"""The event-stream YAML builder gives exactly what CSafeLoader gives, or the same error."""

from __future__ import annotations

import datetime as dt
import math

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kubewallet.rbac import yamlfast


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


def _both(text: str):
    try:
        want = ("ok", list(yaml.load_all(text, Loader=yaml.CSafeLoader)))
    except Exception as exc:  # noqa: BLE001 - PyYAML itself raises IndexError for `!!int ''`
        want = ("error", type(exc))
    try:
        got = ("ok", yamlfast.load_all(text))
    except Exception as exc:  # noqa: BLE001
        got = ("error", type(exc))
    return got, want


SCALARS = ["yes", "No", "on", "off", "~", "null", "", "0o17", "0x1F", "1_000", "-1.5e3", ".inf", ".NaN", "2024-01-02",
           "2024-01-02T03:04:05Z", "=", "<<", "get", "'quoted'", '"dq"', "12:30:00", "0b101", "+12", "1e5", "v1"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(SCALARS) | st.text(max_size=6), min_size=1, max_size=8),
       st.sampled_from(["block", "flow"]))
def test_plain_scalars_resolve_like_csafeloader(values, style):
    if style == "block":
        text = "\n".join(f"k{i}: {v}" for i, v in enumerate(values)) + "\nlist:\n" + "\n".join(f"- {v}" for v in values)
    else:
        text = "[" + ", ".join(values) + "]"
    got, want = _both(text)
    assert got[0] == want[0]
    if got[0] == "ok":
        assert _same(got[1], want[1])
    else:
        assert got[1] is want[1]


json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8)
    | st.dates() | st.datetimes(timezones=st.just(dt.timezone.utc)),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5) | st.integers(), inner, max_size=4),
    max_leaves=20)


@settings(max_examples=200, deadline=None)
@given(st.lists(json_like, min_size=1, max_size=3), st.booleans(), st.booleans())
def test_dumped_documents_round_trip_identically(docs, flow, anchors):
    data = docs + [docs[0]] if anchors else docs  # a repeated object becomes an anchor and alias
    text = yaml.dump_all(data, Dumper=yaml.CSafeDumper, default_flow_style=flow) if not anchors else \
        yaml.dump({"a": docs, "b": docs}, Dumper=yaml.CSafeDumper, default_flow_style=flow)
    got, want = _both(text)
    assert got[0] == want[0] == "ok"
    assert _same(got[1], want[1])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(list("ab:-{}[]&*!<=|>'\"#\n ,?0.~") + ["!!int ", "&x ", "*x", "<<: ", "\n  "]),
                max_size=40).map("".join))
def test_fuzz_same_result_or_same_kind_of_error(text):
    got, want = _both(text)
    assert got[0] == want[0], (text, got, want)
    if got[0] == "ok":
        assert _same(got[1], want[1])
