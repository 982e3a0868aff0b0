"""The identity `--as`/`--as-group`/`--as-uid` give, table-driven from the API server's filter.

Rows named like the cases of k8s.io/apiserver .../filters/impersonation/impersonation_test.go
(v0.35) carry the user, groups and UID that test expects the filter to build; the rest follow
the filter's source (impersonation.go, serviceaccount.SplitUsername) line by line. Then the
same identity through every front end: can-i, --list, access-matrix and who-can's subjects.
"""

from __future__ import annotations

import json

import pytest

from kubewallet.cli.main import main
from kubewallet.errors import RbacError
from kubewallet.rbac.authorizer import identity_for_subject
from kubewallet.rbac.impersonation import impersonate
from kubewallet.rbac.model import Identity, Subject

SAS = ["system:serviceaccounts", "system:serviceaccounts:foo"]

TABLE = [
    # (case, user, groups, uid, expected groups)
    ("allowed-group", "system:admin", ["some-group"], "", ["some-group", "system:authenticated"]),
    ("allowed-users-impersonation", "tester", [], "", ["system:authenticated"]),
    ("allowed-sa-impersonating", "system:serviceaccount:foo:default", [], "", [*SAS, "system:authenticated"]),
    ("anonymous-username-prevents-adding-authenticated-group", "system:anonymous", [], "", ["system:unauthenticated"]),
    ("unauthenticated-group-prevents-adding-authenticated-group", "unknown", ["system:unauthenticated"], "",
     ["system:unauthenticated"]),
    ("unauthenticated-group-prevents-double-adding-authenticated-group", "unknown", ["system:authenticated"], "",
     ["system:authenticated"]),
    ("specified-authenticated-group-prevents-double-adding-authenticated-group", "system:admin",
     ["some-group", "system:authenticated"], "", ["some-group", "system:authenticated"]),
    ("anonymous-user-prevents-double-adding-unauthenticated-group", "system:anonymous", ["system:unauthenticated"], "",
     ["system:unauthenticated"]),
    ("allowed-user-impersonation-with-uid", "tester", [], "some-uid", ["system:authenticated"]),
    ("allowed-impersonation-with-all-headers", "tester", ["system:authenticated"], "some-uid", ["system:authenticated"]),
    # impersonation.go: `if !groupsSpecified { groups = serviceaccount.MakeGroupNames(ns) }`
    ("as-group replaces a ServiceAccount's groups", "system:serviceaccount:foo:default", ["devs"], "",
     ["devs", "system:authenticated"]),
    ("as-group system:serviceaccounts is kept as given", "system:serviceaccount:foo:default",
     ["system:serviceaccounts"], "", ["system:serviceaccounts", "system:authenticated"]),
    # anonymous: only system:unauthenticated is checked, system:authenticated given stays
    ("anonymous with system:authenticated given", "system:anonymous", ["system:authenticated"], "",
     ["system:authenticated", "system:unauthenticated"]),
    ("anonymous keeps its other groups", "system:anonymous", ["g"], "", ["g", "system:unauthenticated"]),
    # groups are appended header by header, duplicates included
    ("duplicate groups kept in order", "u", ["b", "a", "b"], "", ["b", "a", "b", "system:authenticated"]),
    # serviceaccount.SplitUsername refuses these: a plain User, no SA groups
    ("three parts is a plain user", "system:serviceaccount:foo:bar:baz", [], "", ["system:authenticated"]),
    ("empty name is a plain user", "system:serviceaccount:foo:", [], "", ["system:authenticated"]),
    ("upper-case namespace is a plain user", "system:serviceaccount:Foo:default", [], "", ["system:authenticated"]),
    ("namespace longer than a DNS label is a plain user", f"system:serviceaccount:{'a' * 64}:default", [], "",
     ["system:authenticated"]),
    ("dotted namespace is a plain user", "system:serviceaccount:a.b:default", [], "", ["system:authenticated"]),
    ("dotted SA name is a ServiceAccount", "system:serviceaccount:foo:build.bot", [], "",
     [*SAS, "system:authenticated"]),
]


