"""Round trip, judged by kubectl itself: it reads the file we wrote exactly as it reads the
original (the generators and helpers live with the unit round-trip tests)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from hypothesis import given, settings

from tests.unit.kubeconfig.test_roundtrip import SETTINGS, TRICKY, kubeconfigs, save_all, write_json


def kubectl_view(kubectl: str, path: Path) -> dict:
    out = subprocess.run([kubectl, "--kubeconfig", str(path), "config", "view", "--raw", "-o", "json"],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@settings(SETTINGS, max_examples=10)
@given(doc=kubeconfigs())
def test_kubectl_reads_our_file_as_it_reads_the_original(tmp_path_factory, kubectl, doc):
    folder = tmp_path_factory.mktemp("kubectl")
    original, ours = folder / "original", folder / "ours"
    write_json(original, doc)
    write_json(ours, doc)
    save_all(ours)
    assert kubectl_view(kubectl, ours) == kubectl_view(kubectl, original)


def test_kubectl_reads_every_tricky_string_back_unchanged(tmp_path, kubectl):
    """The strings YAML reads as other types, each as a namespace and inside an extension."""
    values = [t for t in TRICKY if t]
    doc = {"apiVersion": "v1", "kind": "Config", "clusters": None, "users": None,
           "contexts": [{"name": f"c{i}", "context": {
               "cluster": "x", "user": "y", "namespace": value,
               "extensions": [{"name": "e", "extension": {value: [value]}}]}}
               for i, value in enumerate(values)]}
    path = tmp_path / "config"
    write_json(path, doc)
    save_all(path)
    seen = {c["name"]: c["context"] for c in kubectl_view(kubectl, path)["contexts"]}
    for i, value in enumerate(values):
        assert seen[f"c{i}"]["namespace"] == value
        assert seen[f"c{i}"]["extensions"][0]["extension"] == {value: [value]}
