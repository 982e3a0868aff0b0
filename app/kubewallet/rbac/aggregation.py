"""Aggregated ClusterRoles: fill in their rules as the clusterrole-aggregation controller does.

The controller (kube-controller-manager, `pkg/controller/clusterroleaggregation`) replaces the
rules of every ClusterRole that has an `aggregationRule` with the union of the rules of the
ClusterRoles its selectors match: selectors in order, matching roles sorted by name, the role
itself skipped, a rule already present not added twice. An empty selector matches every
ClusterRole (LabelSelectorAsSelector). Because it runs again whenever a ClusterRole changes,
aggregation is transitive (`admin` picks up `edit`, which picks up `view`): we iterate to the
fixed point. Rules written by hand on an aggregated role are replaced, as the controller does.
"""

from __future__ import annotations

from kubewallet.rbac.model import CLUSTER_ROLE, PolicyRule, Role


def aggregate(roles: tuple[Role, ...]) -> tuple[Role, ...]:
    """The roles with every aggregated ClusterRole's rules computed; order kept."""
    cluster = {r.name: r for r in roles if r.kind == CLUSTER_ROLE}
    targets = [r for r in cluster.values() if r.aggregation is not None]
    if not targets:
        return roles
    names_sorted = sorted(cluster)
    labels = {n: cluster[n].label_map() for n in names_sorted}
    selected: dict[str, list[str]] = {}
    for t in targets:
        order: list[str] = []
        for sel in t.aggregation or ():
            order.extend(n for n in names_sorted if n != t.name and sel.matches(labels[n]))
        selected[t.name] = order
    current: dict[str, tuple[PolicyRule, ...]] = {n: r.rules for n, r in cluster.items()}
    for _ in range(len(targets) + 1):
        changed = False
        for t in targets:
            seen: set[PolicyRule] = set()
            new: list[PolicyRule] = []
            for n in selected[t.name]:
                for rule in current[n]:
                    if rule not in seen:
                        seen.add(rule)
                        new.append(rule)
            if tuple(new) != current[t.name]:
                current[t.name] = tuple(new)
                changed = True
        if not changed:
            break
    return tuple(
        r._replace(rules=current[r.name]) if r.kind == CLUSTER_ROLE and r.aggregation is not None else r
        for r in roles
    )


def aggregated_from(roles: tuple[Role, ...], name: str) -> list[str]:
    """The ClusterRoles an aggregated ClusterRole draws its rules from (for explanations)."""
    cluster = {r.name: r for r in roles if r.kind == CLUSTER_ROLE}
    role = cluster.get(name)
    if role is None or role.aggregation is None:
        return []
    out: list[str] = []
    for sel in role.aggregation:
        for n in sorted(cluster):
            if n != name and n not in out and sel.matches(cluster[n].label_map()):
                out.append(n)
    return out
