"""The plain way: visit every binding for every question, as `VisitRulesFor` reads.

No index, no compiled rules: a line-by-line rendering of the Kubernetes rule resolver with the
helpers of `matching.py`. It is the reference the indexed `Authorizer` is tested against, and
the baseline the benchmark compares it with.
"""

from __future__ import annotations

from kubewallet.rbac.aggregation import aggregate
from kubewallet.rbac.authorizer import Decision, Grant, role_not_found, unsupported_kind
from kubewallet.rbac.matching import rule_allows
from kubewallet.rbac.model import (
    CLUSTER_ROLE,
    CLUSTER_ROLE_BINDING,
    GROUP,
    MASTERS,
    ROLE,
    ROLE_BINDING,
    SERVICE_ACCOUNT,
    USER,
    Binding,
    Identity,
    Policy,
    Request,
    Role,
    Subject,
)


def applies_to_user(identity: Identity, subject: Subject, namespace: str) -> bool:
    """appliesToUser in rule.go."""
    if subject.kind == USER:
        return identity.user == subject.name
    if subject.kind == GROUP:
        return subject.name in identity.groups
    if subject.kind == SERVICE_ACCOUNT:
        sa_namespace = subject.namespace or namespace
        if not sa_namespace:
            return False
        return identity.user == f"system:serviceaccount:{sa_namespace}:{subject.name}"
    return False


class NaiveAuthorizer:
    def __init__(self, policy: Policy) -> None:
        self.roles: tuple[Role, ...] = aggregate(policy.roles)
        self.bindings = policy.bindings
        self._roles = {(r.kind, r.namespace, r.name): r for r in self.roles}

    def _role(self, b: Binding, namespace: str) -> tuple[Role | None, str]:
        if b.role_ref.kind == ROLE:
            role = self._roles.get((ROLE, namespace, b.role_ref.name)) if namespace else None
        elif b.role_ref.kind == CLUSTER_ROLE:
            role = self._roles.get((CLUSTER_ROLE, "", b.role_ref.name))
        else:
            return None, unsupported_kind(b.role_ref.kind)
        return (role, "") if role is not None else (None, role_not_found(b.role_ref.kind, b.role_ref.name))

    def decide(self, identity: Identity, req: Request) -> Decision:
        if MASTERS in identity.groups:
            return Decision(True, req, identity, masters=True)
        errors: list[str] = []
        passes = [(CLUSTER_ROLE_BINDING, "")]
        if req.namespace:
            passes.append((ROLE_BINDING, req.namespace))
        for kind, namespace in passes:
            for b in self.bindings:
                if b.kind != kind or (kind == ROLE_BINDING and b.namespace != namespace):
                    continue
                subject = next((s for s in b.subjects if applies_to_user(identity, s, namespace)), None)
                if subject is None:
                    continue
                role, error = self._role(b, namespace)
                if role is None:
                    errors.append(error)
                    continue
                for i, rule in enumerate(role.rules):
                    if rule_allows(rule, req):
                        return Decision(True, req, identity, Grant(b, subject, role, rule, i))
        return Decision(False, req, identity, errors=tuple(errors))

    def allowed(self, identity: Identity, req: Request) -> bool:
        return self.decide(identity, req).allowed
