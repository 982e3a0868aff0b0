"""Built-in resource types, and kubectl's reading of a `TYPE` argument.

`kubectl auth can-i VERB TYPE` lower-cases TYPE and asks the RESTMapper (discovery plus the
short-name expander) for a resource: `pods`, `pod`, `po`, `Pod` all mean `pods` in the core
group; `deployments.apps`, `deploy`, `Deployment` mean `deployments` in `apps`;
`deployments.v1.apps` names the version too; `hpa.autoscal` matches a group by prefix (short
names only). A bare name matches by plural, singular (the Kind in lower case) or short name, the
first match in discovery order winning (so `events` is the core group's). `*` stays `*`.

Offline there is no discovery: the table in `resources/rbac/resources.tsv` stands in for a
1.35 API server's built-in types. A name it does not know is taken as kubectl takes it without
a match: `widgets.example.com` is resource `widgets` in group `example.com` (a custom
resource), and a bare unknown name is a core-group resource of that name (kubectl warns about
it; so do we, except for `users` and `groups`, which only exist for `impersonate`).
"""

from __future__ import annotations

import os
from collections import namedtuple

TABLE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "resources", "rbac", "resources.tsv")
NON_STANDARD = frozenset({"users", "groups"})


def _is_version(text: str) -> bool:
    """A Kubernetes API version: v1, v2beta1, v1alpha3."""
    if not text.startswith("v") or len(text) < 2:
        return False
    rest = text[1:]
    digits = len(rest) - len(rest.lstrip("0123456789"))
    if digits == 0:
        return False
    rest = rest[digits:]
    for stage in ("alpha", "beta"):
        if rest.startswith(stage):
            tail = rest[len(stage):]
            return tail.isdigit()
    return rest == ""


class ResourceType(namedtuple("ResourceType", "group version plural kind namespaced short_names")):
    __slots__ = ()
    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool
    short_names: tuple[str, ...]

    @property
    def singular(self) -> str:
        return self.kind.lower()

    @property
    def qualified(self) -> str:
        return f"{self.plural}.{self.group}" if self.group else self.plural


class ResolvedType(namedtuple("ResolvedType", "resource group known warning", defaults=(None, ""))):
    __slots__ = ()
    resource: str
    group: str
    known: ResourceType | None
    warning: str


_TYPES: list[tuple[ResourceType, ...]] = []


def builtin_types() -> tuple[ResourceType, ...]:
    if _TYPES:
        return _TYPES[0]
    out = []
    with open(TABLE, encoding="utf-8") as f:
        text = f.read()
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        group, version, plural, kind, namespaced = cols[:5]
        shorts = tuple(s for s in (cols[5] if len(cols) > 5 else "").split(",") if s)
        out.append(ResourceType(group, version, plural, kind, namespaced == "yes", shorts))
    _TYPES.append(tuple(out))
    return _TYPES[0]


def _lookup(resource: str, group: str | None, version: str | None = None) -> ResourceType | None:
    types = builtin_types()

    def group_ok(t: ResourceType) -> bool:
        return (group is None or t.group == group) and (version is None or _is_version(version))

    for t in types:  # an exact plural or singular name wins over any short name
        if group_ok(t) and (resource == t.plural or resource == t.singular):
            return t
    for t in types:
        if group_ok(t) and resource in t.short_names:
            return t
    if group:  # short names may name their group by prefix ("hpa.autoscal")
        for t in types:
            if t.group.startswith(group) and resource in t.short_names and version is None:
                return t
    return None


def resolve_type(arg: str) -> ResolvedType:
    """The (resource, group) kubectl would put into the SelfSubjectAccessReview for TYPE."""
    if arg == "*":
        return ResolvedType("*", "")
    lower = arg.lower()
    if lower.count(".") >= 2:
        res, version, group = lower.split(".", 2)
        t = _lookup(res, group, version)
        if t is not None:
            return ResolvedType(t.plural, t.group, t)
    res, _, group = lower.partition(".")
    t = _lookup(res, group or None)
    if t is not None:
        return ResolvedType(t.plural, t.group, t)
    if group:
        return ResolvedType(res, group)
    if lower in NON_STANDARD:
        return ResolvedType(lower, "")
    return ResolvedType(arg, "", warning=(
        f"'{arg}' is not a built-in resource type; asking about resource '{arg}' in the core group "
        f"(name a custom resource with its group, as in {arg}.example.com)"))
