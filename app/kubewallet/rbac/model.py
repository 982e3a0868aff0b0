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

import re
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


class Identity(namedtuple("Identity", "user groups uid", defaults=((), ""))):
    """Who asks: a user name, the complete list of groups the API server attaches, and a UID.

    Build one for `--as`/`--as-group`/`--as-uid` with `rbac.impersonation.impersonate`, which
    applies the API server's impersonation rules; RBAC itself reads only the user and groups.
    """

    __slots__ = ()

    def describe(self) -> str:
        uid = f", uid {self.uid!r}" if self.uid else ""
        return f"user {self.user!r} (groups: {', '.join(self.groups) or 'none'}{uid})"


_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")


def _dns_subdomain(name: str) -> bool:
    return len(name) <= 253 and all(_DNS_LABEL.fullmatch(part) for part in name.split("."))


def split_service_account(user: str) -> tuple[str, str] | None:
    """(namespace, name) when `user` is a ServiceAccount user name, as k8s.io/apiserver's
    serviceaccount.SplitUsername decides: exactly two parts after the prefix, the namespace a
    DNS-1123 label (63 characters at most), the name a DNS-1123 subdomain."""
    if not user.startswith(SA_PREFIX):
        return None
    parts = user[len(SA_PREFIX):].split(":")
    if len(parts) != 2:
        return None
    namespace, name = parts
    if len(namespace) > 63 or not _DNS_LABEL.fullmatch(namespace) or not _dns_subdomain(name):
        return None
    return namespace, name


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
