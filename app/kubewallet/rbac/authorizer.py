"""The RBAC authorizer over a loaded Policy, indexed by subject.

The decision is the API server's (plugin/pkg/auth/authorizer/rbac and
pkg/registry/rbac/validation/rule.go `VisitRulesFor`), preceded by the privileged-group
authorizer the API server puts in front of RBAC:

1. A member of `system:masters` is allowed everything.
2. Every ClusterRoleBinding is visited, then, only when the request has a namespace, the
   RoleBindings of that namespace. Cluster-scoped and non-resource requests have no namespace,
   so RoleBindings never grant them, and `-A` (namespace "") asks for cluster-wide grants.
3. A binding applies when one of its subjects does: a User by name; a Group when the identity
   is in it; a ServiceAccount when the user name is `system:serviceaccount:NS:NAME`, where NS is
   the subject's namespace or, in a RoleBinding, the binding's namespace when left empty (in a
   ClusterRoleBinding an SA subject without a namespace never applies). Other kinds never apply.
4. Its roleRef is resolved: a Role in the binding's own namespace, or a ClusterRole. A missing
   role (or an unknown kind) grants nothing and becomes the denial's reason text.
5. The first rule that allows (`matching.py`) decides "yes"; nothing else is "no" (no deny rules).

Instead of visiting every binding, the index maps each subject key (user name; group name; a
ServiceAccount folded into its user name) to the bindings that name it, per namespace for
RoleBindings. `NaiveAuthorizer` in `naive.py` does the plain scan; tests prove they agree.
"""

from __future__ import annotations

from collections import namedtuple

from kubewallet.rbac.aggregation import aggregate
from kubewallet.rbac.matching import CompiledRule, combined_resource
from kubewallet.rbac.model import (
    CLUSTER_ROLE,
    CLUSTER_ROLE_BINDING,
    GROUP,
    MASTERS,
    ROLE,
    SA_PREFIX,
    SERVICE_ACCOUNT,
    USER,
    Binding,
    Identity,
    Policy,
    PolicyRule,
    Request,
    Role,
    Subject,
)


def role_not_found(kind: str, name: str) -> str:
    """The lister's NotFound text, which the authorizer puts into the denial reason."""
    return f'{kind.lower()}.rbac.authorization.k8s.io "{name}" not found'


def unsupported_kind(kind: str) -> str:
    return f'unsupported role reference kind: "{kind}"'


def aggregate_errors(errors: list[str]) -> str:
    """utilerrors.NewAggregate(errs).Error(): one message as is, several deduplicated in brackets."""
    seen: list[str] = []
    for e in errors:
        if e not in seen:
            seen.append(e)
    if len(errors) == 1 or len(seen) == 1:
        return seen[0]
    return "[" + ", ".join(seen) + "]"


class Grant(namedtuple("Grant", "binding subject role rule rule_index")):
    """One binding, the subject through which it applies, its role (None if missing), one rule of it."""

    __slots__ = ()
    binding: Binding
    subject: Subject
    role: Role | None
    rule: PolicyRule
    rule_index: int

    def describe(self) -> str:
        role = self.role.ref if self.role else f"{self.binding.role_ref.kind} {self.binding.role_ref.name}"
        return (f"{self.binding.ref} (subject {self.subject.describe(self.binding.namespace)}) -> {role}, "
                f"rule {self.rule_index}: {self.rule.describe()}")


class Decision(namedtuple("Decision", "allowed request identity grant masters errors",
                          defaults=(None, False, ()))):
    """The answer to one request, with what decided it (the grant, or the resolution errors)."""

    __slots__ = ()
    allowed: bool
    request: Request
    identity: Identity
    grant: Grant | None
    masters: bool
    errors: tuple[str, ...]

    @property
    def reason(self) -> str:
        """What the API server puts in SubjectAccessReviewStatus.reason for this decision."""
        if self.masters:
            return ""
        if self.allowed and self.grant is not None:
            return f"RBAC: allowed by {describe_source(self.grant.binding, self.grant.subject)}"
        if self.errors:
            return "RBAC: " + aggregate_errors(list(self.errors))
        return ""


def describe_source(binding: Binding, subject: Subject) -> str:
    """The `clusterRoleBindingDescriber` / `roleBindingDescriber` strings of rule.go."""
    if subject.kind == SERVICE_ACCOUNT:
        ns = subject.namespace or binding.namespace
        who = f'{subject.kind} "{subject.name}/{ns}"'
    else:
        who = f'{subject.kind} "{subject.name}"'
    if binding.kind == CLUSTER_ROLE_BINDING:
        return f'ClusterRoleBinding "{binding.name}" of {binding.role_ref.kind} "{binding.role_ref.name}" to {who}'
    return (f'RoleBinding "{binding.name}/{binding.namespace}" of {binding.role_ref.kind} '
            f'"{binding.role_ref.name}" to {who}')


