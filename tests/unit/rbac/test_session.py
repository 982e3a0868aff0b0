"""`KUBEWALLET_RBAC`: the manifests that come with a workspace (the demo names its rbac/ folder)."""

from __future__ import annotations

import os

from hypothesis import given, settings
from hypothesis import strategies as st

from kubewallet.rbac.session import WORKSPACE_POLICY_ENV, load_policy, workspace_policy_paths
from tests.unit.rbac.policies import SAMPLE


def test_existing_paths_in_order_empty_missing_and_repeated_ones_skipped(tmp_path):
    a, b = tmp_path / "a.yaml", tmp_path / "rbac"
    a.write_text(SAMPLE)
    b.mkdir()
    value = os.pathsep.join(["", str(a), str(tmp_path / "gone.yaml"), str(b), str(a), ""])
    assert workspace_policy_paths({WORKSPACE_POLICY_ENV: value}) == [str(a), str(b)]
    assert workspace_policy_paths({}) == []
    loaded = load_policy(workspace_policy_paths({WORKSPACE_POLICY_ENV: value}))
    assert loaded.report.files and "alice" in {s.name for s in loaded.subjects()}


@given(st.text(max_size=200))
@settings(max_examples=200)
def test_any_value_gives_existing_paths_only(value):
    for path in workspace_policy_paths({WORKSPACE_POLICY_ENV: value}):
        assert path and os.path.exists(path)
