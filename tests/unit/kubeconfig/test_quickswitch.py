"""The quick switch: a value spliced into the file when the cache knows it, the full path otherwise;
the cache holds no secret and is private; a file changed behind its back is never spliced."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from kubewallet.kubeconfig import LoadingRules, NoSuchContext, load_workspace, switch_namespace, switch_to
from kubewallet.kubeconfig import quickswitch
from kubewallet.kubeconfig.yamlio import dump_yaml, parse_yaml

TOKEN = "token-that-must-never-be-cached-4f1c"


def doc(names, current, namespaces=None) -> dict:
    namespaces = namespaces or {}
    return {"apiVersion": "v1", "kind": "Config", "current-context": current, "preferences": {},
            "clusters": [{"name": "k", "cluster": {"server": "https://k.example:6443"}}],
            "users": [{"name": "u", "user": {"token": TOKEN}}],
            "contexts": [{"name": n, "context": {"cluster": "k", "user": "u", "namespace": namespaces.get(n, "web")}}
                         for n in names]}


def write(path: Path, data: dict) -> LoadingRules:
    path.write_text(dump_yaml(data))
    return LoadingRules.from_env(environ={"KUBECONFIG": str(path)})


def cache_file() -> Path:
    return Path(os.environ["XDG_CACHE_HOME"]) / "kubewallet" / "switch-cache"


def test_a_full_switch_leaves_a_private_cache_without_secrets(tmp_path):
    rules = write(tmp_path / "config", doc(["a", "b"], "a"))
    switch_to(rules, "b")
    data = cache_file().read_bytes()
    assert TOKEN.encode() not in data and b"k.example" not in data
    assert cache_file().stat().st_mode & 0o777 == 0o600
    assert cache_file().parent.stat().st_mode & 0o777 == 0o700


def test_the_next_switch_is_a_splice_that_keeps_everything_else(tmp_path):
    path = tmp_path / "config"
    rules = write(path, doc(["a", "b"], "a"))
    switch_to(rules, "b")
    before = path.read_bytes()
    assert quickswitch.use_context(rules, "a", NoSuchContext) == "b"
    after = path.read_bytes()
    assert after == before.replace(b"current-context: b", b"current-context: a")
    with pytest.raises(NoSuchContext):
        quickswitch.use_context(rules, "nope", NoSuchContext)
    assert path.read_bytes() == after


def test_a_file_changed_behind_the_cache_is_never_spliced(tmp_path):
    path = tmp_path / "config"
    rules = write(path, doc(["a", "b", "c"], "a"))
    switch_to(rules, "b")
    path.write_text(dump_yaml(doc(["a", "c"], "b")))  # another program removed b and kept the size? no matter
    with pytest.raises(quickswitch.Miss):
        quickswitch.use_context(rules, "c", NoSuchContext)
    switch_to(rules, "c")  # the full path: read, validated, written
    assert load_workspace(rules).current_context == "c"


def test_a_file_of_the_merge_that_changed_without_a_new_mtime_is_read_again(tmp_path):
    """git's racily-clean case: a file cached within 2 s of its last change is not trusted on
    its stat, so a same-size rewrite with the old mtime is still seen."""
    first, second = tmp_path / "a", tmp_path / "b"
    write(first, doc(["a"], "a"))
    write(second, {**doc(["b1"], ""), "current-context": ""})
    rules = LoadingRules.from_env(environ={"KUBECONFIG": f"{first}{os.pathsep}{second}"})
    switch_to(rules, "b1")
    st = second.stat()
    second.write_text(second.read_text().replace("b1", "b2"))
    os.utime(second, ns=(st.st_atime_ns, st.st_mtime_ns))
    with pytest.raises(quickswitch.Miss):
        quickswitch.use_context(rules, "b1", NoSuchContext)
    with pytest.raises(NoSuchContext):
        switch_to(rules, "b1")


def test_namespace_splice_and_history(tmp_path):
    path = tmp_path / "config"
    rules = write(path, doc(["a", "b"], "a", {"a": "web"}))
    switch_namespace(rules, "billing")  # full path, then cached
    assert quickswitch.set_namespace(rules, "payments") == ("a", "billing")
    assert parse_yaml(path.read_bytes(), str(path))["contexts"][0]["context"]["namespace"] == "payments"
    assert switch_namespace(rules, "team") == ("a", "payments", "team")  # quick, and remembered
    assert switch_namespace(rules, "-").namespace == "payments"


def test_use_on_a_cached_file_does_not_load_yaml(tmp_path):
    """What makes `kubewallet use NAME` faster than kubectl: no PyYAML on the quick path."""
    path = tmp_path / "config"
    write(path, doc(["a", "b"], "a"))
    env = dict(os.environ, KUBECONFIG=str(path))
    probe = ("import sys; from kubewallet.cli.main import main; rc = main(['use', sys.argv[1]]); "
             "print(sorted(m for m in sys.modules if m.split('.')[0] in ('yaml', 'typing', 'dataclasses', 'json')))")
    first = subprocess.run([sys.executable, "-c", probe, "b"], env=env, capture_output=True, text=True, check=True)
    assert "'yaml'" in first.stdout  # the first switch reads the file for real
    second = subprocess.run([sys.executable, "-c", probe, "a"], env=env, capture_output=True, text=True, check=True)
    assert second.stdout.splitlines()[-1] == "[]"
    assert 'Switched to context "a".' in second.stdout


names = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12)


@given(names, names)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_name_spliced_reads_back_as_itself(tmp_path, first, second):
    """The splice writes any context name so that the YAML reader kubectl's rules follow reads
    back exactly that name; a name the splice cannot write (control characters) goes the full way."""
    path = tmp_path / "fuzz"
    if first == second:
        second += "x"
    rules = write(path, doc([first, second], first))
    try:
        switch_to(rules, first)  # no change: nothing written, the file cached
    except Exception:
        return  # a name kubectl's reader refuses too (e.g. a lone surrogate escape): not our case
    try:
        quickswitch.use_context(rules, second, NoSuchContext)
    except quickswitch.Miss:
        switch_to(rules, second)
    data = parse_yaml(path.read_bytes(), str(path))
    assert data["current-context"] == second
    assert sorted(c["name"] for c in data["contexts"]) == sorted([first, second])


scalars = st.one_of(st.sampled_from(["a", "b c", "yes", "'q'", '"d"', "&x a", "*x", "!!str s", "[a]",
                                     "{}", "", "~", "é", "a # c", "|\n    block"]), names)


@given(st.lists(st.tuples(scalars, scalars), min_size=0, max_size=3), scalars,
       st.sampled_from(["\n", "\r\n"]))
@settings(max_examples=150, deadline=None)
def test_describe_never_guesses_a_span_wrong(contexts, current, newline):
    """For any document of these shapes, the spans found hold exactly the value the YAML
    reader sees (so a splice there replaces that value and nothing else), or there is none."""
    lines = ["apiVersion: v1", "kind: Config", "contexts:"]
    for name, namespace in contexts:
        lines += [f"- name: {name}", "  context:", "    cluster: k", f"    namespace: {namespace}"]
    lines.append(f"current-context: {current}")
    raw = newline.join(lines).encode() + newline.encode()
    try:
        data = parse_yaml(raw, "fuzz")
    except Exception:
        return  # not YAML at all: the full path reports it, the cache never sees it
    names_seen = [str(item.get("name")) for item in data.get("contexts") or [] if isinstance(item, dict)]
    if len(set(names_seen)) != len(names_seen):
        return  # duplicate names: kubectl refuses the file, so it is never cached
    info = quickswitch.describe(raw)
    if info is None:
        return
    if info["cc"] is not None:
        start, end = info["cc"]
        assert parse_yaml(b"v: " + raw[start:end], "span") == {"v": data["current-context"]}
    for item in data.get("contexts") or []:
        span = info["contexts"].get(item["name"], (None, None, None))[2]
        if span is not None:
            assert parse_yaml(b"v: " + raw[span[0]:span[1]], "span") == {"v": item["context"]["namespace"]}
