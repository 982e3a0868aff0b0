"""The indexed authorizer and the naive scan agree on every question (hypothesis).

Agreement is total: the verdict, and for a yes the binding, subject and rule named (both visit
in the same order), and for a no the reasons (missing roles) in the same order.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kubewallet.rbac.authorizer import Authorizer
from kubewallet.rbac.loading import load_objects
from kubewallet.rbac.impersonation import impersonate
from kubewallet.rbac.model import Identity, Request
from kubewallet.rbac.naive import NaiveAuthorizer
from tests.unit.rbac.builders import binding, cluster_binding, cluster_role, group, role, sa, user

NAMESPACES = ["dev", "prod"]
USERS = ["alice", "system:serviceaccount:dev:ci", "system:serviceaccount:prod:ci", "system:anonymous"]
GROUPS = ["devs", "ops", "system:serviceaccounts:dev"]
VERBS = ["get", "create", "*"]
RESOURCES = ["pods", "secrets", "deployments", "pods/log", "*/scale", "*", "pods/*"]
API_GROUPS = ["", "apps", "*"]
URLS = ["/healthz", "/api/*", "*", "/api"]

small = lambda xs: st.lists(st.sampled_from(xs), min_size=1, max_size=3, unique=True)  # noqa: E731

rules = st.one_of(
    st.fixed_dictionaries({"verbs": small(VERBS), "apiGroups": small(API_GROUPS), "resources": small(RESOURCES)},
                          optional={"resourceNames": st.lists(st.sampled_from(["a", "b"]), max_size=2)}),
    st.fixed_dictionaries({"verbs": small(VERBS), "nonResourceURLs": small(URLS)}),
)
subjects = st.one_of(
    st.builds(user, st.sampled_from(USERS)),
    st.builds(group, st.sampled_from(GROUPS + ["system:authenticated", "system:unauthenticated"])),
    st.builds(sa, st.sampled_from(["ci", "other"]), st.sampled_from([None, *NAMESPACES])),
    st.just({"kind": "Robot", "name": "alice"}),
)
labels = st.sampled_from([None, {"agg": "x"}, {"agg": "y"}])
aggregations = st.sampled_from([None, None, None, None, [{"matchLabels": {"agg": "x"}}], [{"matchExpressions": [
    {"key": "agg", "operator": "In", "values": ["x", "y"]}]}], []])

@st.composite
def objects(draw) -> list[dict]:
    """A policy whose bindings mostly reach roles that exist (so that rules get evaluated)."""
    out: list[dict] = []
    for name in ("c1", "c2", "c3"):
        if draw(st.integers(0, 5)):
            out.append(cluster_role(name, *draw(st.lists(rules, max_size=3)), labels=draw(labels),
                                    aggregate=draw(aggregations)))
    for ns in NAMESPACES:
        if draw(st.integers(0, 5)):
            out.append(role("r1", ns, *draw(st.lists(rules, max_size=3))))
    for i in range(draw(st.integers(0, 6))):
        subs = draw(st.lists(subjects, min_size=1, max_size=3))
        if draw(st.booleans()):
            kind = draw(st.sampled_from(["ClusterRole", "ClusterRole", "ClusterRole", "Role"]))
            name = draw(st.sampled_from(["c1", "c2", "c3", "missing"] if kind == "ClusterRole" else ["r1"]))
            out.append(cluster_binding(f"x{i}", name, *subs, role_kind=kind))
        else:
            kind = draw(st.sampled_from(["ClusterRole", "Role"]))
            name = draw(st.sampled_from(["c1", "c2", "c3", "missing"] if kind == "ClusterRole" else ["r1", "missing"]))
            out.append(binding(f"b{i}", draw(st.sampled_from(NAMESPACES)), kind, name, *subs))
    return draw(st.permutations(out))


identities = st.builds(lambda u, gs: impersonate(u, gs), st.sampled_from(USERS),
                       st.lists(st.sampled_from(GROUPS + ["system:masters"]), max_size=2))
requests = st.one_of(
    st.builds(Request, st.sampled_from(VERBS + ["list"]), st.sampled_from(["pods", "secrets", "deployments", "*"]),
              st.sampled_from(["", "apps"]), st.sampled_from(["", "log", "scale", "*"]), st.sampled_from(["", "a", "c"]),
              st.sampled_from(["", *NAMESPACES])),
    st.builds(lambda v, p: Request(v, path=p), st.sampled_from(VERBS), st.sampled_from(["/healthz", "/api", "/api/v1", "/x"])),
)


def _concrete(draw, values: list, pool: list) -> str:
    """One concrete value a rule field would match (a '*' becomes anything), or any value."""
    value = draw(st.sampled_from(values or pool))
    return draw(st.sampled_from(pool)) if value == "*" or draw(st.booleans()) and draw(st.booleans()) else value


def _aimed_request(draw, objs, ns: str, bound: list) -> Request:
    """A request built from some rule of the policy (mostly of the role bound to the identity),
    so that yes is common and misses are narrow."""
    rule_list = [r for o in objs for r in (o.get("rules") or [])]
    if bound and draw(st.integers(0, 3)):
        rule_list = bound
    if not rule_list or draw(st.integers(0, 9)) == 0:
        return draw(requests)
    r = draw(st.sampled_from(rule_list))
    if draw(st.integers(0, 4)) == 0:
        ns = draw(st.sampled_from(["", *NAMESPACES]))
    if "nonResourceURLs" in r:
        url = _concrete(draw, r["nonResourceURLs"], ["/healthz", "/api", "/api/v1"])
        return Request(_concrete(draw, r["verbs"], VERBS), path=url.rstrip("*") + draw(st.sampled_from(["", "v1"])))
    res = _concrete(draw, r["resources"], ["pods", "secrets", "pods/log", "deployments/scale"])
    base, _, sub = res.partition("/")
    base = "pods" if base == "*" else base
    sub = "log" if sub == "*" and draw(st.booleans()) else sub
    names = r.get("resourceNames") or []
    name = draw(st.sampled_from(["", *names, "c"]))
    return Request(_concrete(draw, r["verbs"], VERBS + ["list"]), base, _concrete(draw, r["apiGroups"], ["", "apps"]),
                   sub, name, ns)


def _bound_rules(objs, b: dict) -> list:
    ref = b["roleRef"]
    ns = b["metadata"].get("namespace", "")
    return [r for o in objs if o["kind"] == ref["kind"] and o["metadata"]["name"] == ref["name"]
            and o["metadata"].get("namespace", "") == (ns if ref["kind"] == "Role" else "")
            for r in (o.get("rules") or [])]


def _aimed_identity(draw, objs) -> tuple[Identity, str, list]:
    """An identity named by some binding's subject, that binding's namespace and its role's rules."""
    bindings = [o for o in objs if o.get("subjects")]
    if not bindings or draw(st.integers(0, 5)) == 0:
        return draw(identities), draw(st.sampled_from(["", *NAMESPACES])), []
    b = draw(st.sampled_from(bindings))
    ns = b["metadata"].get("namespace", "")
    bound = _bound_rules(objs, b)
    s = draw(st.sampled_from(b["subjects"]))
    extra = draw(st.lists(st.sampled_from(GROUPS), max_size=2))
    if s["kind"] == "User":
        return impersonate(s["name"], extra), ns, bound
    if s["kind"] == "Group":
        return impersonate(draw(st.sampled_from(USERS)), [s["name"], *extra]), ns, bound
    sa_ns = s.get("namespace") or (ns if draw(st.integers(0, 3)) else draw(st.sampled_from(NAMESPACES)))
    return impersonate(f"system:serviceaccount:{sa_ns}:{s['name']}", extra), ns, bound


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(objs=objects(), data=st.data())
def test_indexed_and_naive_agree(objs, data):
    policy, _ = load_objects(objs)
    indexed, naive = Authorizer(policy), NaiveAuthorizer(policy)
    identity, ns, bound = _aimed_identity(data.draw, objs)
    for _ in range(data.draw(st.integers(1, 25))):
        req = _aimed_request(data.draw, objs, ns, bound)
        a, b = indexed.decide(identity, req), naive.decide(identity, req)
        assert a.allowed == b.allowed == indexed.allowed(identity, req)
        assert a.masters == b.masters
        assert a.errors == b.errors
        assert a.reason == b.reason
        if a.grant is not None:
            assert (a.grant.binding, a.grant.subject, a.grant.rule_index) == \
                   (b.grant.binding, b.grant.subject, b.grant.rule_index)
