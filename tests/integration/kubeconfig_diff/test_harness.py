"""The comparison itself: a differential test is only as good as what it notices."""

from __future__ import annotations

import pytest

from tests.integration.kubeconfig_diff.harness import (FAILS_NAMING_FILE, Outcome, Run, Scenario,
                                                       compare, strip_unknown)

ORIGINAL = b"""apiVersion: v1
kind: Config
x-top: 1
clusters:
- name: c
  cluster: {server: https://c, x-vendor: 2}
"""
KUBECTL_WROTE = b"""apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: https://changed}
"""
SCENARIO = Scenario("s", {}, (("set-cluster", "c"),))


def outcome(files: dict, stdout: str = "ok\n", status: int = 0, stderr: str = "") -> Outcome:
    return Outcome([Run(("set-cluster", "c"), status, stdout, stderr)], files)


def test_kept_unknown_fields_pass():
    ours = ORIGINAL.replace(b"https://c", b"https://changed")
    compare(SCENARIO, {"f": ORIGINAL}, outcome({"f": KUBECTL_WROTE}), outcome({"f": ours}))


@pytest.mark.parametrize("ours, words", [
    (KUBECTL_WROTE, "unknown field"),                                       # dropped what kubectl drops
    (ORIGINAL, "written content differs"),                                  # did not make the edit
    (ORIGINAL.replace(b"https://c,", b"https://changed, tls-server-name: x,"), "written content differs"),
])
def test_lost_unknown_fields_and_wrong_content_are_caught(ours, words):
    with pytest.raises(AssertionError, match=words):
        compare(SCENARIO, {"f": ORIGINAL}, outcome({"f": KUBECTL_WROTE}), outcome({"f": ours}))


def test_a_file_kubectl_left_alone_must_stay_byte_identical():
    with pytest.raises(AssertionError, match="untouched"):
        compare(SCENARIO, {"f": ORIGINAL}, outcome({"f": ORIGINAL}), outcome({"f": ORIGINAL + b"\n"}))


def test_output_status_and_error_text_are_compared():
    same = {"f": ORIGINAL}
    with pytest.raises(AssertionError, match="stdout"):
        compare(SCENARIO, same, outcome(same), outcome(same, stdout="ok \n"))
    with pytest.raises(AssertionError, match="exit"):
        compare(SCENARIO, same, outcome(same, status=1, stderr="error: x\n"),
                outcome(same, status=2, stderr="error: x\n"))
    with pytest.raises(AssertionError, match="stderr"):
        compare(SCENARIO, same, outcome(same, status=1, stderr="error: x\n"),
                outcome(same, status=1, stderr="error: y\n"))
    naming = Scenario("s", {}, (("view",),), stderr=FAILS_NAMING_FILE, named_file="conf")
    compare(naming, same, outcome(same, status=1, stderr="error: Go dump\n"),
            outcome(same, status=1, stderr="error: conf: line 1\n"))
    with pytest.raises(AssertionError):
        compare(naming, same, outcome(same, status=1, stderr="error: Go dump\n"),
                outcome(same, status=1, stderr="error: somewhere else\n"))


def test_strip_unknown_keeps_the_v1_schema_only():
    doc = {"kind": "Config", "x": 1, "users": [{"name": "u", "x": 2, "user": {
        "token": "t", "exec": {"command": "c", "x": 3, "env": [{"name": "A", "value": "1", "x": 4}]}}}]}
    assert strip_unknown(doc) == {"kind": "Config", "users": [{"name": "u", "user": {
        "token": "t", "exec": {"command": "c", "env": [{"name": "A", "value": "1"}]}}}]}
