"""The engine's switches remember what they leave, whoever calls them (`use -`, `ns -`)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from kubewallet.errors import KubeconfigError
from kubewallet.kubeconfig import (LoadingRules, NoSuchContext, load_workspace, set_current_context,
                                   switch_back, switch_namespace, switch_to)
from kubewallet.kubeconfig import folders, history


def kubeconfig(path: Path, current: str = "a", names=("a", "b", "c"), namespaces=None) -> LoadingRules:
    namespaces = namespaces or {}
    path.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": current,
        "clusters": [{"name": "k", "cluster": {"server": "https://k.example:6443"}}],
        "users": [{"name": "u", "user": {"token": "t"}}],
        "contexts": [{"name": n, "context": {"cluster": "k", "user": "u",
                                             **({"namespace": namespaces[n]} if n in namespaces else {})}}
                     for n in names]}))
    return LoadingRules.from_env(environ={"KUBECONFIG": str(path)})


def test_switch_to_remembers_the_context_it_leaves_and_switch_back_toggles(tmp_path):
    rules = kubeconfig(tmp_path / "config")
    assert switch_to(rules, "b").previous == "a"
    assert history.previous_context(rules.precedence) == "a"
    assert switch_back(rules).context == "a"
    assert load_workspace(rules).current_context == "a"
    assert switch_back(rules).context == "b"


def test_a_switch_to_the_current_context_keeps_the_previous_one(tmp_path):
    rules = kubeconfig(tmp_path / "config")
    switch_to(rules, "b")
    switch_to(rules, "b")
    assert history.previous_context(rules.precedence) == "a"


def test_an_unknown_context_writes_nothing_and_remembers_nothing(tmp_path):
    rules = kubeconfig(tmp_path / "config")
    before = (tmp_path / "config").read_bytes()
    with pytest.raises(NoSuchContext):
        switch_to(rules, "nope")
    assert (tmp_path / "config").read_bytes() == before
    with pytest.raises(KubeconfigError, match="no previous context"):
        switch_back(rules)


def test_set_current_context_alone_leaves_the_history_to_its_caller(tmp_path):
    rules = kubeconfig(tmp_path / "config")
    assert set_current_context(rules, "c") == "a"
    assert history.previous_context(rules.precedence) is None


def test_switch_namespace_remembers_per_context_and_dash_goes_back(tmp_path):
    rules = kubeconfig(tmp_path / "config", namespaces={"a": "web"})
    done = switch_namespace(rules, "billing")
    assert (done.context, done.previous, done.namespace) == ("a", "web", "billing")
    assert switch_namespace(rules, "-").namespace == "web"
    assert load_workspace(rules).contexts["a"].body["namespace"] == "web"
    assert history.recent_namespaces(rules.precedence, "a")[:2] == ["web", "billing"]
    assert history.recent_namespaces(rules.precedence, "b") == []
    switch_to(rules, "b")
    with pytest.raises(KubeconfigError, match='no previous namespace for context "b"'):
        switch_namespace(rules, "-")


def test_the_history_file_is_private(tmp_path):
    rules = kubeconfig(tmp_path / "config")
    switch_to(rules, "b")
    state = Path(os.environ["XDG_STATE_HOME"]) / "kubewallet" / "history.json"
    assert state.stat().st_mode & 0o077 == 0


def test_a_folder_switch_is_remembered_under_the_main_kubeconfig(tmp_path, monkeypatch):
    """A switch from the palette (folders.switch) and `use -` afterwards agree on where to go."""
    main = kubeconfig(tmp_path / "config", current="a")
    folder = tmp_path / "config.d"
    folder.mkdir()
    kubeconfig(folder / "acme.yaml", current="xa", names=("xa", "xb"))
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "config"))
    monkeypatch.setenv(folders.ENV_DIRS, str(folder))
    catalog = folders.load_catalog()
    folders.switch(catalog, catalog.find("xb"))
    assert history.previous_context(main.precedence) == "a"
    shell = {**os.environ, "KUBECONFIG": str(folder / "acme.yaml"), folders.ENV_MAIN: str(tmp_path / "config")}
    back = folders.load_catalog(environ=shell).previous()
    assert (back.name, back.folder) == ("a", False)
