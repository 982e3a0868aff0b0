"""Reading manifests: every form kubectl writes, other kinds counted, bad input a clear RbacError."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kubewallet.errors import RbacError
from kubewallet.rbac.loading import load_objects, load_paths, load_text
from tests.unit.rbac.builders import cluster_binding, cluster_role, role, rule, user
from tests.unit.rbac.policies import SAMPLE


def test_multi_document_yaml_with_other_kinds_counted():
    text = SAMPLE + "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n---\n---\n" \
                    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"
    policy, report = load_text(text, "s.yaml")
    assert report.counts == {"Role": 1, "RoleBinding": 3, "ClusterRole": 3, "ClusterRoleBinding": 4}
    assert report.ignored == {"Deployment": 1, "ConfigMap": 1}
    assert "ignored 2 other object(s) (1 ConfigMap, 1 Deployment)" in report.summary()
    assert len(policy.roles) == 4 and len(policy.bindings) == 7


def test_kubectl_get_dump_as_list_in_yaml_and_json(tmp_path):
    items = [role("r", "dev", rule(["get"], ["pods"])), cluster_binding("b", "view", user("a"))]
    for item in items:
        item["metadata"].update({"uid": "1", "resourceVersion": "2", "managedFields": [{"manager": "kubectl"}]})
    dump = {"apiVersion": "v1", "kind": "List", "items": items, "metadata": {"resourceVersion": ""}}
    (tmp_path / "dump.yaml").write_text(yaml.safe_dump(dump))
    (tmp_path / "dump.json").write_text(json.dumps(dump))
    for name in ("dump.yaml", "dump.json"):
        policy, report = load_paths([tmp_path / name])
        assert [r.name for r in policy.roles] == ["r"] and [b.name for b in policy.bindings] == ["b"]


def test_typed_list_items_without_kind():
    text = json.dumps({"kind": "ClusterRoleList", "apiVersion": "rbac.authorization.k8s.io/v1",
                       "items": [{"metadata": {"name": "x"}, "rules": [rule(["get"], ["pods"])]}]})
    policy, _ = load_text(text)
    assert policy.roles[0].kind == "ClusterRole" and policy.roles[0].name == "x"


def test_json_array_and_directories(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.json").write_text(json.dumps([cluster_role("c1"), cluster_role("c2")]))
    (tmp_path / "a" / "two.yml").write_text(yaml.safe_dump(cluster_role("c3")))
    (tmp_path / "a" / "notes.txt").write_text("not a manifest")
    policy, report = load_paths([tmp_path])
    assert [r.name for r in policy.roles] == ["c1", "c2", "c3"]
    assert len(report.files) == 2


def test_namespace_defaults_and_later_duplicates_win():
    first = role("r", "dev", rule(["get"], ["pods"]))
    second = role("r", "dev", rule(["list"], ["pods"]))
    nsless = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "n"}}
    policy, report = load_objects([first, second, nsless])
    assert [(r.namespace, r.name, r.rules[0].verbs if r.rules else ()) for r in policy.roles] == [
        ("dev", "r", ("list",)), ("default", "n", ())]
    assert report.replaced == 1


def test_other_api_groups_with_rbac_kind_names_are_ignored():
    _, report = load_objects([{"apiVersion": "example.com/v1", "kind": "Role", "metadata": {"name": "x"}}])
    assert report.ignored == {"Role": 1}


BAD = [
    ("kind: Role\nmetadata: {name: x\n", r"bad\.yaml:\d+:\d+: YAML: "),
    ("a: b\n  c: d\n", r"bad\.yaml:2:4: YAML: "),
    ("- just\n- a list of strings\n", r"item 0: expected an object \(a mapping\), found a string"),
    ("hello\n", r"document 1: expected an object"),
    ("metadata: {name: x}\n", r"document 1: object has no 'kind'"),
    ("kind: Role\napiVersion: rbac.authorization.k8s.io/v1\n", r"Role has no metadata mapping"),
    ("kind: Role\nmetadata: {namespace: x}\n", r"Role has no metadata.name"),
    ("kind: Role\nmetadata: {name: r}\nrules: {verbs: [get]}\n", r"\(Role default/r\): rules must be a list"),
    ("kind: Role\nmetadata: {name: r}\nrules: [{verbs: get}]\n", r"rules\[0\]: verbs must be a list of strings, found a string"),
    ("kind: Role\nmetadata: {name: r}\nrules: [{verbs: [get, yes]}]\n", r"verbs\[1\] must be a string, found a boolean True"),
    ("kind: ClusterRoleBinding\nmetadata: {name: b}\n", r"roleRef must be a mapping"),
    ("kind: ClusterRoleBinding\nmetadata: {name: b}\nroleRef: {kind: ClusterRole}\n", r"roleRef.name is required"),
    ("kind: ClusterRoleBinding\nmetadata: {name: b}\nroleRef: {kind: ClusterRole, name: x}\nsubjects: [alice]\n",
     r"subjects\[0\]: must be a mapping"),
    ("kind: ClusterRole\nmetadata: {name: c}\naggregationRule: {clusterRoleSelectors: [{matchExpressions: [{key: a, operator: Has}]}]}\n",
     r"operator must be one of In, NotIn, Exists, DoesNotExist, found 'Has'"),
    ("kind: ClusterRole\nmetadata: {name: c}\naggregationRule: {clusterRoleSelectors: [{matchExpressions: [{key: a, operator: In}]}]}\n",
     r"operator In needs at least one value"),
    ("kind: ClusterRole\nmetadata: {name: c}\naggregationRule: {clusterRoleSelectors: [{matchLabels: {a: true}}]}\n",
     r"matchLabels\['a'\] must map a string to a string"),
    ("kind: List\nitems: 3\n", r"List.items must be a list"),
    ('{"kind": "Role", "metadata": {"name": 5}}', r"Role has no metadata.name"),
]


@pytest.mark.parametrize("text,message", BAD, ids=[b[1][:40] for b in BAD])
def test_bad_manifests_raise_a_clear_error_naming_the_file(tmp_path, text, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(RbacError, match=message) as info:
        load_paths([path])
    assert str(path) in str(info.value)
    if "boolean" in message:
        assert info.value.one_line().endswith("(quote it)")
    assert info.value.exit_code == 3


def test_missing_path_and_binary_file(tmp_path):
    with pytest.raises(RbacError, match="no such file or directory"):
        load_paths([tmp_path / "nope.yaml"])
    (tmp_path / "bin.yaml").write_bytes(b"\xff\xfe\x00\x01garbage")
    with pytest.raises(RbacError, match="bin.yaml: not UTF-8 text"):
        load_paths([tmp_path / "bin.yaml"])


def _json_values():
    scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=8)
    keys = st.sampled_from(["kind", "apiVersion", "metadata", "name", "namespace", "rules", "verbs", "apiGroups",
                            "resources", "resourceNames", "nonResourceURLs", "roleRef", "subjects", "items",
                            "labels", "aggregationRule", "clusterRoleSelectors", "matchLabels",
                            "matchExpressions", "key", "operator", "values"]) | st.text(max_size=4)
    kinds = st.sampled_from(["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "List", "RoleList", "Pod"])
    leaf = scalars | kinds
    return st.recursive(leaf, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=5),
                        max_leaves=25)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=_json_values())
def test_fuzz_wrong_shapes_load_or_raise_rbac_error(doc):
    for form in (doc, {"kind": "List", "items": [doc]}, {"kind": "Role", "metadata": {"name": "r"}, "rules": [doc]},
                 {"kind": "ClusterRoleBinding", "metadata": {"name": "b"}, "roleRef": doc, "subjects": [doc]},
                 {"kind": "ClusterRole", "metadata": {"name": "c", "labels": doc}, "aggregationRule": doc}):
        try:
            load_text(json.dumps(form))
        except RbacError as exc:
            assert exc.message and "\n" not in exc.one_line()


@settings(max_examples=150, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("kind: Role\n-{}[]'\"#&*!|>%@`\t ,?metadata") + ["\x00", "é"]),
                    max_size=120))
def test_fuzz_broken_yaml_loads_or_raises_rbac_error(text):
    try:
        load_text(text, "fuzz.yaml")
    except RbacError as exc:
        assert exc.message.startswith("fuzz.yaml")


def test_large_yaml_is_parsed_once_and_reparsed_when_edited(tmp_path, monkeypatch):
    import kubewallet.rbac.loading as loading

    monkeypatch.setattr(loading, "CACHE_MIN_BYTES", 0)
    path = tmp_path / "dump.yaml"
    path.write_text(SAMPLE)
    first, _ = load_paths([path])
    cache_files = list(Path(loading.cache_dir()).glob("*.json"))
    assert len(cache_files) == 1
    again, _ = load_paths([path])
    assert again == first
    path.write_text(SAMPLE.replace("name: alice", "name: alicia"))
    edited, _ = load_paths([path])
    assert any(s.name == "alicia" for b in edited.bindings for s in b.subjects)


@settings(max_examples=150, deadline=None)
@given(tokens=st.lists(st.sampled_from(["kind: Role\n", "metadata: ", "{name: x}", "rules:", "\n- ", "verbs: ",
                                        "!!int ", "!!binary ", "!!timestamp ", "&a ", "*a", "<<: ", "''", "[", "]",
                                        "? ", "\n  ", "2024-13-45", "0x", "---\n", "items:", "kind: List\n"]),
                       max_size=25))
def test_fuzz_tagged_and_structured_yaml_loads_or_raises_rbac_error(tokens):
    try:
        load_text("".join(tokens), "fuzz.yaml")
    except RbacError as exc:
        assert exc.message.startswith("fuzz.yaml")
