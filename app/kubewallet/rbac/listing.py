"""`can-i --list`: the rules that apply, printed as `kubectl auth can-i --list` prints them.

The server answers a SelfSubjectRulesReview with `RulesFor(user, namespace)` (every rule of
every applicable binding, ClusterRoleBindings first), split into resource rules (those with
resources) and non-resource rules (those with nonResourceURLs). kubectl then
(`staging/src/k8s.io/kubectl/pkg/cmd/auth/cani.go`, `pkg/util/rbac/rbac.go`):

1. breaks every rule down into one rule per (apiGroup, resource, verb[, resourceName]) and per
   (nonResourceURL, verb); a resource rule without apiGroups breaks down into nothing;
2. compacts the resource rules sharing (apiGroup, resource, resourceName), appending their verbs
   (duplicates kept: two grants of `get` print `[get get]`); non-resource rules stay one per
   line, duplicates included;
3. sorts, stably, by the Go string of each rule, `&PolicyRule{Verbs:[..],APIGroups:[..],...}`,
   so rows are ordered by verbs first;
4. prints `Resources`, `Non-Resource URLs`, `Resource Names`, `Verbs` through a tabwriter
   (min width 6, padding 3, spaces), lists as Go's `%v` prints them (`[a b]`), and the resource
   column as `resource.group/subresource`.

The privileged `system:masters` group is not a rule: as on a real server, --list shows only
what RBAC bindings give (with --with-defaults, `cluster-admin` bound to system:masters).
"""

from __future__ import annotations

from kubewallet.rbac.authorizer import Authorizer
from kubewallet.rbac.model import Identity, PolicyRule

HEADERS = ("Resources", "Non-Resource URLs", "Resource Names", "Verbs")


def review_rules(authz: Authorizer, identity: Identity, namespace: str) -> list[PolicyRule]:
    """The SelfSubjectRulesReview status as PolicyRules: resource rules, then non-resource rules."""
    rules = [r for _, r in authz.rules_for(identity, namespace)]
    resource = [PolicyRule(r.verbs, r.api_groups, r.resources, r.resource_names) for r in rules if r.resources]
    non_resource = [PolicyRule(verbs=r.verbs, non_resource_urls=r.non_resource_urls)
                    for r in rules if r.non_resource_urls]
    return resource + non_resource


def breakdown(rule: PolicyRule) -> list[PolicyRule]:
    out: list[PolicyRule] = []
    for g in rule.api_groups:
        for res in rule.resources:
            for v in rule.verbs:
                if rule.resource_names:
                    out.extend(PolicyRule((v,), (g,), (res,), (n,)) for n in rule.resource_names)
                else:
                    out.append(PolicyRule((v,), (g,), (res,)))
    for url in rule.non_resource_urls:
        for v in rule.verbs:
            out.append(PolicyRule(verbs=(v,), non_resource_urls=(url,)))
    return out


def compact(rules: list[PolicyRule]) -> list[PolicyRule]:
    """CompactRules over broken-down rules (every resource rule there is "simple")."""
    others: list[PolicyRule] = []
    simple: dict[tuple[str, str, bool, str], list] = {}
    for r in rules:
        if len(r.resource_names) <= 1 and not r.non_resource_urls and len(r.api_groups) == 1 and len(r.resources) == 1:
            key = (r.api_groups[0], r.resources[0], bool(r.resource_names), r.resource_names[0] if r.resource_names else "")
            if key in simple:
                simple[key][0].extend(r.verbs)
            else:
                simple[key] = [list(r.verbs), r]
        else:
            others.append(r)
    merged = [PolicyRule(tuple(verbs), r.api_groups, r.resources, r.resource_names) for verbs, r in simple.values()]
    return others + merged


def _v(items: tuple[str, ...]) -> str:
    """Go's %v of a []string."""
    return "[" + " ".join(items) + "]"


def go_string(r: PolicyRule) -> str:
    """The generated (*PolicyRule).String() that kubectl sorts by."""
    return (f"&PolicyRule{{Verbs:{_v(r.verbs)},APIGroups:{_v(r.api_groups)},Resources:{_v(r.resources)},"
            f"ResourceNames:{_v(r.resource_names)},NonResourceURLs:{_v(r.non_resource_urls)},}}")


def combine_resource_group(resources: tuple[str, ...], groups: tuple[str, ...]) -> str:
    if not resources:
        return ""
    base, slash, sub = resources[0].partition("/")
    out = base
    if groups and groups[0] != "":
        out += "." + groups[0]
    if slash:
        out += "/" + sub
    return out


def list_rows(rules: list[PolicyRule]) -> list[tuple[str, str, str, str]]:
    broken: list[PolicyRule] = []
    for r in rules:
        broken.extend(breakdown(r))
    compacted = sorted(compact(broken), key=go_string)  # sorted() is stable, like sort.Stable
    return [(combine_resource_group(r.resources, r.api_groups), _v(r.non_resource_urls),
             _v(r.resource_names), _v(r.verbs)) for r in compacted]


def tabwrite(rows: list[tuple[str, ...]], *, minwidth: int = 6, padding: int = 3) -> str:
    """text/tabwriter with kubectl's settings: every cell but the last padded to its column."""
    if not rows:
        return ""
    ncols = max(len(r) for r in rows)
    widths = [minwidth] * ncols
    for r in rows:
        for i, cell in enumerate(r[:-1]):
            widths[i] = max(widths[i], len(cell) + padding)
    lines = []
    for r in rows:
        cells = [c.ljust(widths[i]) for i, c in enumerate(r[:-1])]
        lines.append("".join(cells) + r[-1] + "\n")
    return "".join(lines)


def render_list(rules: list[PolicyRule], *, headers: bool = True) -> str:
    rows: list[tuple[str, ...]] = list(list_rows(rules))
    if headers:
        rows.insert(0, HEADERS)
    return tabwrite(rows)
