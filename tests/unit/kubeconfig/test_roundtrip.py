"""Property-based round trips: whatever valid kubeconfig we are given, loading and saving it
(with no edit, or with one) keeps every value — unknown fields and extensions included — and
kubectl reads the file we wrote exactly as it reads the original. And the fuzz side: bytes
that are not a kubeconfig give a `KubeconfigError`, never another exception, and are never
overwritten."""

from __future__ import annotations

import base64
import json
import os
import string
import subprocess
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kubewallet.errors import KubeconfigError, KubeconfigParseError
from kubewallet.kubeconfig import LoadingRules, load_workspace, read_kubeconfig, run_edit
from kubewallet.kubeconfig.saving import backup_dir
from kubewallet.kubeconfig.schema import CLUSTER, CONFIG, CONTEXT, USER, Struct

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])

# Strings YAML 1.1 (go-yaml, which kubectl uses) or YAML 1.2 would read as something else,
# strings that need quoting, and text that is merely unusual.
TRICKY = ["n", "N", "y", "Y", "yes", "No", "off", "ON", "true", "False", "1", "0", "-1", "007",
          "1.5", "1e3", "0o17", "0x1F", "0b101", "1_000", ".5", "+1", ".inf", "-.Inf", ".NaN",
          "", "null", "Null", "~", "2001-12-14", "12:30:00", "=", "<<", "- x", "a: b", "#x",
          "{}", "[]", "'", '"', "@x", "`x", "%x", "!x", "&x", "*x", "|", ">", "?", " lead",
          "trail ", "é", "日本語", "🚀", "tab\there", "line\nbreak", "x" * 300]
PRINTABLE = st.characters(whitelist_categories=("L", "N", "P", "S", "Zs"),
                          blacklist_characters="\ufeff\ufffe\uffff\u2028\u2029\x85")
text = st.one_of(st.sampled_from(TRICKY), st.text(PRINTABLE, max_size=16),
                 st.builds(lambda a, b: a + b, st.sampled_from(TRICKY), st.text(PRINTABLE, max_size=4)))
names = st.one_of(st.sampled_from(["prod", "a.b.c", "ns:ctx", "arn:aws:eks:eu-west-1:1234:cluster/x",
                                   "gke_p_z_c", "é-ü", "1", "n", "null"]),
                  text.filter(bool))
b64 = st.binary(min_size=1, max_size=48).map(lambda b: base64.b64encode(b).decode())
key = st.text(string.ascii_letters + string.digits + "-_.", min_size=1, max_size=10)
json_value = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | text
    | st.integers(-4000, 4000).map(lambda i: i / 4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(key | text, inner, max_size=3),
    max_leaves=6)


def known(struct: Struct) -> set[str]:
    return {f.name for f in struct.fields}


def unknown_fields(struct: Struct | set[str]):
    taken = struct if isinstance(struct, set) else known(struct)
    return st.dictionaries(key.filter(lambda k: k not in taken), json_value, max_size=2)


extension = st.fixed_dictionaries({"name": names, "extension": json_value})
extensions = st.lists(extension, max_size=2, unique_by=lambda e: e["name"])
some_extensions = st.tuples(extension, extensions).map(
    lambda p: [p[0]] + [e for e in p[1] if e["name"] != p[0]["name"]])


def body(fields: dict, struct: Struct):
    """Any subset of `fields` (omitempty values never empty), plus unknown fields."""
    def merge(parts):
        chosen, extra = parts
        out = dict(extra)
        out.update({k: v for k, v in chosen.items() if v is not None})
        return out
    optional = {k: st.none() | v for k, v in fields.items()}
    return st.tuples(st.fixed_dictionaries(optional), unknown_fields(struct)).map(merge)


cluster = body({"server": text, "tls-server-name": text.filter(bool),
                "insecure-skip-tls-verify": st.just(True), "certificate-authority": text.filter(bool),
                "certificate-authority-data": b64, "proxy-url": text.filter(bool),
                "disable-compression": st.just(True), "extensions": some_extensions}, CLUSTER)
exec_config = st.tuples(
    st.fixed_dictionaries({"command": text.filter(bool)}, optional={
        "args": st.lists(text, max_size=3), "env": st.lists(st.fixed_dictionaries({"name": text, "value": text}), max_size=2),
        "apiVersion": st.sampled_from(["client.authentication.k8s.io/v1beta1", "client.authentication.k8s.io/v1"]),
        "installHint": text.filter(bool), "provideClusterInfo": st.booleans(),
        "interactiveMode": st.sampled_from(["Never", "IfAvailable", "Always"])}),
    unknown_fields({"command", "args", "env", "apiVersion", "installHint", "provideClusterInfo",
                    "interactiveMode"})).map(lambda p: {**p[1], **p[0]})
auth_provider = st.fixed_dictionaries({"name": text.filter(bool),
                                       "config": st.dictionaries(key, text, max_size=3)})
