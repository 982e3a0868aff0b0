"""Loading rules, merging and edit routing: kubectl's rules, table by table."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from kubewallet.errors import KubeconfigError, KubeconfigParseError
from kubewallet.kubeconfig import LoadingRules, load_workspace, run_edit


def write(path: Path, doc: dict | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(doc if isinstance(doc, str) else yaml.safe_dump(doc))
    return path


def cfg(*, clusters=(), users=(), contexts=(), current=None, **extra) -> dict:
    doc = {"apiVersion": "v1", "kind": "Config",
           "clusters": [{"name": n, "cluster": {"server": s}} for n, s in clusters],
           "users": [{"name": n, "user": u} for n, u in users],
           "contexts": [{"name": n, "context": c} for n, c in contexts], **extra}
    if current is not None:
        doc["current-context"] = current
    return doc


def rules_for(*paths: Path) -> LoadingRules:
    return LoadingRules.from_env(environ={"KUBECONFIG": os.pathsep.join(map(str, paths))})


def test_kubeconfig_list_skips_empty_and_repeated_entries(tmp_path):
    a = str(tmp_path / "a")
    rules = LoadingRules.from_env(environ={"KUBECONFIG": f"{a}{os.pathsep}{os.pathsep}{a}"})
    assert rules.precedence == (a,)


def test_explicit_file_wins_over_kubeconfig(tmp_path):
    rules = LoadingRules.from_env("x.yaml", environ={"KUBECONFIG": "y.yaml"})
    assert rules.precedence == ("x.yaml",) and rules.is_explicit


def test_default_is_home_kube_config(tmp_path):
    rules = LoadingRules.from_env(environ={"HOME": str(tmp_path)})
    assert rules.precedence == (str(tmp_path / ".kube" / "config"),)


def test_first_file_wins_for_names_and_current_context(tmp_path):
    a = write(tmp_path / "a", cfg(clusters=[("c", "https://a")], contexts=[("x", {"cluster": "c"})]))
    b = write(tmp_path / "b", cfg(clusters=[("c", "https://b"), ("d", "https://d")], current="x"))
    ws = load_workspace(rules_for(a, b, tmp_path / "missing"))
    assert ws.clusters["c"].body["server"] == "https://a"
    assert ws.clusters["c"].file == str(a) and ws.clusters["d"].file == str(b)
    assert ws.current_context == "x"


def test_edits_go_where_kubectl_writes_them(tmp_path):
    a = write(tmp_path / "a", cfg(contexts=[("one", {"cluster": "c", "user": "u"})]))
    b = write(tmp_path / "b", cfg(contexts=[("two", {"cluster": "c", "user": "u"})], current="one"))
    before_b = b.read_bytes()
    rules = rules_for(tmp_path / "missing", a, b)

    def edit(ws):
        ws.use_context("two")                         # new current-context: first existing file
        ws.set_entry("contexts", "two", {"cluster": "c", "user": "u", "namespace": "n"})  # origin: b
        ws.set_entry("contexts", "three", {"cluster": "c", "user": "u"})                  # new: a
    run_edit(rules, edit)
    da, db = yaml.safe_load(a.read_text()), yaml.safe_load(b.read_text())
    assert da["current-context"] == "two" and db["current-context"] == "one"
    assert {c["name"] for c in da["contexts"]} == {"one", "three"}
    assert db["contexts"][0]["context"]["namespace"] == "n"
    assert not (tmp_path / "missing").exists()
    assert before_b != b.read_bytes()


def test_an_unchanged_file_is_not_rewritten(tmp_path):
    a = write(tmp_path / "a", "# my comment\n" + yaml.safe_dump(cfg(contexts=[("x", {"cluster": "c", "user": "u"})], current="x")))
    b = write(tmp_path / "b", cfg(contexts=[("why", {"cluster": "c", "user": "u"})]))
    run_edit(rules_for(a, b), lambda ws: ws.set_entry("contexts", "why", {"cluster": "c2", "user": "u"}))
    assert a.read_text().startswith("# my comment")


def test_unknown_fields_and_extensions_survive_an_edit(tmp_path):
    doc = cfg(clusters=[("c", "https://c")], contexts=[("x", {"cluster": "c", "user": "u",
              "extensions": [{"name": "e", "extension": {"k": [1, 2]}}]})], current="x")
    doc["clusters"][0]["cluster"]["vendor-field"] = {"a": 1}
    doc["top-level-extra"] = "kept"
    doc["preferences"] = {"colors": True}
    a = write(tmp_path / "a", doc)
    run_edit(rules_for(a), lambda ws: ws.set_entry("contexts", "x", {**ws.contexts["x"].body, "namespace": "n"}))
    out = yaml.safe_load(a.read_text())
    assert out["top-level-extra"] == "kept"
    assert out["clusters"][0]["cluster"]["vendor-field"] == {"a": 1}
    assert out["contexts"][0]["context"]["extensions"] == [{"name": "e", "extension": {"k": [1, 2]}}]
    assert out["preferences"] == {"colors": True}


@pytest.mark.parametrize("text, words, line", [
    ("clusters:\n- name: c\n  cluster: {server: 123}\n", "clusters[0].cluster.server: expected a string", 3),
    ("contexts:\n- name: c\n  context: {cluster: x, user: y, namespace: no}\n", "quote it", 3),
    ("users:\n- name: u\n  user: {client-key-data: 'abc'}\n", "illegal base64 data at input byte 0", 3),
    ("contexts:\n- name: c\n  context: {cluster: x, user: y}\n", "quote it", 3),  # go-yaml: y is true
    ("clusters:\n- name: c\n  cluster: {server: x}\n- name: c\n  cluster: {server: z}\n", "duplicate name 'c'", 4),
    ("clusters: {server: x\n", "YAML syntax error", 2),
    ("- just\n- a list\n", "must hold a mapping", None),
    ("kind: Pod\napiVersion: v1\n", "not a kubeconfig", 1),
])
def test_a_bad_file_gets_file_line_and_column_and_is_never_written(tmp_path, text, words, line):
    a = write(tmp_path / "a", text)
    with pytest.raises(KubeconfigParseError) as err:
        run_edit(rules_for(a), lambda ws: ws.use_context("anything"))
    assert words in str(err.value) and str(a) in str(err.value)
    if line:
        assert err.value.line == line and err.value.column
    assert a.read_text() == text


def test_file_mode_is_kept_and_new_files_are_private(tmp_path):
    a = write(tmp_path / "a", cfg(contexts=[("x", {"cluster": "c", "user": "u"})]))
    a.chmod(0o640)
    run_edit(rules_for(a), lambda ws: ws.use_context("x"))
    assert a.stat().st_mode & 0o777 == 0o640
    new = tmp_path / "sub" / "new"
    run_edit(rules_for(new), lambda ws: ws.set_entry("contexts", "y", {"cluster": "", "user": ""}))
    assert new.stat().st_mode & 0o777 == 0o600


def test_a_symlinked_kubeconfig_is_written_through_to_its_target(tmp_path):
    target = write(tmp_path / "real" / "config", cfg(contexts=[("x", {"cluster": "c", "user": "u"})]))
    link = tmp_path / "link"
    link.symlink_to(target)
    run_edit(rules_for(link), lambda ws: ws.use_context("x"))
    assert link.is_symlink()
    assert yaml.safe_load(target.read_text())["current-context"] == "x"


def test_missing_explicit_file_is_an_error(tmp_path):
    with pytest.raises(KubeconfigError, match="no such file"):
        load_workspace(LoadingRules.from_env(str(tmp_path / "nope")))


def test_a_recreated_entry_can_go_back_to_the_file_it_came_from(tmp_path):
    a = write(tmp_path / "a", cfg(contexts=[("first", {"cluster": "c", "user": "u"})], current="first"))
    b = write(tmp_path / "b", cfg(contexts=[("second", {"cluster": "c", "user": "u"})]))
    run_edit(rules_for(a, b), lambda ws: ws.delete_entry("contexts", "second"))
    run_edit(rules_for(a, b), lambda ws: ws.set_entry("contexts", "second", {"cluster": "c", "user": "u"}, file=str(b)))
    assert [c["name"] for c in yaml.safe_load(b.read_text())["contexts"]] == ["second"]
    assert [c["name"] for c in yaml.safe_load(a.read_text())["contexts"]] == ["first"]


def test_loading_reports_each_file_then_the_contexts_read(tmp_path):
    """The window's status bar says which of several KUBECONFIG files is being read."""
    a = write(tmp_path / "a", cfg(contexts=[("one", {"cluster": "c"})], current="one"))
    b = write(tmp_path / "b", cfg(contexts=[("two", {"cluster": "c"}), ("one", {"cluster": "x"})]))
    seen: list[tuple[int, int, str]] = []
    ws = load_workspace(rules_for(a, b), report=lambda done, total, text: seen.append((done, total, text)))
    assert list(ws.contexts) == ["one", "two"]
    assert seen == [(0, 2, "reading a (1 of 2)"), (1, 2, "reading b (2 of 2)"), (2, 2, "read 2 contexts")]
