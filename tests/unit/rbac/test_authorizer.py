"""The RBAC authorizer, rule by rule, each case checked on the indexed and on the naive evaluator.

Cases follow the behaviour of Kubernetes' RBAC authorizer (plugin/pkg/auth/authorizer/rbac,
pkg/registry/rbac/validation/rule.go) and the RBAC documentation.
"""

from __future__ import annotations

import pytest

from kubewallet.rbac.authorizer import Authorizer
from kubewallet.rbac.defaults import with_defaults
from kubewallet.rbac.loading import load_objects
from kubewallet.rbac.impersonation import impersonate
from kubewallet.rbac.model import Request
from kubewallet.rbac.naive import NaiveAuthorizer
from tests.unit.rbac.builders import binding, cluster_binding, cluster_role, group, role, rule, sa, user

POD_READER = role("pod-reader", "dev", rule(["get", "list"], ["pods"]))
VIEW_PODS = cluster_role("view-pods", rule(["get", "list"], ["pods"]))
URLS = cluster_role("metrics", rule(["get"], urls=["/metrics"]))


def Q(verb, resource="", group_="", sub="", name="", ns="", path=""):
    return Request(verb, resource, group_, sub, name, ns, path)


ALICE = impersonate("alice")
CASES = [
    # scope
    ("RoleBinding grants in its namespace", [POD_READER, binding("b", "dev", "Role", "pod-reader", user("alice"))],
     ALICE, Q("get", "pods", ns="dev"), True),
    ("RoleBinding grants nothing in another namespace", [POD_READER, binding("b", "dev", "Role", "pod-reader", user("alice"))],
     ALICE, Q("get", "pods", ns="prod"), False),
    ("RoleBinding grants nothing cluster-wide (-A)", [POD_READER, binding("b", "dev", "Role", "pod-reader", user("alice"))],
     ALICE, Q("get", "pods", ns=""), False),
    ("RoleBinding to a ClusterRole grants only in its namespace", [VIEW_PODS, binding("b", "dev", "ClusterRole", "view-pods", user("alice"))],
     ALICE, Q("list", "pods", ns="prod"), False),
    ("RoleBinding to a ClusterRole grants in its namespace", [VIEW_PODS, binding("b", "dev", "ClusterRole", "view-pods", user("alice"))],
     ALICE, Q("list", "pods", ns="dev"), True),
    ("RoleBinding to a ClusterRole is not cluster-wide", [VIEW_PODS, binding("b", "dev", "ClusterRole", "view-pods", user("alice"))],
     ALICE, Q("list", "pods"), False),
    ("ClusterRoleBinding grants in every namespace", [VIEW_PODS, cluster_binding("b", "view-pods", user("alice"))],
     ALICE, Q("list", "pods", ns="anywhere"), True),
    ("ClusterRoleBinding grants cluster-wide", [VIEW_PODS, cluster_binding("b", "view-pods", user("alice"))],
     ALICE, Q("list", "pods"), True),
    ("a Role of another namespace is not found", [role("pod-reader", "prod", rule(["get"], ["pods"])),
                                                 binding("b", "dev", "Role", "pod-reader", user("alice"))],
     ALICE, Q("get", "pods", ns="dev"), False),
    # missing or wrong role references
    ("binding to a missing ClusterRole grants nothing", [cluster_binding("b", "nope", user("alice"))],
     ALICE, Q("get", "pods", ns="dev"), False),
    ("binding to a missing Role grants nothing", [binding("b", "dev", "Role", "nope", user("alice"))],
     ALICE, Q("get", "pods", ns="dev"), False),
    ("ClusterRoleBinding to a Role grants nothing", [POD_READER, cluster_binding("b", "pod-reader", user("alice"), role_kind="Role")],
     ALICE, Q("get", "pods", ns="dev"), False),
    ("unknown roleRef kind grants nothing", [VIEW_PODS, cluster_binding("b", "view-pods", user("alice"), role_kind="Policy")],
     ALICE, Q("get", "pods", ns="dev"), False),
    # subjects
    ("user by exact name", [VIEW_PODS, cluster_binding("b", "view-pods", user("alice"))],
     impersonate("Alice"), Q("get", "pods", ns="dev"), False),
    ("group membership", [VIEW_PODS, cluster_binding("b", "view-pods", group("devs"))],
     impersonate("bob", ["devs"]), Q("get", "pods", ns="dev"), True),
    ("a User subject is not a group", [VIEW_PODS, cluster_binding("b", "view-pods", user("devs"))],
     impersonate("bob", ["devs"]), Q("get", "pods", ns="dev"), False),
    ("a Group subject is not a user", [VIEW_PODS, cluster_binding("b", "view-pods", group("alice"))],
     ALICE, Q("get", "pods", ns="dev"), False),
    ("unknown subject kind never applies", [VIEW_PODS, cluster_binding("b", "view-pods", {"kind": "Robot", "name": "alice"})],
     ALICE, Q("get", "pods", ns="dev"), False),
    ("ServiceAccount with its namespace", [VIEW_PODS, cluster_binding("b", "view-pods", sa("ci", "dev"))],
     impersonate("system:serviceaccount:dev:ci"), Q("get", "pods", ns="prod"), True),
    ("ServiceAccount of another namespace", [VIEW_PODS, cluster_binding("b", "view-pods", sa("ci", "dev"))],
     impersonate("system:serviceaccount:prod:ci"), Q("get", "pods", ns="prod"), False),
    ("ServiceAccount without namespace defaults to the RoleBinding's", [VIEW_PODS, binding("b", "dev", "ClusterRole", "view-pods", sa("ci"))],
     impersonate("system:serviceaccount:dev:ci"), Q("get", "pods", ns="dev"), True),
    ("ServiceAccount without namespace in a RoleBinding is not another namespace's", [VIEW_PODS, binding("b", "dev", "ClusterRole", "view-pods", sa("ci"))],
     impersonate("system:serviceaccount:prod:ci"), Q("get", "pods", ns="dev"), False),
    ("ServiceAccount without namespace never applies in a ClusterRoleBinding", [VIEW_PODS, cluster_binding("b", "view-pods", sa("ci"))],
     impersonate("system:serviceaccount:dev:ci"), Q("get", "pods", ns="dev"), False),
    ("a ServiceAccount subject is a user name, not a group", [VIEW_PODS, cluster_binding("b", "view-pods", sa("ci", "dev"))],
     impersonate("bob", ["system:serviceaccount:dev:ci"]), Q("get", "pods", ns="dev"), False),
    ("system:serviceaccounts:NS covers that namespace's accounts", [VIEW_PODS, cluster_binding("b", "view-pods", group("system:serviceaccounts:dev"))],
     impersonate("system:serviceaccount:dev:anything"), Q("get", "pods", ns="dev"), True),
    ("system:serviceaccounts:NS does not cover another namespace", [VIEW_PODS, cluster_binding("b", "view-pods", group("system:serviceaccounts:dev"))],
     impersonate("system:serviceaccount:prod:ci"), Q("get", "pods", ns="dev"), False),
    ("system:serviceaccounts covers every account", [VIEW_PODS, cluster_binding("b", "view-pods", group("system:serviceaccounts"))],
     impersonate("system:serviceaccount:prod:ci"), Q("get", "pods", ns="dev"), True),
    ("system:serviceaccounts does not cover people", [VIEW_PODS, cluster_binding("b", "view-pods", group("system:serviceaccounts"))],
     ALICE, Q("get", "pods", ns="dev"), False),
    ("system:authenticated covers every user", [VIEW_PODS, cluster_binding("b", "view-pods", group("system:authenticated"))],
     impersonate("anyone"), Q("get", "pods", ns="dev"), True),
    ("system:authenticated does not cover system:anonymous", [VIEW_PODS, cluster_binding("b", "view-pods", group("system:authenticated"))],
     impersonate("system:anonymous"), Q("get", "pods", ns="dev"), False),
    ("system:unauthenticated covers system:anonymous", [VIEW_PODS, cluster_binding("b", "view-pods", group("system:unauthenticated"))],
     impersonate("system:anonymous"), Q("get", "pods", ns="dev"), True),
    ("system:masters is allowed everything", [], impersonate("root", ["system:masters"]), Q("delete", "nodes"), True),
    ("system:masters is allowed every URL", [], impersonate("root", ["system:masters"]), Q("post", path="/anything"), True),
    ("deny by default", [], ALICE, Q("get", "pods", ns="dev"), False),
    ("several subjects, the second applies", [VIEW_PODS, cluster_binding("b", "view-pods", user("bob"), user("alice"))],
     ALICE, Q("get", "pods", ns="dev"), True),
    # non-resource URLs
    ("URL through a ClusterRoleBinding", [URLS, cluster_binding("b", "metrics", user("alice"))],
     ALICE, Q("get", path="/metrics"), True),
    ("URL through a RoleBinding is never granted", [URLS, binding("b", "dev", "ClusterRole", "metrics", user("alice"))],
     ALICE, Q("get", path="/metrics"), False),
    # impersonation is an ordinary request
    ("impersonate the named user", [cluster_role("imp", rule(["impersonate"], ["users"], names=["alice"])),
                                    cluster_binding("b", "imp", user("support"))],
     impersonate("support"), Q("impersonate", "users", name="alice"), True),
    ("impersonate another user", [cluster_role("imp", rule(["impersonate"], ["users"], names=["alice"])),
                                  cluster_binding("b", "imp", user("support"))],
     impersonate("support"), Q("impersonate", "users", name="root"), False),
    ("impersonate groups", [cluster_role("imp", rule(["impersonate"], ["groups"])), cluster_binding("b", "imp", user("support"))],
     impersonate("support"), Q("impersonate", "groups", name="system:masters"), True),
]


