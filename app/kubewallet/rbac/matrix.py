"""The access matrix: resources down, verbs across, yes/no in each cell (what rakkess shows).

Every cell is one ordinary `Authorizer.allowed` question, so the matrix agrees with `can-i` by
construction. Rows are the built-in resource types (namespaced ones only when a namespace is
given, as a namespaced question about a cluster-scoped type means nothing) plus every
resource any loaded rule names explicitly (custom resources), subresources and `*` left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from kubewallet.rbac.authorizer import Authorizer
from kubewallet.rbac.model import Identity, Request
from kubewallet.rbac.resources import builtin_types

DEFAULT_VERBS = ("get", "list", "watch", "create", "update", "patch", "delete", "deletecollection")


@dataclass(frozen=True, slots=True)
class MatrixRow:
    resource: str
    group: str
    cells: tuple[bool, ...]

    @property
    def name(self) -> str:
        return f"{self.resource}.{self.group}" if self.group else self.resource


@dataclass(frozen=True, slots=True)
class Matrix:
    identity: Identity
    namespace: str
    verbs: tuple[str, ...]
    rows: tuple[MatrixRow, ...]

    def to_json(self) -> dict:
        return {
            "user": self.identity.user,
            "groups": list(self.identity.groups),
            "namespace": self.namespace,
            "verbs": list(self.verbs),
            "resources": {r.name: dict(zip(self.verbs, r.cells)) for r in self.rows},
        }

    def render(self, *, ascii_only: bool = False) -> str:
        yes, no = ("yes", "no") if ascii_only else ("✔", "✖")
        header = ("NAME", *(v.upper() for v in self.verbs))
        body = [(r.name, *(yes if c else no for c in r.cells)) for r in self.rows]
        widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]
        lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in [header, *body]]
        return "\n".join(lines) + "\n"


def resource_rows(authz: Authorizer, namespace: str) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for t in builtin_types():
        if namespace and not t.namespaced:
            continue
        key = (t.plural, t.group)
        if key not in seen:
            seen.add(key)
            rows.append(key)
    extra: set[tuple[str, str]] = set()
    for role in authz.roles:
        for rule in role.rules:
            for res in rule.resources:
                if res == "*" or "/" in res:
                    continue
                for g in rule.api_groups:
                    if g != "*" and (res, g) not in seen:
                        extra.add((res, g))
    return rows + sorted(extra, key=lambda k: (k[1], k[0]))


def access_matrix(authz: Authorizer, identity: Identity, namespace: str = "",
                  verbs: tuple[str, ...] = DEFAULT_VERBS,
                  resources: list[tuple[str, str]] | None = None) -> Matrix:
    rows = []
    for res, group in resources if resources is not None else resource_rows(authz, namespace):
        cells = tuple(authz.allowed(identity, Request(v, res, group, namespace=namespace)) for v in verbs)
        rows.append(MatrixRow(res, group, cells))
    return Matrix(identity, namespace, tuple(verbs), tuple(rows))
