"""RBAC values: rules, roles, bindings, identities and requests (no I/O, no logic beyond shape).

The shapes are those of `rbac.authorization.k8s.io/v1`. Lists become tuples so every value is
hashable and frozen; a rule keeps its fields in the order the API defines them, because
`kubectl auth can-i --list` sorts rows by the Go string form of a rule (see `listing.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

USER = "User"
GROUP = "Group"
SERVICE_ACCOUNT = "ServiceAccount"

ROLE = "Role"
CLUSTER_ROLE = "ClusterRole"
ROLE_BINDING = "RoleBinding"
CLUSTER_ROLE_BINDING = "ClusterRoleBinding"

SA_PREFIX = "system:serviceaccount:"
ALL_AUTHENTICATED = "system:authenticated"
ALL_UNAUTHENTICATED = "system:unauthenticated"
ANONYMOUS = "system:anonymous"
MASTERS = "system:masters"
SA_ALL_GROUP = "system:serviceaccounts"


@dataclass(frozen=True, slots=True)
class PolicyRule:
    """One `rules[]` entry. Empty tuples mean "the field was absent or empty"."""

    verbs: tuple[str, ...] = ()
    api_groups: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    resource_names: tuple[str, ...] = ()
    non_resource_urls: tuple[str, ...] = ()

    def describe(self) -> str:
        """A compact one-line form for explanations (like rbac's CompactString)."""
        parts = []
        if self.api_groups:
            parts.append("apiGroups=" + _q(self.api_groups))
        if self.resources:
            parts.append("resources=" + _q(self.resources))
        if self.non_resource_urls:
            parts.append("nonResourceURLs=" + _q(self.non_resource_urls))
        if self.resource_names:
            parts.append("resourceNames=" + _q(self.resource_names))
        parts.append("verbs=" + _q(self.verbs))
        return "{" + ", ".join(parts) + "}"


def _q(items: tuple[str, ...]) -> str:
    return "[" + ", ".join(repr(i) if i == "" else i for i in items) + "]"


@dataclass(frozen=True, slots=True)
class Requirement:
    """One label selector requirement (`matchExpressions[]`, or one `matchLabels` pair as In)."""

    key: str
    operator: str  # In, NotIn, Exists, DoesNotExist
    values: tuple[str, ...] = ()

    def matches(self, labels: dict[str, str]) -> bool:
        """The semantics of k8s.io/apimachinery labels.Requirement.Matches."""
        if self.operator == "In":
            return self.key in labels and labels[self.key] in self.values
        if self.operator == "NotIn":
            return self.key not in labels or labels[self.key] not in self.values
        if self.operator == "Exists":
            return self.key in labels
        return self.key not in labels  # DoesNotExist


@dataclass(frozen=True, slots=True)
class LabelSelector:
    """A `metav1.LabelSelector`; an empty selector matches every object (LabelSelectorAsSelector)."""

    requirements: tuple[Requirement, ...] = ()

    def matches(self, labels: dict[str, str]) -> bool:
        return all(r.matches(labels) for r in self.requirements)

    def describe(self) -> str:
        if not self.requirements:
            return "{} (everything)"
        out = []
        for r in self.requirements:
            if r.operator == "In" and len(r.values) == 1:
                out.append(f"{r.key}={r.values[0]}")
            elif r.operator in ("Exists", "DoesNotExist"):
                out.append(("" if r.operator == "Exists" else "!") + r.key)
            else:
                out.append(f"{r.key} {r.operator.lower()} ({', '.join(r.values)})")
        return ", ".join(out)


@dataclass(frozen=True, slots=True)
class Role:
    """A Role (namespace set) or a ClusterRole (namespace ''), with where it came from."""

    kind: str
    name: str
    namespace: str = ""
    rules: tuple[PolicyRule, ...] = ()
    labels: tuple[tuple[str, str], ...] = ()
    aggregation: tuple[LabelSelector, ...] | None = None
    source: str = ""

    @property
    def ref(self) -> str:
        return f"{self.kind} {self.namespace}/{self.name}" if self.namespace else f"{self.kind} {self.name}"

    def label_map(self) -> dict[str, str]:
        return dict(self.labels)


@dataclass(frozen=True, slots=True)
class Subject:
    kind: str
    name: str
    namespace: str = ""

    def describe(self, binding_namespace: str = "") -> str:
        if self.kind == SERVICE_ACCOUNT:
            return f"ServiceAccount {self.namespace or binding_namespace}/{self.name}"
        return f"{self.kind} {self.name}"


@dataclass(frozen=True, slots=True)
class RoleRef:
    kind: str
    name: str
    api_group: str = "rbac.authorization.k8s.io"


@dataclass(frozen=True, slots=True)
class Binding:
    """A RoleBinding (namespace set) or a ClusterRoleBinding (namespace '')."""

    kind: str
    name: str
    namespace: str
    role_ref: RoleRef
    subjects: tuple[Subject, ...] = ()
    source: str = ""

    @property
    def ref(self) -> str:
        return f"{self.kind} {self.namespace}/{self.name}" if self.namespace else f"{self.kind} {self.name}"


@dataclass(frozen=True, slots=True)
class Identity:
    """Who asks: a user name and the complete list of groups the authenticator would attach."""

    user: str
    groups: tuple[str, ...] = ()

    @classmethod
    def of(cls, user: str, groups: list[str] | tuple[str, ...] = ()) -> "Identity":
        """The user and groups the API server ends up with for `--as USER --as-group G...`.

        Following the impersonation filter (k8s.io/apiserver .../filters/impersonation.go): a
        ServiceAccount user name `system:serviceaccount:NS:NAME` carries `system:serviceaccounts`
        and `system:serviceaccounts:NS` (what its token authenticates as), every identity other
        than `system:anonymous` gets `system:authenticated`, and `system:anonymous` gets
        `system:unauthenticated` instead.
        """
        out: list[str] = []
        for g in groups:
            if g not in out:
                out.append(g)
        sa = split_service_account(user)
        if sa is not None:
            for g in (SA_ALL_GROUP, f"{SA_ALL_GROUP}:{sa[0]}"):
                if g not in out:
                    out.append(g)
        extra = ALL_UNAUTHENTICATED if user == ANONYMOUS else ALL_AUTHENTICATED
        if extra not in out:
            out.append(extra)
        return cls(user, tuple(out))

    def describe(self) -> str:
        return f"user {self.user!r} (groups: {', '.join(self.groups) or 'none'})"


def split_service_account(user: str) -> tuple[str, str] | None:
    """(namespace, name) when `user` is a ServiceAccount user name, as serviceaccount.SplitUsername."""
    if not user.startswith(SA_PREFIX):
        return None
    parts = user[len(SA_PREFIX):].split(":")
    if len(parts) != 2 or not parts[0] or not parts[1]:
        return None
    return parts[0], parts[1]


@dataclass(frozen=True, slots=True)
class Request:
    """What `kubectl auth can-i` sends as a SelfSubjectAccessReview, resource or non-resource."""

    verb: str
    resource: str = ""
    group: str = ""
    subresource: str = ""
    name: str = ""
    namespace: str = ""
    path: str = ""  # set for a non-resource request (then resource is '')

    @property
    def is_resource(self) -> bool:
        return not self.path

    def describe(self) -> str:
        if not self.is_resource:
            return f"{self.verb} {self.path}"
        what = self.resource + (f".{self.group}" if self.group else "")
        if self.subresource:
            what += f"/{self.subresource}"
        if self.name:
            what += f" named {self.name!r}"
        where = f"in namespace {self.namespace!r}" if self.namespace else "cluster-wide"
        return f"{self.verb} {what} {where}"


@dataclass(slots=True)
class LoadReport:
    """What a load found: counts per RBAC kind, ignored kinds, the files read."""

    files: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    ignored: dict[str, int] = field(default_factory=dict)
    replaced: int = 0

    @property
    def ignored_total(self) -> int:
        return sum(self.ignored.values())

    def summary(self) -> str:
        kinds = (ROLE, CLUSTER_ROLE, ROLE_BINDING, CLUSTER_ROLE_BINDING)
        head = ", ".join(f"{self.counts.get(k, 0)} {k}s" for k in kinds)
        text = f"{len(self.files)} file(s): {head}"
        if self.ignored:
            other = ", ".join(f"{n} {k}" for k, n in sorted(self.ignored.items()))
            text += f"; ignored {self.ignored_total} other object(s) ({other})"
        return text


@dataclass(frozen=True, slots=True)
class Policy:
    """Everything loaded, in load order (order decides which binding an explanation names)."""

    roles: tuple[Role, ...] = ()
    bindings: tuple[Binding, ...] = ()

    def merged(self, other: "Policy") -> "Policy":
        return Policy(self.roles + other.roles, self.bindings + other.bindings)