@pytest.mark.parametrize("objects,identity,req,expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_authorizer(objects, identity, req, expected):
    policy, _ = load_objects(objects)
    indexed, naive = Authorizer(policy), NaiveAuthorizer(policy)
    assert indexed.allowed(identity, req) is expected
    assert indexed.decide(identity, req).allowed is expected
    assert naive.decide(identity, req).allowed is expected


AGG = [
    cluster_role("parent", aggregate=[{"matchLabels": {"team": "a"}}]),
    cluster_role("child-a", rule(["get"], ["pods"]), labels={"team": "a"}),
    cluster_role("child-b", rule(["get"], ["secrets"]), labels={"team": "b"}),
    cluster_binding("b", "parent", user("alice")),
]


def _agg(selectors, *children, bind="parent"):
    return [cluster_role("parent", aggregate=selectors), *children, cluster_binding("b", bind, user("alice"))]


AGG_CASES = [
    ("matchLabels picks the labelled role", _agg([{"matchLabels": {"team": "a"}}],
                                                 cluster_role("c", rule(["get"], ["pods"]), labels={"team": "a"})), "pods", True),
    ("matchLabels skips other labels", _agg([{"matchLabels": {"team": "a"}}],
                                            cluster_role("c", rule(["get"], ["pods"]), labels={"team": "b"})), "pods", False),
    ("matchExpressions In", _agg([{"matchExpressions": [{"key": "team", "operator": "In", "values": ["a", "b"]}]}],
                                 cluster_role("c", rule(["get"], ["pods"]), labels={"team": "b"})), "pods", True),
    ("matchExpressions NotIn with the label absent", _agg([{"matchExpressions": [{"key": "team", "operator": "NotIn", "values": ["a"]}]}],
                                                          cluster_role("c", rule(["get"], ["pods"]))), "pods", True),
    ("matchExpressions NotIn with the value listed", _agg([{"matchExpressions": [{"key": "team", "operator": "NotIn", "values": ["a"]}]}],
                                                          cluster_role("c", rule(["get"], ["pods"]), labels={"team": "a"})), "pods", False),
    ("matchExpressions Exists", _agg([{"matchExpressions": [{"key": "agg", "operator": "Exists"}]}],
                                     cluster_role("c", rule(["get"], ["pods"]), labels={"agg": ""})), "pods", True),
    ("matchExpressions DoesNotExist", _agg([{"matchExpressions": [{"key": "agg", "operator": "DoesNotExist"}]}],
                                           cluster_role("c", rule(["get"], ["pods"]), labels={"agg": "x"})), "pods", False),
    ("labels and expressions are ANDed", _agg([{"matchLabels": {"team": "a"}, "matchExpressions": [{"key": "tier", "operator": "Exists"}]}],
                                              cluster_role("c", rule(["get"], ["pods"]), labels={"team": "a"})), "pods", False),
    ("selectors are ORed", _agg([{"matchLabels": {"team": "x"}}, {"matchLabels": {"team": "a"}}],
                                cluster_role("c", rule(["get"], ["pods"]), labels={"team": "a"})), "pods", True),
    ("an empty selector takes every ClusterRole", _agg([{}], cluster_role("c", rule(["get"], ["pods"]))), "pods", True),
    ("aggregation is transitive", _agg([{"matchLabels": {"l": "1"}}],
                                       cluster_role("mid", labels={"l": "1"}, aggregate=[{"matchLabels": {"l": "2"}}]),
                                       cluster_role("leaf", rule(["get"], ["pods"]), labels={"l": "2"})), "pods", True),
    ("hand-written rules of an aggregated role are replaced", [
        cluster_role("parent", rule(["get"], ["secrets"]), aggregate=[{"matchLabels": {"team": "a"}}]),
        cluster_binding("b", "parent", user("alice"))], "secrets", False),
    ("a Role is never aggregated", [cluster_role("parent", aggregate=[{}]), role("r", "dev", rule(["get"], ["pods"])),
                                    cluster_binding("b", "parent", user("alice"))], "pods", False),
]


@pytest.mark.parametrize("objects,resource,expected", [c[1:] for c in AGG_CASES], ids=[c[0] for c in AGG_CASES])
def test_aggregation(objects, resource, expected):
    policy, _ = load_objects(objects)
    req = Q("get", resource, ns="dev")
    assert Authorizer(policy).allowed(ALICE, req) is expected
    assert NaiveAuthorizer(policy).decide(ALICE, req).allowed is expected


def test_identity_gets_the_groups_the_api_server_adds():
    assert impersonate("alice").groups == ("system:authenticated",)
    assert impersonate("system:serviceaccount:dev:ci").groups == (
        "system:serviceaccounts", "system:serviceaccounts:dev", "system:authenticated")
    assert impersonate("system:anonymous").groups == ("system:unauthenticated",)
    # the filter appends each Impersonate-Group header as given (duplicates too)
    assert impersonate("bob", ["devs", "devs", "system:authenticated"]).groups == ("devs", "devs", "system:authenticated")
    assert impersonate("system:serviceaccount:bad").groups == ("system:authenticated",)


def test_denial_reason_names_the_missing_roles_like_the_api_server():
    policy, _ = load_objects([cluster_binding("a", "gone", user("alice")), binding("b", "dev", "Role", "nope", user("alice")),
                              cluster_binding("c", "gone", user("alice"))])
    d = Authorizer(policy).decide(ALICE, Q("get", "pods", ns="dev"))
    assert not d.allowed
    assert d.reason == ('RBAC: [clusterrole.rbac.authorization.k8s.io "gone" not found, '
                        'role.rbac.authorization.k8s.io "nope" not found]')
    d1 = Authorizer(policy).decide(ALICE, Q("get", "pods"))
    assert d1.reason == 'RBAC: clusterrole.rbac.authorization.k8s.io "gone" not found'


def test_allow_reason_is_the_authorizers():
    policy, _ = load_objects([VIEW_PODS, binding("b", "dev", "ClusterRole", "view-pods", sa("ci"))])
    d = Authorizer(policy).decide(impersonate("system:serviceaccount:dev:ci"), Q("get", "pods", ns="dev"))
    assert d.reason == 'RBAC: allowed by RoleBinding "b/dev" of ClusterRole "view-pods" to ServiceAccount "ci/dev"'


DEFAULT_CASES = [
    ("admin aggregates edit and view", impersonate("a"), "admin", Q("create", "rolebindings", "rbac.authorization.k8s.io", ns="dev"), True),
    ("edit may create deployments", impersonate("a"), "edit", Q("create", "deployments", "apps", ns="dev"), True),
    ("edit may not create rolebindings", impersonate("a"), "edit", Q("create", "rolebindings", "rbac.authorization.k8s.io", ns="dev"), False),
    ("view may read pod logs", impersonate("a"), "view", Q("get", "pods", sub="log", ns="dev"), True),
    ("view may not read secrets", impersonate("a"), "view", Q("get", "secrets", ns="dev"), False),
    ("view may not exec", impersonate("a"), "view", Q("create", "pods", sub="exec", ns="dev"), False),
    ("edit may not update endpoints (CVE-2021-25740)", impersonate("a"), "edit", Q("update", "endpoints", ns="dev"), False),
]


@pytest.mark.parametrize("identity,role_name,req,expected", [c[1:] for c in DEFAULT_CASES], ids=[c[0] for c in DEFAULT_CASES])
def test_default_roles(identity, role_name, req, expected):
    policy, _ = load_objects([binding("b", "dev", "ClusterRole", role_name, user(identity.user))])
    assert Authorizer(with_defaults(policy)).allowed(identity, req) is expected


def test_defaults_bind_what_every_cluster_binds():
    authz = Authorizer(with_defaults(load_objects([])[0]))
    anyone = impersonate("someone")
    assert authz.allowed(anyone, Q("create", "selfsubjectaccessreviews", "authorization.k8s.io"))
    assert authz.allowed(anyone, Q("get", path="/apis/apps/v1"))
    assert not authz.allowed(impersonate("system:anonymous"), Q("get", path="/apis"))
    assert authz.allowed(impersonate("system:anonymous"), Q("get", path="/healthz"))
    assert authz.allowed(impersonate("system:kube-scheduler"), Q("create", "bindings", ns="dev"))
    assert authz.allowed(impersonate("system:serviceaccount:x:y"), Q("get", path="/openid/v1/jwks"))
    assert not authz.allowed(anyone, Q("get", "pods", ns="dev"))
    assert authz.decide(impersonate("r", ["system:masters"]), Q("delete", "nodes")).masters


def test_custom_role_aggregates_into_default_edit():
    policy, _ = load_objects([
        cluster_role("widgets", rule(["create"], ["widgets"], groups=["example.com"]),
                     labels={"rbac.authorization.k8s.io/aggregate-to-edit": "true"}),
        binding("b", "dev", "ClusterRole", "admin", user("alice"))])
    assert Authorizer(with_defaults(policy)).allowed(ALICE, Q("create", "widgets", "example.com", ns="dev"))