user = body({"client-certificate": text.filter(bool), "client-certificate-data": b64,
             "client-key": text.filter(bool), "client-key-data": b64, "token": text.filter(bool),
             "tokenFile": text.filter(bool), "as": text.filter(bool), "as-uid": text.filter(bool),
             "as-groups": st.lists(text, min_size=1, max_size=3),
             "as-user-extra": st.dictionaries(key, st.lists(text, max_size=2), min_size=1, max_size=2),
             "username": text.filter(bool), "password": text.filter(bool),
             "auth-provider": auth_provider, "exec": exec_config,
             "extensions": some_extensions}, USER)


def named(kind: str, inner: str, bodies):
    item = st.tuples(names, bodies, unknown_fields({"name", inner})).map(
        lambda p: {**p[2], "name": p[0], inner: p[1]})
    return st.lists(item, max_size=3, unique_by=lambda i: i["name"])


@st.composite
def kubeconfigs(draw) -> dict:
    clusters = draw(named("clusters", "cluster", cluster))
    users = draw(named("users", "user", user))
    refs = st.sampled_from([c["name"] for c in clusters] + [u["name"] for u in users] + [""])
    context = body({"cluster": refs, "user": refs, "namespace": text.filter(bool),
                    "extensions": some_extensions}, CONTEXT)
    contexts = draw(named("contexts", "context", context))
    doc: dict = draw(unknown_fields(CONFIG))
    doc.update({"apiVersion": "v1", "kind": "Config", "clusters": clusters, "users": users,
                "contexts": contexts})
    if contexts and draw(st.booleans()):
        doc["current-context"] = draw(st.sampled_from([c["name"] for c in contexts]))
    if draw(st.booleans()):
        doc["preferences"] = {**draw(unknown_fields({"colors", "extensions"})),
                              "colors": draw(st.booleans()), "extensions": draw(extensions)}
    if draw(st.booleans()):
        doc["extensions"] = draw(some_extensions)
    return doc


def is_empty(value) -> bool:
    if isinstance(value, dict) and value:
        return all(is_empty(v) for v in value.values())  # preferences: {colors: false}
    return value is None or value is False or value in ("", [], {})


def assert_kept(original, reloaded, path="") -> None:
    """Every value of `original` is in `reloaded` (lists of named entries matched by name);
    only empty values may be left out, as kubectl leaves them out."""
    if is_empty(original) and is_empty(reloaded) and not isinstance(original, bool):
        return  # client-go writes an empty list as null
    if isinstance(original, dict):
        assert isinstance(reloaded, dict), path
        for k, v in original.items():
            if k not in reloaded:
                assert is_empty(v), f"{path}.{k} lost"
                continue
            assert_kept(v, reloaded[k], f"{path}.{k}")
    elif isinstance(original, list) and original and all(isinstance(i, dict) and "name" in i for i in original) \
            and path.rsplit(".", 1)[-1] in ("clusters", "users", "contexts", "extensions", "env"):
        assert isinstance(reloaded, list), path
        if path.endswith(".env"):
            assert [e["name"] for e in reloaded] == [e["name"] for e in original], path
            for a, b in zip(original, reloaded):
                assert_kept(a, b, path)
            return
        by_name = {i["name"]: i for i in reloaded}
        assert set(by_name) == {i["name"] for i in original}, path
        for item in original:
            assert_kept(item, by_name[item["name"]], f"{path}[{item['name']!r}]")
    else:
        assert original == reloaded, f"{path}: {original!r} became {reloaded!r}"


def write_json(path: Path, doc: dict) -> None:
    """JSON is YAML that PyYAML and go-yaml read alike, so the original means one thing."""
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1))


def save_all(path: Path, edit=None) -> bytes:
    rules = LoadingRules.from_env(str(path))

    def run(ws):
        if edit:
            edit(ws)
        for f in ws.files:
            f.dirty = True  # write even when nothing changed: the render is what is tested

    run_edit(rules, run)
    return path.read_bytes()


@settings(SETTINGS, max_examples=50)
@given(doc=kubeconfigs())
def test_load_save_load_keeps_every_value(tmp_path_factory, doc):
    path = tmp_path_factory.mktemp("rt") / "config"
    write_json(path, doc)
    before = load_workspace(LoadingRules.from_env(str(path))).merged(keep_unknown=True)
    written = save_all(path)
    reloaded = yaml.safe_load(written)
    assert_kept(doc, reloaded)
    after = load_workspace(LoadingRules.from_env(str(path)))
    assert after.merged(keep_unknown=True) == before
    # Saving again changes nothing: our output is a fixed point.
    assert save_all(path) == written


@settings(SETTINGS, max_examples=25)
@given(doc=kubeconfigs(), namespace=text.filter(bool), data=st.data())
def test_editing_one_context_changes_only_that_context(tmp_path_factory, doc, namespace, data):
    assume(doc["contexts"])
    target = data.draw(st.sampled_from([c["name"] for c in doc["contexts"]]))
    path = tmp_path_factory.mktemp("rt") / "config"
    write_json(path, doc)
    untouched = yaml.safe_load(save_all(path))

    def edit(ws):
        ws.set_entry("contexts", target, dict(ws.contexts[target].body, namespace=namespace))

    edited = yaml.safe_load(save_all(path, edit))
    for item in untouched["contexts"]:
        if item["name"] == target:
            item["context"]["namespace"] = namespace
    assert edited == untouched
    assert_kept(doc["contexts"][[c["name"] for c in doc["contexts"]].index(target)]["context"],
                dict(edited["contexts"][[c["name"] for c in edited["contexts"]].index(target)]["context"],
                     namespace=doc["contexts"][[c["name"] for c in doc["contexts"]].index(target)]
                     ["context"].get("namespace")))


