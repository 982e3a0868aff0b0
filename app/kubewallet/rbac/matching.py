"""Does one rule allow one request? Kubernetes' evaluation helpers, rule by rule.

Written after `pkg/apis/rbac/v1/evaluation_helpers.go` and `RuleAllows` in
`plugin/pkg/auth/authorizer/rbac/rbac.go` (Kubernetes), whose rules are, to the letter:

- verbs: `*` or the exact verb.
- apiGroups: `*` or the exact group (`""` is the core group).
- resources: `*`, or the exact "resource" or "resource/subresource", or `*/SUB` for any
  resource's subresource SUB. There is no other wildcard: `pods/*` matches only a request whose
  subresource is literally `*`, and `pods` never matches `pods/log`.
- resourceNames: empty means any name; otherwise the request's name must be listed, so a
  request without a name (list, watch, create, deletecollection) never matches.
- nonResourceURLs: `*`, the exact path, or a prefix ending in `*` (`/apis/*` matches `/apis/x`
  and `/apis/`, not `/apis`).
- a resource request never matches a rule by its nonResourceURLs, nor the other way round.

`rule_allows` is the plain translation (the naive evaluator and the tests use it);
`CompiledRule` is the same test over frozensets, built once per rule for the indexed evaluator.
"""

from __future__ import annotations

from kubewallet.rbac.model import PolicyRule, Request


def verb_matches(rule: PolicyRule, verb: str) -> bool:
    return any(v == "*" or v == verb for v in rule.verbs)


def api_group_matches(rule: PolicyRule, group: str) -> bool:
    return any(g == "*" or g == group for g in rule.api_groups)


def resource_matches(rule: PolicyRule, combined: str, subresource: str) -> bool:
    for r in rule.resources:
        if r == "*" or r == combined:
            return True
        if subresource and len(r) == len(subresource) + 2 and r.startswith("*/") and r.endswith(subresource):
            return True
    return False


def resource_name_matches(rule: PolicyRule, name: str) -> bool:
    return not rule.resource_names or name in rule.resource_names


def non_resource_url_matches(rule: PolicyRule, path: str) -> bool:
    for u in rule.non_resource_urls:
        if u == "*" or u == path:
            return True
        if u.endswith("*") and path.startswith(u.rstrip("*")):
            return True
    return False


def combined_resource(req: Request) -> str:
    return f"{req.resource}/{req.subresource}" if req.subresource else req.resource


def rule_allows(rule: PolicyRule, req: Request) -> bool:
    """RuleAllows: the one test the RBAC authorizer applies to every rule it visits."""
    if req.is_resource:
        return (verb_matches(rule, req.verb) and api_group_matches(rule, req.group)
                and resource_matches(rule, combined_resource(req), req.subresource)
                and resource_name_matches(rule, req.name))
    return verb_matches(rule, req.verb) and non_resource_url_matches(rule, req.path)


class CompiledRule:
    """A PolicyRule turned into set lookups; `allows_*` agree with `rule_allows` exactly."""

    __slots__ = ("rule", "index", "verbs", "all_verbs", "groups", "all_groups", "resources",
                 "all_resources", "names", "urls", "all_urls", "url_prefixes", "has_resources")

    def __init__(self, rule: PolicyRule, index: int) -> None:
        self.rule = rule
        self.index = index
        self.verbs = frozenset(rule.verbs)
        self.all_verbs = "*" in self.verbs
        self.groups = frozenset(rule.api_groups)
        self.all_groups = "*" in self.groups
        self.resources = frozenset(rule.resources)
        self.all_resources = "*" in self.resources
        self.has_resources = bool(rule.resources)
        self.names = frozenset(rule.resource_names) if rule.resource_names else None
        self.urls = frozenset(rule.non_resource_urls)
        self.all_urls = "*" in self.urls
        self.url_prefixes = tuple(u.rstrip("*") for u in rule.non_resource_urls if u.endswith("*"))

    def allows_resource(self, verb: str, group: str, combined: str, star_sub: str | None, name: str) -> bool:
        return (
            self.has_resources
            and (self.all_verbs or verb in self.verbs)
            and (self.all_groups or group in self.groups)
            and (self.all_resources or combined in self.resources
                 or (star_sub is not None and star_sub in self.resources))
            and (self.names is None or name in self.names)
        )

    def allows_path(self, verb: str, path: str) -> bool:
        if not (self.all_verbs or verb in self.verbs):
            return False
        if self.all_urls or path in self.urls:
            return True
        return any(path.startswith(p) for p in self.url_prefixes)

    def allows(self, req: Request) -> bool:
        if req.is_resource:
            return self.allows_resource(req.verb, req.group, combined_resource(req),
                                        f"*/{req.subresource}" if req.subresource else None, req.name)
        return self.allows_path(req.verb, req.path)
