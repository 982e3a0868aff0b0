"""RBAC values: rules, roles, bindings, identities and requests (no I/O, no logic beyond shape).

The shapes are those of `rbac.authorization.k8s.io/v1`. Lists become tuples so every value is
hashable and frozen; a rule keeps its fields in the order the API defines them, because
`kubectl auth can-i --list` sorts rows by the Go string form of a rule (see `listing.py`).

Values are immutable named tuples (`collections.namedtuple` subclasses with `__slots__ = ()`),
not dataclasses: `kubewallet can-i` is one short process, and `import dataclasses` (which pulls
in `inspect`, `ast`, `dis`, ...) plus the decorator's per-class code generation cost more than
loading and answering (measured with `python -X importtime`). `_replace` stands in for
`dataclasses.replace`.
"""

from __future__ import annotations

from collections import namedtuple

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


class PolicyRule(namedtuple("PolicyRule", "verbs api_groups resources resource_names non_resource_urls", defaults=((), (), (), (), ()))):
    """One `rules[]` entry. Empty tuples mean "the field was absent or empty"."""

    __slots__ = ()

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


class Requirement(namedtuple("Requirement", "key operator values", defaults=((),))):
    """One label selector requirement (`matchExpressions[]`, or one `matchLabels` pair as In)."""

    __slots__ = ()

    def matches(self, labels: dict[str, str]) -> bool:
        """The semantics of k8s.io/apimachinery labels.Requirement.Matches."""
        if self.operator == "In":
            return self.key in labels and labels[self.key] in self.values
        if self.operator == "NotIn":
            return self.key not in labels or labels[self.key] not in self.values
        if self.operator == "Exists":
            return self.key in labels
        return self.key not in labels  # DoesNotExist


class LabelSelector(namedtuple("LabelSelector", "requirements", defaults=((),))):
    """A `metav1.LabelSelector`; an empty selector matches every object (LabelSelectorAsSelector)."""

    __slots__ = ()

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


class Role(namedtuple("Role", "kind name namespace rules labels aggregation source", defaults=("", (), (), None, ""))):
    """A Role (namespace set) or a ClusterRole (namespace ''), with where it came from."""

    __slots__ = ()

    @property
    def ref(self) -> str:
        return f"{self.kind} {self.namespace}/{self.name}" if self.namespace else f"{self.kind} {self.name}"

    def label_map(self) -> dict[str, str]:
        return dict(self.labels)


class Subject(namedtuple("Subject", "kind name namespace", defaults=("",))):
    __slots__ = ()

    def describe(self, binding_namespace: str = "") -> str:
        if self.kind == SERVICE_ACCOUNT:
            return f"ServiceAccount {self.namespace or binding_namespace}/{self.name}"
        return f"{self.kind} {self.name}"


class RoleRef(namedtuple("RoleRef", "kind name api_group", defaults=("rbac.authorization.k8s.io",))):
    __slots__ = ()


class Binding(namedtuple("Binding", "kind name namespace role_ref subjects source", defaults=((), ""))):
    """A RoleBinding (namespace set) or a ClusterRoleBinding (namespace '')."""

    __slots__ = ()

    @property
    def ref(self) -> str:
        return f"{self.kind} {self.namespace}/{self.name}" if self.namespace else f"{self.kind} {self.name}"


class Identity(namedtuple("Identity", "user groups", defaults=((),))):
    """Who asks: a user name and the complete list of groups the authenticator would attach."""

    __slots__ = ()

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


class Request(namedtuple("Request", "verb resource group subresource name namespace path", defaults=("", "", "", "", "", ""))):
    """What `kubectl auth can-i` sends as a SelfSubjectAccessReview, resource or non-resource."""

    __slots__ = ()

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


class LoadReport:
    """What a load found: counts per RBAC kind, ignored kinds, the files read (filled in by the loader)."""

    __slots__ = ("files", "counts", "ignored", "replaced")

    def __init__(self) -> None:
        self.files: list[str] = []
        self.counts: dict[str, int] = {}
        self.ignored: dict[str, int] = {}
        self.replaced = 0

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


class Policy(namedtuple("Policy", "roles bindings", defaults=((), ()))):
    """Everything loaded, in load order (order decides which binding an explanation names)."""

    __slots__ = ()

    def merged(self, other: "Policy") -> "Policy":
        return Policy(self.roles + other.roles, self.bindings + other.bindings)