# ----- fuzzing: what is not a kubeconfig ----------------------------------------------------------

VALID = """apiVersion: v1
kind: Config
clusters:
- name: prod
  cluster:
    server: https://10.0.0.1:6443
    certificate-authority-data: aGVsbG8=
users:
- name: admin
  user:
    token: abc
    exec:
      command: kubewallet
      args: [credential, get]
contexts:
- name: prod
  context: {cluster: prod, user: admin, namespace: "n"}
current-context: prod
"""
TOKENS = [":", ": ", "- ", "-", "\t", "  ", "{", "}", "[", "]", "'", '"', "&a ", "*a", "!!int ",
          "!!binary ", "? ", "\x00", "\x07", "yes", "1", "~", "\n", "#", "%YAML 1.1\n", "---\n",
          "...\n", "<<: *a\n", "|", ">", "@", "`", "\ufeff", "null", "[1, 2]", "{a: 1}", "===",
          "- \n", "- ~\n", "[~]", "~\n"]


@st.composite
def near_misses(draw) -> bytes:
    text = VALID
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(text)))
        match draw(st.integers(0, 3)):
            case 0:
                text = text[:at] + draw(st.sampled_from(TOKENS)) + text[at:]
            case 1:
                text = text[:at] + text[at + draw(st.integers(1, 12)):]
            case 2:
                lines = text.split("\n")
                i = draw(st.integers(0, len(lines) - 1))
                lines.insert(i, draw(st.sampled_from(lines)))
                text = "\n".join(lines)
            case _:
                lines = text.split("\n")
                i = draw(st.integers(0, len(lines) - 1))
                lines[i] = " " * draw(st.integers(0, 4)) + lines[i].lstrip()
                text = "\n".join(lines)
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-16", "latin-1"]))
    return text.encode(encoding, errors="replace")


@st.composite
def wrong_shapes(draw) -> bytes:
    """Valid YAML where a value has the wrong type (a number for a name, a map for a list, bad base64...)."""
    doc = yaml.safe_load(VALID)
    spots = [("clusters",), ("clusters", 0), ("clusters", 0, "name"), ("clusters", 0, "cluster"),
             ("clusters", 0, "cluster", "certificate-authority-data"), ("users", 0, "user", "exec"),
             ("users", 0, "user", "exec", "args"), ("contexts", 0, "context", "namespace"),
             ("current-context",), ("kind",), ("users", 0, "user", "token")]
    spot = draw(st.sampled_from(spots))
    wrong = [1, 2.5, True, ["x"], {"a": 1}, [1], {"name": 5}]
    if str(spot[-1]).endswith("-data"):
        wrong += ["not base64!", "aGVsbG8", "a"]
    bad = draw(st.sampled_from(wrong))
    holder = doc
    for part in spot[:-1]:
        holder = holder[part]
    holder[spot[-1]] = bad
    return yaml.safe_dump(doc).encode()


def assert_refused_untouched(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "config"
    path.write_bytes(raw)
    try:
        load_workspace(LoadingRules.from_env(str(path)))
    except KubeconfigError as exc:
        assert str(path) in str(exc) or "config" in str(exc)
    except Exception as exc:  # anything else is a crash a user would see as a traceback
        raise AssertionError(f"{type(exc).__name__} instead of a KubeconfigError: {exc}") from exc
    else:
        return  # the mutation happened to leave a valid kubeconfig
    with pytest.raises(KubeconfigError):
        run_edit(LoadingRules.from_env(str(path)),
                 lambda ws: ws.set_entry("contexts", "new", {"cluster": "c", "user": "u"}))
    assert path.read_bytes() == raw
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config"]  # no temp file, no lock
    assert not backup_dir().exists() or not any(backup_dir().iterdir())


@settings(SETTINGS, max_examples=250)
@given(raw=st.binary(max_size=200))
def test_random_bytes_are_refused_with_a_kubeconfig_error(tmp_path_factory, raw):
    assert_refused_untouched(tmp_path_factory.mktemp("fuzz"), raw)


@settings(SETTINGS, max_examples=250)
@given(raw=near_misses())
def test_near_miss_yaml_is_refused_with_a_kubeconfig_error(tmp_path_factory, raw):
    assert_refused_untouched(tmp_path_factory.mktemp("fuzz"), raw)


@settings(SETTINGS, max_examples=40)
@given(raw=wrong_shapes())
def test_wrong_shapes_name_file_line_and_column(tmp_path_factory, raw):
    path = tmp_path_factory.mktemp("shape") / "config"
    path.write_bytes(raw)
    with pytest.raises(KubeconfigParseError) as info:
        read_kubeconfig(str(path))
    assert info.value.path == str(path) and info.value.line is not None
    assert_refused_untouched(path.parent, raw)
