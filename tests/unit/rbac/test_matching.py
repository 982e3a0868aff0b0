"""One rule against one request: the table of Kubernetes' evaluation helpers, case by case."""

from __future__ import annotations

import pytest

from kubewallet.rbac.matching import CompiledRule, rule_allows
from kubewallet.rbac.model import PolicyRule, Request


def R(verbs=(), groups=(), resources=(), names=(), urls=()) -> PolicyRule:
    return PolicyRule(tuple(verbs), tuple(groups), tuple(resources), tuple(names), tuple(urls))


def Q(verb, resource="", group="", sub="", name="", ns="dev", path="") -> Request:
    return Request(verb, resource, group, sub, name, "" if path else ns, path)


CASES = [
    # verbs
    ("exact verb", R(["get"], [""], ["pods"]), Q("get", "pods"), True),
    ("other verb", R(["get"], [""], ["pods"]), Q("list", "pods"), False),
    ("verb wildcard", R(["*"], [""], ["pods"]), Q("deletecollection", "pods"), True),
    ("verbs are case-sensitive", R(["GET"], [""], ["pods"]), Q("get", "pods"), False),
    ("request verb * needs rule verb *", R(["get", "list"], [""], ["pods"]), Q("*", "pods"), False),
    # api groups
    ("core group is the empty string", R(["get"], [""], ["pods"]), Q("get", "pods", "apps"), False),
    ("named group", R(["get"], ["apps"], ["deployments"]), Q("get", "deployments", "apps"), True),
    ("named group is not core", R(["get"], ["apps"], ["pods"]), Q("get", "pods"), False),
    ("group wildcard", R(["get"], ["*"], ["deployments"]), Q("get", "deployments", "apps"), True),
    ("no apiGroups matches nothing", R(["get"], [], ["pods"]), Q("get", "pods"), False),
    # resources and subresources
    ("resource wildcard", R(["get"], [""], ["*"]), Q("get", "pods"), True),
    ("resource wildcard covers subresources", R(["get"], [""], ["*"]), Q("get", "pods", sub="log"), True),
    ("a resource does not cover its subresources", R(["get"], [""], ["pods"]), Q("get", "pods", sub="log"), False),
    ("exact subresource", R(["get"], [""], ["pods/log"]), Q("get", "pods", sub="log"), True),
    ("a subresource does not cover its resource", R(["get"], [""], ["pods/log"]), Q("get", "pods"), False),
    ("pods/* is not a wildcard", R(["get"], [""], ["pods/*"]), Q("get", "pods", sub="log"), False),
    ("pods/* matches the literal subresource *", R(["get"], [""], ["pods/*"]), Q("get", "pods", sub="*"), True),
    ("*/scale matches any resource's scale", R(["update"], ["apps"], ["*/scale"]), Q("update", "deployments", "apps", "scale"), True),
    ("*/scale does not match the resource", R(["update"], ["apps"], ["*/scale"]), Q("update", "deployments", "apps"), False),
    ("*/scale does not match another subresource", R(["update"], ["apps"], ["*/scale"]), Q("update", "deployments", "apps", "status"), False),
    ("*/status is not */scale", R(["get"], [""], ["*/status"]), Q("get", "pods", sub="scale"), False),
    ("request resource * needs rule resource *", R(["get"], [""], ["pods"]), Q("get", "*"), False),
    ("resources are case-sensitive", R(["get"], [""], ["Pods"]), Q("get", "pods"), False),
    # resource names
    ("named object listed", R(["get"], [""], ["secrets"], ["db"]), Q("get", "secrets", name="db"), True),
    ("named object not listed", R(["get"], [""], ["secrets"], ["db"]), Q("get", "secrets", name="api"), False),
    ("resourceNames never match a nameless request", R(["list"], [""], ["secrets"], ["db"]), Q("list", "secrets"), False),
    ("create has no name", R(["create"], [""], ["secrets"], ["db"]), Q("create", "secrets"), False),
    ("no resourceNames means any name", R(["get"], [""], ["secrets"]), Q("get", "secrets", name="x"), True),
    ("impersonate a named user", R(["impersonate"], [""], ["users"], ["alice"]), Q("impersonate", "users", name="alice", ns=""), True),
    ("impersonate another user", R(["impersonate"], [""], ["users"], ["alice"]), Q("impersonate", "users", name="bob", ns=""), False),
    # non-resource URLs
    ("exact URL", R(["get"], urls=["/healthz"]), Q("get", path="/healthz"), True),
    ("exact URL is not a prefix", R(["get"], urls=["/healthz"]), Q("get", path="/healthz/etcd"), False),
    ("trailing * is a prefix", R(["get"], urls=["/apis/*"]), Q("get", path="/apis/apps/v1"), True),
    ("prefix includes the slash", R(["get"], urls=["/apis/*"]), Q("get", path="/apis/"), True),
    ("prefix without the slash", R(["get"], urls=["/apis/*"]), Q("get", path="/apis"), False),
    ("star inside a word", R(["get"], urls=["/logs*"]), Q("get", path="/logsmore"), True),
    ("URL wildcard", R(["get"], urls=["*"]), Q("get", path="/anything"), True),
    ("URL verb must match", R(["get"], urls=["/healthz"]), Q("post", path="/healthz"), False),
    ("URL rule never allows a resource", R(["get"], urls=["*"]), Q("get", "pods"), False),
    ("resource rule never allows a URL", R(["*"], ["*"], ["*"]), Q("get", path="/healthz"), False),
]


@pytest.mark.parametrize("rule,req,expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rule_allows(rule, req, expected):
    assert rule_allows(rule, req) is expected
    assert CompiledRule(rule, 0).allows(req) is expected
