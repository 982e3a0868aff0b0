"""kubeconfig/folders.py: where the folders come from, which files count, labels, the index."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kubewallet.errors import KubeconfigParseError
from kubewallet.kubeconfig import LoadingRules, load_workspace
from kubewallet.kubeconfig import folders as kf
from tests.support.folders import age, write_kubeconfig


@pytest.fixture
def home(_isolated_home) -> Path:
    return _isolated_home


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in (kf.ENV_DIRS, "KUBECONFIG", kf.ENV_MAIN)}
    env.update(extra)
    return env


# ----- where the folders come from ------------------------------------------------------------------

def test_no_folder_when_nothing_is_configured_and_no_config_d(home):
    assert kf.configured_folders(_env()) == []


def test_config_d_is_the_default_when_it_exists(home):
    (home / ".kube" / "config.d").mkdir(parents=True)
    assert kf.configured_folders(_env()) == [str(home / ".kube" / "config.d")]


def test_the_environment_wins_over_the_settings_file_and_empty_means_none(home, tmp_path):
    (home / ".kube" / "config.d").mkdir(parents=True)
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    kf.add_folder(str(a), _env())
    assert kf.configured_folders(_env()) == [str(home / ".kube" / "config.d"), str(a)]
    assert kf.configured_folders(_env(**{kf.ENV_DIRS: f"{b}{os.pathsep}{os.pathsep}{b}"})) == [str(b)]
    assert kf.configured_folders(_env(**{kf.ENV_DIRS: ""})) == []


def test_removing_the_default_folder_switches_it_off(home):
    (home / ".kube" / "config.d").mkdir(parents=True)
    assert kf.remove_folder(str(home / ".kube" / "config.d"), _env()) == []
    assert kf.configured_folders(_env()) == []


def test_a_broken_settings_file_is_a_clear_error(home):
    path = Path(kf.settings_file(_env()))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"folders": "not a list"}')
    with pytest.raises(kf.KubeconfigError, match="folders.json"):
        kf.configured_folders(_env())


@pytest.mark.parametrize("name, counts", [
    ("acme.yaml", True), ("acme", True), ("acme.kubeconfig", True),
    ("acme.yaml~", False), ("acme.yaml.bak", False), ("acme.yaml.lock", False),
    (".acme.yaml.kubewallet-12-34.tmp", False), (".acme.yaml.swp", False), (".hidden", False),
    ("acme.yaml.orig", False), ("acme.yaml.dpkg-old", False),
])
def test_which_file_names_count(name, counts):
    assert kf.is_candidate(name) is counts


# ----- reading one file cheaply ------------------------------------------------------------------------

def test_scan_reads_what_the_engine_reads(tmp_path):
    path = write_kubeconfig(tmp_path / "a.yaml", ["x", "w", "z"], current="w", namespace="ns1")
    info = kf.scan_file(str(path))
    ws = load_workspace(LoadingRules((str(path),), str(path)))
    assert [c[0] for c in info["contexts"]] == list(ws.contexts)
    assert info["current"] == ws.current_context == "w"
    assert info["contexts"][0] == ["x", "x", "me", "ns1"]


@pytest.mark.parametrize("text, words", [
    ("clusters: [\n", "line 2"),
    ("- a\n- b\n", "must hold a mapping"),
    ("kind: Pod\napiVersion: v1\n", "not a kubeconfig"),
    ("contexts: {a: b}\n", "contexts a list"),
    ("contexts:\n- name: a\n- name: a\n", "duplicate name"),
    ("contexts:\n- name: [a]\n", "contexts[0]"),
])
def test_scan_reports_a_bad_file_by_name(tmp_path, text, words):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    info = kf.scan_file(str(path))
    assert words in info["error"] and str(path) in info["error"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.binary(max_size=200),
                 st.text(alphabet="-:[]{} \n\t'\"&*!|>%@abcontextsnamecurrent", max_size=200).map(str.encode)))
def test_scan_never_crashes_and_agrees_with_the_engine_on_names(tmp_path, raw):
    path = tmp_path / "fuzz.yaml"
    path.write_bytes(raw)
    info = kf.scan_file(str(path))
    assert set(info) in ({"error"}, {"current", "contexts"})
    try:
        ws = load_workspace(LoadingRules((str(path),), str(path)))
    except kf.KubewalletError:
        return  # the engine is stricter (full schema): scan may accept what a switch will refuse
    assert "error" not in info
    assert sorted(c[0] for c in info["contexts"]) == sorted(ws.contexts)


# ----- the catalog ---------------------------------------------------------------------------------------

@pytest.fixture
def world(home):
    kube = home / ".kube"
    write_kubeconfig(kube / "config", ["main-a", "prod"], current="main-a")
    write_kubeconfig(kube / "config.d" / "acme.yaml", ["acme-dev", "prod"], current="acme-dev")
    write_kubeconfig(kube / "config.d" / "globex.yaml", ["globex-1"])
    return kube


def test_labels_bare_when_unique_and_qualified_when_not(world):
    cat = kf.load_catalog(None, _env())
    assert cat.labels == ["acme-dev", "acme/prod", "config/prod", "globex-1", "main-a"]
    assert cat.find("acme/prod").file == str(world / "config.d" / "acme.yaml")
    assert cat.find("globex/globex-1").name == "globex-1"
    assert cat.find("globex.yaml/globex-1").name == "globex-1"
    assert cat.find(str(world / "config.d" / "globex.yaml") + "/globex-1").name == "globex-1"
    with pytest.raises(kf.AmbiguousContext) as err:
        cat.find("prod")
    assert {c.label for c in err.value.candidates} == {"acme/prod", "config/prod"}
    with pytest.raises(kf.UnknownContext):
        cat.find("nope")
    assert cat.active is not None and cat.active.label == "main-a"
    assert [c.label for c in cat.contexts if c.current] == ["acme-dev", "main-a"]


def test_same_stem_in_two_folders_falls_back_to_the_file_name_then_the_path(home, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    write_kubeconfig(a / "team.yaml", ["x"])
    write_kubeconfig(a / "team.yml", ["x"])
    write_kubeconfig(b / "team.yaml", ["x"])
    cat = kf.load_catalog(None, _env(**{kf.ENV_DIRS: f"{a}{os.pathsep}{b}"}))
    assert sorted(cat.labels) == sorted([f"{a / 'team.yaml'}/x", f"{b / 'team.yaml'}/x", "team.yml/x"])
    for label in cat.labels:
        assert cat.find(label).label == label


def test_a_broken_folder_file_is_a_problem_not_an_error(world):
    (world / "config.d" / "zz.yaml").write_text("clusters: [\n")
    cat = kf.load_catalog(None, _env())
    assert [Path(p.path).name for p in cat.problems] == ["zz.yaml"]
    assert "globex-1" in cat.labels


def test_a_broken_main_kubeconfig_fails_as_kubectl_does(world):
    (world / "config").write_text("clusters: [\n")
    with pytest.raises(KubeconfigParseError):
        kf.load_catalog(None, _env())


def test_while_kubeconfig_names_a_folder_file_the_main_is_remembered(world, tmp_path):
    other = write_kubeconfig(tmp_path / "work.yaml", ["work-1"])
    acme = str(world / "config.d" / "acme.yaml")
    cat = kf.load_catalog(None, _env(KUBECONFIG=str(other)))
    result = kf.switch(cat, cat.find("acme-dev"))
    assert result.env_changes == {"KUBECONFIG": acme, kf.ENV_MAIN: str(other)}
    cat = kf.load_catalog(None, _env(KUBECONFIG=acme, **{kf.ENV_MAIN: str(other)}))
    assert "work-1" in cat.labels and "main-a" not in cat.labels
    assert cat.active is not None and cat.active.label == "acme-dev"
    result = kf.switch(cat, cat.find("work-1"))
    assert result.env_changes == {"KUBECONFIG": str(other)}
    # without the remembered main, it is kubectl's default file
    cat = kf.load_catalog(None, _env(KUBECONFIG=acme))
    assert "main-a" in cat.labels and cat.labels.count("acme-dev") == 1
    assert kf.switch(cat, cat.find("main-a")).env_changes == {"KUBECONFIG": None}


def test_switching_edits_only_the_context_file(world):
    main_before = (world / "config").read_bytes()
    cat = kf.load_catalog(None, _env())
    kf.switch(cat, cat.find("acme/prod"))
    assert "current-context: prod" in (world / "config.d" / "acme.yaml").read_text()
    assert (world / "config").read_bytes() == main_before
    write_kubeconfig(world / "config.d" / "acme.yaml", ["acme-dev", "renamed"])  # changed meanwhile
    with pytest.raises(kf.UnknownContext, match="no longer in"):
        kf.switch(cat, cat.find("acme/prod"))


def test_previous_context_references_round_trip(world):
    cat = kf.load_catalog(None, _env())
    for ctx in cat.contexts:
        assert cat.from_reference(cat.reference(ctx)) == ctx


# ----- the index ------------------------------------------------------------------------------------------

def test_unchanged_files_are_not_read_again(world, monkeypatch):
    for p in (world / "config.d").iterdir():
        age(p)
    kf.load_catalog(None, _env())
    index = json.loads(Path(kf._index_file(_env())).read_text())
    assert len(index["files"]) == 2
    read: list[str] = []
    real = kf.scan_file
    monkeypatch.setattr(kf, "scan_file", lambda path: read.append(path) or real(path))
    assert "globex-1" in kf.load_catalog(None, _env()).labels
    assert read == []
    write_kubeconfig(world / "config.d" / "globex.yaml", ["globex-1", "globex-2"])
    assert "globex-2" in kf.load_catalog(None, _env()).labels
    assert [Path(p).name for p in read] == ["globex.yaml"]


def test_a_file_written_just_now_is_not_trusted_to_the_index(world, monkeypatch):
    kf.load_catalog(None, _env())  # files written a moment ago: mtime may not show a next write
    read: list[str] = []
    real = kf.scan_file
    monkeypatch.setattr(kf, "scan_file", lambda path: read.append(path) or real(path))
    kf.load_catalog(None, _env())
    assert len(read) == 2


def test_a_broken_index_is_ignored(world):
    path = Path(kf._index_file(_env()))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{nope")
    assert "globex-1" in kf.load_catalog(None, _env()).labels


# ----- shell code -----------------------------------------------------------------------------------------

_values = st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\0"),
                           min_size=1, max_size=30), min_size=1, max_size=20)


@settings(max_examples=15, deadline=None)
@given(_values)
def test_posix_quoting_survives_bash(values):
    script = "".join(f"printf '%s\\0' {kf.sh_quote(v)}\n" for v in values)
    out = subprocess.run(["bash", "-c", script], capture_output=True, check=True).stdout
    assert out.decode("utf-8", "surrogateescape").split("\0")[:-1] == values


@settings(max_examples=15, deadline=None)
@given(_values)
def test_fish_quoting_survives_fish(system_tool, values):
    script = "".join(f"printf '%s\\0' {kf.fish_quote(v)}\n" for v in values)
    out = subprocess.run([system_tool("fish"), "-c", script], capture_output=True, check=True).stdout
    assert out.decode("utf-8", "surrogateescape").split("\0")[:-1] == values


def test_env_lines_in_both_syntaxes():
    changes = {"KUBECONFIG": "/a b/c", kf.ENV_MAIN: None}
    assert kf.env_lines(changes) == "export KUBECONFIG='/a b/c'\nunset KUBEWALLET_MAIN_KUBECONFIG\n"
    assert kf.env_lines(changes, "fish") == "set -gx KUBECONFIG '/a b/c'\nset -e KUBEWALLET_MAIN_KUBECONFIG\n"
    with pytest.raises(kf.UsageError):
        kf.shell_function("tcsh")


_file_names = st.sampled_from(["a.yaml", "a.yml", "a", "b.yaml", "config", "x.y.yaml"])
_ctx_names = st.sampled_from(["p", "q", "a/p", "b/p", "config/p", "a.yaml/p", "x.y/q"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(main=st.lists(_ctx_names, unique=True, max_size=3),
       layout=st.lists(st.tuples(st.sampled_from(["one", "two"]), _file_names,
                                 st.lists(_ctx_names, unique=True, min_size=1, max_size=3)),
                       max_size=5, unique_by=lambda t: (t[0], t[1])))
def test_every_label_is_distinct_and_names_its_own_context(home, main, layout):
    import shutil
    import tempfile

    root = Path(tempfile.mkdtemp(dir=home))
    try:
        write_kubeconfig(root / "config", main)
        for folder, name, contexts in layout:
            write_kubeconfig(root / folder / name, contexts)
        env = _env(KUBECONFIG=str(root / "config"),
                   **{kf.ENV_DIRS: os.pathsep.join([str(root / "one"), str(root / "two")])})
        cat = kf.load_catalog(None, env, use_index=False)
        assert len(cat.contexts) == len(main) + sum(len(c) for _, _, c in layout)
        assert len(set(cat.labels)) == len(cat.labels)
        for ctx in cat.contexts:
            assert cat.find(ctx.label) == ctx
            try:
                found = cat.find(ctx.qualified)
            except kf.AmbiguousContext as exc:
                assert ctx in exc.candidates
            else:
                assert found == ctx or found.label == ctx.qualified
    finally:
        shutil.rmtree(root)
