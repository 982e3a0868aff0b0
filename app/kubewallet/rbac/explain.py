"""`--explain`: why yes (the binding, role and rule) or why no (the nearest misses).

A "no" from RBAC has no reason of its own (there are no deny rules), so the useful answer is
what came close: the same grant in another namespace, a rule that misses by one field (verb,
API group, subresource, resource name), a binding whose role does not exist, a subject that is
almost you (a ServiceAccount of another namespace), a non-resource URL bound through a
RoleBinding (never effective). Each miss is one sentence naming the objects involved.
"""

from __future__ import annotations

from dataclasses import dataclass

from kubewallet.rbac.aggregation import aggregated_from
from kubewallet.rbac.authorizer import Authorizer, BindingEntry, Decision, identity_keys, subject_key
from kubewallet.rbac.matching import (
    api_group_matches,
    combined_resource,
    resource_matches,
    resource_name_matches,
    rule_allows,
    verb_matches,
)
from kubewallet.rbac.model import (
    CLUSTER_ROLE_BINDING,
    ROLE_BINDING,
    SA_PREFIX,
    SERVICE_ACCOUNT,
    Identity,
    PolicyRule,
    Request,
    split_service_account,
)


@dataclass(frozen=True, slots=True)
class Explanation:
    decision: Decision
    lines: tuple[str, ...]

    def text(self) -> str:
        return "\n".join(self.lines)


def explain(authz: Authorizer, identity: Identity, req: Request, *, limit: int = 8) -> Explanation:
    d = authz.decide(identity, req)
    lines: list[str] = [f"request: {req.describe()}", f"as: {identity.describe()}"]
    if d.masters:
        lines.append("allowed: the identity is in group system:masters, which the API server allows "
                     "everything before RBAC is consulted")
        return Explanation(d, tuple(lines))
    if d.allowed and d.grant is not None:
        g = d.grant
        lines.append(f"allowed by: {d.reason.removeprefix('RBAC: allowed by ')}")
        lines.append(f"  binding: {g.binding.ref}" + (f" ({g.binding.source})" if g.binding.source else ""))
        lines.append(f"  subject: {g.subject.describe(g.binding.namespace)}")
        role_line = f"  role:    {g.role.ref}" if g.role else "  role:    ?"
        if g.role is not None and g.role.aggregation is not None:
            parts = aggregated_from(authz.roles, g.role.name)
            role_line += f" (aggregated from {', '.join(parts) if parts else 'nothing'})"
        lines.append(role_line)
        lines.append(f"  rule {g.rule_index}:  {g.rule.describe()}")
        if g.binding.kind == ROLE_BINDING:
            lines.append(f"  scope:   namespace {g.binding.namespace} only")
        return Explanation(d, tuple(lines))
    lines.append("denied: no RBAC rule allows this (RBAC has no deny rules; deny is the default)")
    misses = near_misses(authz, identity, req, limit=limit)
    if misses:
        lines.append("nearest misses:")
        lines.extend(f"  - {m}" for m in misses)
    else:
        lines.append("no binding gives this identity anything close")
    return Explanation(d, tuple(lines))


def _role_name(e: BindingEntry) -> str:
    return e.role.ref if e.role else f"{e.binding.role_ref.kind} {e.binding.role_ref.name}"


def _one_field_miss(rule: PolicyRule, req: Request) -> str | None:
    """When the rule misses the request by exactly one field, say which and how."""
    if not req.is_resource or not rule.resources:
        return None
    combined = combined_resource(req)
    ok_verb = verb_matches(rule, req.verb)
    ok_group = api_group_matches(rule, req.group)
    ok_res = resource_matches(rule, combined, req.subresource)
    ok_name = resource_name_matches(rule, req.name)
    if ok_verb and ok_group and ok_res and not ok_name:
        names = ", ".join(rule.resource_names)
        if not req.name:
            return (f"allows only the resource names [{names}]; a request without a name "
                    f"({req.verb}) never matches resourceNames")
        return f"allows only the resource names [{names}], not {req.name!r}"
    if ok_group and ok_res and ok_name and not ok_verb:
        return f"allows verbs [{', '.join(rule.verbs)}] on {combined}, not {req.verb!r}"
    if ok_verb and ok_res and ok_name and not ok_group:
        return (f"grants {combined} in apiGroups [{', '.join(repr(g) for g in rule.api_groups)}], "
                f"but the request is for group {req.group!r}")
    if ok_verb and ok_group and ok_name and not ok_res and req.subresource:
        if req.resource in rule.resources:
            return (f"grants {req.resource} but not its subresource {combined} "
                    f"(a subresource needs its own entry: {combined} or */{req.subresource})")
        if f"{req.resource}/*" in rule.resources:
            return (f"lists '{req.resource}/*', which in RBAC is not a wildcard: it matches only the "
                    f"literal subresource '*', not {combined}")
    return None


