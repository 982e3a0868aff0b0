"""`rbac risks`: who holds permissions that amount to more than they look like.

Each check is a set of concrete requests put to a rule with the authorizer's own `rule_allows`,
so a check fires exactly when the rule would allow the dangerous request (a wildcard counts,
a resourceNames restriction is respected only for checks about named objects). The scope comes
from the binding: a ClusterRoleBinding grants in every namespace, a RoleBinding in its own.
Why each is dangerous (Kubernetes "RBAC good practices" and privilege-escalation docs):

- full wildcard (`*` verbs on `*` resources in `*` groups): cluster-admin by another name;
- impersonate users or groups: become anyone, a member of system:masters included; service accounts:
  act with their permissions;
- escalate / bind on roles: grant yourself or others permissions you do not hold;
- read secrets cluster-wide: every ServiceAccount token and credential in the cluster;
- create pods or workloads in kube-system: run as any ServiceAccount there, control-plane tokens;
- nodes/proxy: the kubelet API, command execution in any pod on the node, audit-free;
- approve CSRs (certificatesigningrequests/approval + signers approve): mint client certificates;
- create serviceaccounts/token, pods/exec: act as, or inside, other workloads;
- mutating/validating webhooks: intercept every object written;
- a binding to Group system:masters: membership comes from certificates and cannot be revoked;
- anything granted to system:unauthenticated / system:anonymous: open to the internet.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from kubewallet.rbac.authorizer import Authorizer, BindingEntry, subject_key
from kubewallet.rbac.matching import rule_allows
from kubewallet.rbac.model import (
    ALL_UNAUTHENTICATED,
    ANONYMOUS,
    CLUSTER_ROLE_BINDING,
    GROUP,
    MASTERS,
    PolicyRule,
    Request,
    Subject,
)

SEVERITIES = ("critical", "high", "medium", "low")
_WORKLOADS = (("pods", ""), ("deployments", "apps"), ("daemonsets", "apps"), ("statefulsets", "apps"),
              ("replicasets", "apps"), ("jobs", "batch"), ("cronjobs", "batch"), ("replicationcontrollers", ""))


@dataclass(frozen=True, slots=True)
class Check:
    id: str
    severity: str
    title: str
    requests: tuple[Request, ...]
    cluster_only: bool = False       # fires only through a ClusterRoleBinding
    namespace: str = ""              # fires only where this namespace is covered
    named_too: bool = False          # a rule limited to resourceNames still counts (one level lower)


def _r(verb: str, resource: str, group: str = "", sub: str = "", name: str = "") -> Request:
    return Request(verb, resource, group, sub, name)


CHECKS: tuple[Check, ...] = (
    Check("wildcard-all", "critical", "every verb on every resource (cluster-admin equivalent)",
          (_r("*", "*", "*"),)),
    Check("impersonate", "critical", "may impersonate users or groups (system:masters included)",
          (_r("impersonate", "users"), _r("impersonate", "groups")), named_too=True),
    Check("impersonate-sa", "high", "may impersonate service accounts (and use their permissions)",
          (_r("impersonate", "serviceaccounts"), _r("impersonate", "uids", "authentication.k8s.io"),
           _r("impersonate", "userextras", "authentication.k8s.io")), named_too=True),
    Check("escalate", "high", "may escalate: create roles with permissions it does not hold",
          (_r("escalate", "roles", "rbac.authorization.k8s.io"), _r("escalate", "clusterroles", "rbac.authorization.k8s.io"))),
    Check("bind", "high", "may bind any role, including ones with permissions it does not hold",
          (_r("bind", "roles", "rbac.authorization.k8s.io"), _r("bind", "clusterroles", "rbac.authorization.k8s.io"))),
    Check("secrets-cluster", "high", "may read secrets in every namespace",
          (_r("get", "secrets"), _r("list", "secrets"), _r("watch", "secrets")), cluster_only=True),
    Check("workloads-kube-system", "high", "may create pods or workloads in kube-system",
          tuple(_r("create", res, g) for res, g in _WORKLOADS), namespace="kube-system"),
    Check("nodes-proxy", "high", "may use nodes/proxy (the kubelet API: exec in any pod on the node)",
          (_r("get", "nodes", sub="proxy"), _r("create", "nodes", sub="proxy"))),
    Check("csr-approve", "high", "may approve certificate signing requests (mint client certificates)",
          (_r("update", "certificatesigningrequests", "certificates.k8s.io", "approval"),
           _r("approve", "signers", "certificates.k8s.io", name="kubernetes.io/kube-apiserver-client"))),
    Check("webhooks", "high", "may create or change admission webhooks (see and alter every write)",
          (_r("create", "mutatingwebhookconfigurations", "admissionregistration.k8s.io"),
           _r("update", "mutatingwebhookconfigurations", "admissionregistration.k8s.io"),
           _r("create", "validatingwebhookconfigurations", "admissionregistration.k8s.io"))),
    Check("secrets-namespace", "medium", "may read secrets in its namespace",
          (_r("get", "secrets"), _r("list", "secrets"), _r("watch", "secrets"))),
    Check("pods-exec", "medium", "may exec into pods",
          (_r("create", "pods", sub="exec"), _r("get", "pods", sub="exec"))),
    Check("token-create", "medium", "may create tokens for service accounts",
          (_r("create", "serviceaccounts", sub="token"),)),
    Check("pods-create", "medium", "may create pods (and so run as any service account of the namespace)",
          (_r("create", "pods"),)),
)


@dataclass(frozen=True, slots=True)
class Risk:
    severity: str
    check: str
    title: str
    subject: Subject
    binding: str
    role: str
    rule_index: int
    rule: PolicyRule
    scope: str

    @property
    def path(self) -> str:
        return f"{self.subject.describe()} -> {self.binding} -> {self.role} -> rule {self.rule_index} {self.rule.describe()}"

    def to_json(self) -> dict:
        return {"severity": self.severity, "check": self.check, "title": self.title,
                "subject": {"kind": self.subject.kind, "name": self.subject.name,
                            "namespace": self.subject.namespace},
                "binding": self.binding, "role": self.role, "ruleIndex": self.rule_index,
                "rule": self.rule.describe(), "scope": self.scope, "path": self.path}


def _narrowed(check: Check, rule: PolicyRule) -> Check:
    """The same check for a rule limited to some names: one severity level lower."""
    severity = SEVERITIES[min(SEVERITIES.index(check.severity) + 1, len(SEVERITIES) - 1)]
    return replace(check, severity=severity,
                   title=f"{check.title} (only the names [{', '.join(rule.resource_names)}])")


def _has_wildcard(rule: PolicyRule) -> bool:
    return "*" in rule.verbs or "*" in rule.resources or "*" in rule.api_groups or "*" in rule.non_resource_urls


def _public(subject: Subject) -> bool:
    return (subject.kind == GROUP and subject.name == ALL_UNAUTHENTICATED) or \
        (subject.kind == "User" and subject.name == ANONYMOUS)


def find_risks(authz: Authorizer, *, min_severity: str = "low") -> list[Risk]:
    """Every (subject, check, binding) that fires, most severe first."""
    cutoff = SEVERITIES.index(min_severity)
    found: dict[tuple, Risk] = {}

    def add(risk: Risk) -> None:
        key = (risk.check, risk.subject, risk.binding)
        if key not in found and SEVERITIES.index(risk.severity) <= cutoff:
            found[key] = risk

    role_hits: dict[int, list[tuple[Check, int, PolicyRule]]] = {}
    for e in authz.entries:
        if e.role is None:
            continue
        hits = role_hits.get(id(e.role))
        if hits is None:
            hits = []
            for check in CHECKS:
                hit = next(((check, i, rule) for i, rule in enumerate(e.role.rules)
                            if any(rule_allows(rule, req) for req in check.requests)), None)
                if hit is None and check.named_too:
                    hit = next(((_narrowed(check, rule), i, rule) for i, rule in enumerate(e.role.rules)
                                if rule.resource_names and any(rule_allows(rule._replace(resource_names=()), req)
                                                               for req in check.requests)), None)
                if hit is not None:
                    hits.append(hit)
            if any(c.id == "wildcard-all" for c, _, _ in hits):
                hits = [h for h in hits if h[0].id == "wildcard-all"]  # everything else is implied
            wild = next(((i, r) for i, r in enumerate(e.role.rules) if _has_wildcard(r)), None)
            if wild is not None and not any(c.id == "wildcard-all" for c, _, _ in hits):
                hits.append((Check("wildcard", "medium", "a rule uses a wildcard (*): grants whatever exists, "
                                   "including types added later", ()), wild[0], wild[1]))
            role_hits[id(e.role)] = hits
        _report(e, hits, add)
    return sorted(found.values(), key=lambda r: (SEVERITIES.index(r.severity), r.check,
                                                 r.subject.kind, r.subject.namespace, r.subject.name, r.binding))


def _report(e: BindingEntry, hits: list[tuple[Check, int, PolicyRule]], add) -> None:
    b = e.binding
    cluster = b.kind == CLUSTER_ROLE_BINDING
    scope = "all namespaces" if cluster else f"namespace {b.namespace}"
    role = e.role.ref if e.role else ""
    for s in b.subjects:
        if subject_key(s, b) is None:
            continue
        if s.kind == "ServiceAccount" and not s.namespace:
            s = Subject(s.kind, s.name, b.namespace)
        public = _public(s)
        if s.kind == GROUP and s.name == MASTERS:
            add(Risk("high", "masters-binding", "binding to group system:masters (membership comes from "
                     "client certificates and cannot be revoked; the group bypasses RBAC anyway)",
                     s, b.ref, role, 0, e.role.rules[0] if e.role and e.role.rules else PolicyRule(), scope))
        for check, i, rule in hits:
            if check.cluster_only and not cluster:
                continue
            if check.id == "secrets-namespace" and cluster:
                continue
            if check.namespace and not cluster and b.namespace != check.namespace:
                continue
            severity = check.severity
            if check.id == "secrets-namespace" and b.namespace == "kube-system":
                severity = "high"
            if public:
                severity = "critical"
            add(Risk(severity, check.id, check.title, s, b.ref, role, i, rule, scope))
        if public and e.role and e.role.rules and not hits:
            only_urls = all(r.non_resource_urls and not r.resources for r in e.role.rules)
            add(Risk("low" if only_urls else "medium", "public", "grants to unauthenticated users (anyone who can reach the API server)",
                     s, b.ref, role, 0, e.role.rules[0], scope))


def render_risks(risks: list[Risk]) -> str:
    if not risks:
        return "no risky permissions found\n"
    rows = [("SEVERITY", "SUBJECT", "RISK", "SCOPE", "VIA")]
    for r in risks:
        rows.append((r.severity.upper(), r.subject.describe(), r.title, r.scope,
                     f"{r.binding} -> {r.role} rule {r.rule_index}"))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return "".join("  ".join(c.ljust(widths[i]) for i, c in enumerate(row[:4])) + "  " + row[4] + "\n"
                   for row in rows)
