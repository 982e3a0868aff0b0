"""`--with-defaults`: the ClusterRoles and ClusterRoleBindings every cluster starts with.

The table lives in `resources/rbac/defaults.txt` (our own compact notation, described at its
top). Every role carries the `kubernetes.io/bootstrapping: rbac-defaults` label, as on a real
server; `admin`, `edit` and `view` are aggregated, so a user's ClusterRoles labelled
`rbac.authorization.k8s.io/aggregate-to-edit: "true"` add to them just as in a cluster.
"""

from __future__ import annotations

import os

from kubewallet.errors import RbacError
from kubewallet.rbac.model import (
    CLUSTER_ROLE,
    CLUSTER_ROLE_BINDING,
    SERVICE_ACCOUNT,
    Binding,
    LabelSelector,
    Policy,
    PolicyRule,
    Requirement,
    Role,
    RoleRef,
    Subject,
)

TABLE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "resources", "rbac", "defaults.txt")
SOURCE = "(defaults)"
BOOTSTRAP_LABEL = ("kubernetes.io/bootstrapping", "rbac-defaults")


def _pairs(text: str) -> tuple[tuple[str, str], ...]:
    out = []
    for item in text.split(","):
        k, _, v = item.partition("=")
        out.append((k, v))
    return tuple(out)


def _rule(line: str, where: str) -> PolicyRule:
    fields = [f.split() for f in line.split("|")]
    if len(fields) not in (3, 4):
        raise RbacError(f"{where}: a rule needs 3 or 4 '|'-separated fields")
    verbs = tuple(fields[0])
    if fields[1] == ["url"]:
        return PolicyRule(verbs=verbs, non_resource_urls=tuple(fields[2]))
    groups = tuple("" if g == "core" else g for g in fields[1])
    names = tuple(fields[3]) if len(fields) == 4 else ()
    return PolicyRule(verbs, groups, tuple(fields[2]), names)


def parse_defaults(text: str, source: str = SOURCE) -> Policy:
    roles: list[Role] = []
    bindings: list[Binding] = []
    current: dict | None = None

    def flush() -> None:
        if current is not None:
            roles.append(Role(CLUSTER_ROLE, current["name"], "", tuple(current["rules"]),
                              current["labels"], current["aggregation"], source))

    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        where = f"{source}:{n}"
        if not line or line.startswith("#"):
            continue
        if line.startswith("role "):
            flush()
            words = line.split()
            labels = [BOOTSTRAP_LABEL]
            selectors: list[LabelSelector] = []
            mode = ""
            for w in words[2:]:
                if w in ("labels", "aggregate"):
                    mode = w
                elif mode == "labels":
                    labels.extend(_pairs(w))
                elif mode == "aggregate":
                    selectors.append(LabelSelector(tuple(Requirement(k, "In", (v,)) for k, v in _pairs(w))))
                else:
                    raise RbacError(f"{where}: unexpected {w!r}")
            current = {"name": words[1], "rules": [], "labels": tuple(labels),
                       "aggregation": tuple(selectors) if selectors else None}
        elif line.startswith("bind "):
            flush()
            current = None
            head, _, subjects_text = (line[5:] + " ").partition(" : ")
            if not subjects_text and head.endswith(" :"):
                head = head[:-2]
            name, _, role = (p.strip() for p in head.partition("->"))
            subjects = []
            for item in filter(None, (s.strip() for s in subjects_text.split(","))):
                kind, who = item.split()
                if kind == SERVICE_ACCOUNT:
                    ns, _, sa = who.partition("/")
                    subjects.append(Subject(kind, sa, ns))
                else:
                    subjects.append(Subject(kind, who))
            bindings.append(Binding(CLUSTER_ROLE_BINDING, name, "", RoleRef(CLUSTER_ROLE, role), tuple(subjects), source))
        elif current is not None:
            current["rules"].append(_rule(line, where))
        else:
            raise RbacError(f"{where}: a rule outside a role")
    flush()
    return Policy(tuple(roles), tuple(bindings))


_CACHE: list[Policy] = []


def default_policy() -> Policy:
    if not _CACHE:
        with open(TABLE, encoding="utf-8") as f:
            _CACHE.append(parse_defaults(f.read()))
    return _CACHE[0]


def with_defaults(policy: Policy) -> Policy:
    """Defaults first, then the user's objects; a user object with a default's name replaces it."""
    defaults = default_policy()
    own_roles = {(r.kind, r.namespace, r.name) for r in policy.roles}
    own_bindings = {(b.kind, b.namespace, b.name) for b in policy.bindings}
    roles = tuple(r for r in defaults.roles if (r.kind, r.namespace, r.name) not in own_roles) + policy.roles
    bindings = tuple(b for b in defaults.bindings if (b.kind, b.namespace, b.name) not in own_bindings)
    return Policy(roles, bindings + policy.bindings)