@pytest.mark.parametrize("case, user, groups, uid, expected", TABLE, ids=[row[0] for row in TABLE])
def test_the_identity_is_the_filters(case, user, groups, uid, expected):
    assert impersonate(user, groups, uid) == Identity(user, tuple(expected), uid)


@pytest.mark.parametrize("groups, uid, words", [
    (["some-group"], "", "requested [Group some-group] without impersonating a user"),
    ([], "some-uid", "requested [UID some-uid] without impersonating a user"),
    (["a", "b"], "x", "requested [Group a, Group b, UID x] without impersonating a user"),
])
def test_groups_or_uid_without_a_user_are_refused(groups, uid, words):
    with pytest.raises(RbacError) as err:
        impersonate("", groups, uid)
    assert err.value.message == words


POLICY = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: sa-reader}
rules: [{apiGroups: [""], resources: [pods], verbs: [get, list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: all-sas-in-foo}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: sa-reader}
subjects: [{kind: Group, name: "system:serviceaccounts:foo", apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: authenticated-secrets}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: secret-reader}
subjects: [{kind: Group, name: "system:authenticated", apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: secret-reader}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get]}]
"""
SA = "system:serviceaccount:foo:default"


def _run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def policy(tmp_path):
    path = tmp_path / "rbac.yaml"
    path.write_text(POLICY)
    return str(path)


def test_can_i_as_group_replaces_the_service_accounts_groups(capsys, policy):
    assert _run(capsys, "can-i", "list", "pods", "-n", "x", "--as", SA, "--rbac", policy)[:2] == (0, "yes\n")
    assert _run(capsys, "can-i", "list", "pods", "-n", "x", "--as", SA, "--as-group", "devs",
                "--rbac", policy)[:2] == (1, "no\n")


def test_can_i_system_unauthenticated_drops_system_authenticated(capsys, policy):
    assert _run(capsys, "can-i", "get", "secrets", "--as", "bob", "--rbac", policy)[:2] == (0, "yes\n")
    assert _run(capsys, "can-i", "get", "secrets", "--as", "bob", "--as-group", "system:unauthenticated",
                "--rbac", policy)[:2] == (1, "no\n")
    assert _run(capsys, "can-i", "get", "secrets", "--as", "system:anonymous", "--rbac", policy)[:2] == (1, "no\n")


def test_list_and_matrix_use_the_same_identity(capsys, policy):
    code, out, _ = _run(capsys, "can-i", "--list", "-n", "x", "--as", SA, "--rbac", policy)
    assert code == 0 and "pods" in out
    code, out, _ = _run(capsys, "can-i", "--list", "-n", "x", "--as", SA, "--as-group", "devs", "--rbac", policy)
    assert code == 0 and "pods" not in out and "secrets" in out
    code, out, _ = _run(capsys, "access-matrix", "-n", "x", "--as", SA, "--as-group", "devs", "-o", "json",
                        "--rbac", policy)
    matrix = json.loads(out)
    assert code == 0 and matrix["groups"] == ["devs", "system:authenticated"]
    assert matrix["resources"]["pods"]["list"] is False and matrix["resources"]["secrets"]["get"] is True
    code, out, err = _run(capsys, "access-matrix", "-n", "x", "--as-uid", "7", "--rbac", policy)
    assert code == 3 and "requested [UID 7] without impersonating a user" in err


def test_as_uid_is_shown_with_the_identity(capsys, policy):
    code, out, _ = _run(capsys, "can-i", "get", "secrets", "--as", "bob", "--as-uid", "u-1", "--explain",
                        "--rbac", policy)
    assert code == 0 and "uid 'u-1'" in out


def test_who_can_subjects_stand_for_the_identity_impersonating_them():
    assert identity_for_subject(Subject("ServiceAccount", "default", "foo")) == impersonate(SA)
    assert identity_for_subject(Subject("User", "system:anonymous")).groups == ("system:unauthenticated",)