def subject_key(subject: Subject, binding: Binding) -> tuple[str, str] | None:
    """The index key a subject is found under, or None when it can never apply."""
    if subject.kind == USER:
        return ("u", subject.name)
    if subject.kind == GROUP:
        return ("g", subject.name)
    if subject.kind == SERVICE_ACCOUNT:
        ns = subject.namespace or (binding.namespace if binding.kind != CLUSTER_ROLE_BINDING else "")
        if not ns:
            return None
        return ("u", f"{SA_PREFIX}{ns}:{subject.name}")
    return None


def identity_keys(identity: Identity) -> list[tuple[str, str]]:
    return [("u", identity.user), *(("g", g) for g in identity.groups)]


class BindingEntry:
    """A binding with its role resolved and its rules compiled (or the error that resolution hit)."""

    __slots__ = ("ordinal", "binding", "role", "rules", "error")

    def __init__(self, ordinal: int, binding: Binding, role: Role | None, rules: tuple[CompiledRule, ...],
                 error: str = "") -> None:
        self.ordinal = ordinal
        self.binding = binding
        self.role = role
        self.rules = rules
        self.error = error


class Authorizer:
    """Indexed RBAC evaluation over one Policy (build once, ask many times)."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.roles: tuple[Role, ...] = aggregate(policy.roles)
        self.role_by_key: dict[tuple[str, str, str], Role] = {(r.kind, r.namespace, r.name): r for r in self.roles}
        compiled: dict[tuple[str, str, str], tuple[CompiledRule, ...]] = {}
        self.entries: list[BindingEntry] = []
        self.cluster_index: dict[tuple[str, str], list[tuple[int, int]]] = {}
        self.ns_index: dict[str, dict[tuple[str, str], list[tuple[int, int]]]] = {}
        self.ns_entries: dict[str, list[int]] = {}
        self.cluster_entries: list[int] = []
        for ordinal, b in enumerate(policy.bindings):
            role, error = self.resolve(b)
            rules: tuple[CompiledRule, ...] = ()
            if role is not None:
                rk = (role.kind, role.namespace, role.name)
                rules = compiled.get(rk) or ()
                if rk not in compiled:
                    rules = tuple(CompiledRule(r, i) for i, r in enumerate(role.rules))
                    compiled[rk] = rules
            self.entries.append(BindingEntry(ordinal, b, role, rules, error))
            if b.kind == CLUSTER_ROLE_BINDING:
                index = self.cluster_index
                self.cluster_entries.append(ordinal)
            else:
                index = self.ns_index.setdefault(b.namespace, {})
                self.ns_entries.setdefault(b.namespace, []).append(ordinal)
            for si, s in enumerate(b.subjects):
                key = subject_key(s, b)
                if key is not None:
                    index.setdefault(key, []).append((ordinal, si))
        self._cache: dict[tuple[str, tuple[str, ...], str], tuple[BindingEntry, ...]] = {}

    def resolve(self, b: Binding) -> tuple[Role | None, str]:
        """GetRoleReferenceRules: a Role in the binding's namespace, or a ClusterRole."""
        kind = b.role_ref.kind
        if kind == ROLE:
            role = self.role_by_key.get((ROLE, b.namespace, b.role_ref.name)) if b.namespace else None
        elif kind == CLUSTER_ROLE:
            role = self.role_by_key.get((CLUSTER_ROLE, "", b.role_ref.name))
        else:
            return None, unsupported_kind(kind)
        if role is None:
            return None, role_not_found(kind, b.role_ref.name)
        return role, ""

    # -- the questions -------------------------------------------------------------------------

    def applicable(self, identity: Identity, namespace: str) -> tuple[BindingEntry, ...]:
        """Bindings that apply to the identity, in the authorizer's visiting order (cluster bindings,
        then the namespace's), cached per identity and namespace; explain reads them too."""
        ck = (identity.user, identity.groups, namespace)
        hit = self._cache.get(ck)
        if hit is not None:
            return hit
        keys = identity_keys(identity)
        out: list[BindingEntry] = []
        for index in (self.cluster_index, self.ns_index.get(namespace) if namespace else None):
            if not index:
                continue
            found: set[int] = set()
            for key in keys:
                for ordinal, _ in index.get(key, ()):
                    found.add(ordinal)
            out.extend(self.entries[o] for o in sorted(found))
        result = tuple(out)
        if len(self._cache) > 4096:
            self._cache.clear()
        self._cache[ck] = result
        return result

    def allowed(self, identity: Identity, req: Request) -> bool:
        """Yes or no, as fast as it gets."""
        if MASTERS in identity.groups:
            return True
        entries = self.applicable(identity, req.namespace)
        if req.is_resource:
            verb, group, name = req.verb, req.group, req.name
            combined = combined_resource(req)
            star = f"*/{req.subresource}" if req.subresource else None
            for e in entries:
                for r in e.rules:
                    if r.allows_resource(verb, group, combined, star, name):
                        return True
            return False
        for e in entries:
            for r in e.rules:
                if r.allows_path(req.verb, req.path):
                    return True
        return False

    def decide(self, identity: Identity, req: Request) -> Decision:
        """The decision with the binding, subject, role and rule that made it (first in order)."""
        if MASTERS in identity.groups:
            return Decision(True, req, identity, masters=True)
        errors: list[str] = []
        keys = set(identity_keys(identity))
        for e in self.applicable(identity, req.namespace):
            if e.error:
                errors.append(e.error)
                continue
            for r in e.rules:
                if r.allows(req):
                    subject = first_applying_subject(e.binding, keys)
                    return Decision(True, req, identity, Grant(e.binding, subject, e.role, r.rule, r.index))
        return Decision(False, req, identity, errors=tuple(errors))

    def rules_for(self, identity: Identity, namespace: str) -> list[tuple[BindingEntry, PolicyRule]]:
        """RulesFor: every rule that applies to the identity in the namespace, in visiting order."""
        return [(e, r.rule) for e in self.applicable(identity, namespace) for r in e.rules]

    def resolution_errors(self, identity: Identity, namespace: str) -> list[str]:
        return [e.error for e in self.applicable(identity, namespace) if e.error]

    def who_can(self, req: Request) -> list[Grant]:
        """Every (binding, subject) that would allow the request, with the first rule that does."""
        ordinals = list(self.cluster_entries)
        if req.namespace:
            ordinals += self.ns_entries.get(req.namespace, [])
        verdict: dict[int, CompiledRule | None] = {}
        out: list[Grant] = []
        for o in ordinals:
            e = self.entries[o]
            if e.role is None:
                continue
            rid = id(e.rules)
            if rid not in verdict:
                verdict[rid] = next((r for r in e.rules if r.allows(req)), None)
            rule = verdict[rid]
            if rule is None:
                continue
            for s in e.binding.subjects:
                if subject_key(s, e.binding) is not None:
                    out.append(Grant(e.binding, s, e.role, rule.rule, rule.index))
        return out

    def namespaces(self) -> list[str]:
        """Every namespace that a Role or RoleBinding lives in."""
        found = set(self.ns_entries)
        found.update(r.namespace for r in self.roles if r.namespace)
        return sorted(found)

    def subjects(self) -> list[Subject]:
        """Every distinct subject any binding names (ServiceAccounts with their namespace filled)."""
        seen: dict[tuple[str, str, str], Subject] = {}
        for b in self.policy.bindings:
            for s in b.subjects:
                if s.kind == SERVICE_ACCOUNT and not s.namespace and b.namespace:
                    s = Subject(s.kind, s.name, b.namespace)
                seen.setdefault((s.kind, s.namespace, s.name), s)
        return sorted(seen.values(), key=lambda s: (s.kind, s.namespace, s.name))


def first_applying_subject(binding: Binding, keys: set[tuple[str, str]]) -> Subject:
    """appliesTo: the first subject of the binding that applies (the one the reason names)."""
    for s in binding.subjects:
        if subject_key(s, binding) in keys:
            return s
    raise AssertionError("binding indexed for an identity none of its subjects matches")


def identity_for_subject(subject: Subject) -> Identity:
    """The identity a subject stands for: impersonating it, as `--as` would."""
    from kubewallet.rbac.impersonation import impersonate

    if subject.kind == SERVICE_ACCOUNT:
        return impersonate(f"{SA_PREFIX}{subject.namespace}:{subject.name}")
    if subject.kind == GROUP:
        # A group alone is not an identity: stand in a user nobody binds, in that group.
        return impersonate(f"kubewallet:member-of:{subject.name}", [subject.name])
    return impersonate(subject.name)