def near_misses(authz: Authorizer, identity: Identity, req: Request, *, limit: int = 8) -> list[str]:
    keys = set(identity_keys(identity))
    scope: list[str] = []
    missing: list[str] = []
    partial: list[str] = []
    subjects: list[str] = []
    my_sa = split_service_account(identity.user)
    applicable = {id(e) for e in authz.applicable(identity, req.namespace)}
    for e in authz.entries:
        b = e.binding
        applies = any(subject_key(s, b) in keys for s in b.subjects)
        in_scope = b.kind == CLUSTER_ROLE_BINDING or (bool(req.namespace) and b.namespace == req.namespace)
        if applies and e.error:
            if in_scope:
                missing.append(f"{b.ref} refers to {b.role_ref.kind} {b.role_ref.name}, which does not exist "
                               f"(a binding to a missing role grants nothing)")
            continue
        if e.role is None:
            continue
        allowing = next((r for r in e.role.rules if rule_allows(r, req)), None)
        if applies and allowing is not None and not in_scope:
            if not req.is_resource:
                scope.append(f"{b.ref} binds {_role_name(e)}, which allows {req.path}, but non-resource URLs "
                             f"are granted only through ClusterRoleBindings")
            elif req.namespace:
                scope.append(f"{b.ref} grants this, but in namespace {b.namespace}")
            else:
                scope.append(f"{b.ref} grants this, but only in namespace {b.namespace} "
                             f"(a cluster-wide or -A question needs a ClusterRoleBinding)")
            continue
        if applies and id(e) in applicable:
            for i, rule in enumerate(e.role.rules):
                why = _one_field_miss(rule, req)
                if why:
                    partial.append(f"{b.ref} -> {_role_name(e)} rule {i} {why}")
            continue
        if allowing is not None and in_scope:
            for s in b.subjects:
                if s.kind == SERVICE_ACCOUNT and my_sa is not None and s.name == my_sa[1]:
                    ns = s.namespace or (b.namespace if b.kind != CLUSTER_ROLE_BINDING else "")
                    if not ns:
                        subjects.append(f"{b.ref} names ServiceAccount {s.name} without a namespace, which "
                                        f"never matches in a ClusterRoleBinding")
                    elif ns != my_sa[0]:
                        subjects.append(f"{b.ref} grants this to ServiceAccount {ns}/{s.name}, not "
                                        f"{my_sa[0]}/{s.name} (a ServiceAccount subject matches only its "
                                        f"own namespace)")
                elif s.name == identity.user and s.kind != "User" and s.kind != SERVICE_ACCOUNT:
                    subjects.append(f"{b.ref} grants this to {s.kind} {s.name}, not to the user of that name")
                elif s.kind == "User" and s.name in identity.groups:
                    subjects.append(f"{b.ref} grants this to User {s.name}; you are in the group of that "
                                    f"name, which is not the same subject")
                elif s.kind == "User" and s.name.startswith(SA_PREFIX) and my_sa is not None \
                        and s.name.lower() == identity.user.lower() and s.name != identity.user:
                    subjects.append(f"{b.ref} grants this to {s.name!r} (names are case-sensitive)")
    out = scope + missing + partial + subjects
    seen: list[str] = []
    for m in out:
        if m not in seen:
            seen.append(m)
    return seen[:limit]
