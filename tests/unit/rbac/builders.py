"""Small builders for RBAC objects as dicts (what YAML would decode to), for table-driven tests."""

from __future__ import annotations

RBAC = "rbac.authorization.k8s.io/v1"


def rule(verbs, resources=None, groups=("",), names=None, urls=None) -> dict:
    out: dict = {"verbs": list(verbs)}
    if urls is not None:
        out["nonResourceURLs"] = list(urls)
        return out
    out["apiGroups"] = list(groups)
    out["resources"] = list(resources or [])
    if names is not None:
        out["resourceNames"] = list(names)
    return out


def role(name, ns, *rules) -> dict:
    return {"apiVersion": RBAC, "kind": "Role", "metadata": {"name": name, "namespace": ns}, "rules": list(rules)}


def cluster_role(name, *rules, labels=None, aggregate=None) -> dict:
    meta: dict = {"name": name}
    if labels:
        meta["labels"] = dict(labels)
    out: dict = {"apiVersion": RBAC, "kind": "ClusterRole", "metadata": meta, "rules": list(rules)}
    if aggregate is not None:
        out["aggregationRule"] = {"clusterRoleSelectors": list(aggregate)}
    return out


def user(name) -> dict:
    return {"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": name}


def group(name) -> dict:
    return {"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": name}


def sa(name, ns=None) -> dict:
    out = {"kind": "ServiceAccount", "name": name}
    if ns is not None:
        out["namespace"] = ns
    return out


def binding(name, ns, role_kind, role_name, *subjects) -> dict:
    return {"apiVersion": RBAC, "kind": "RoleBinding", "metadata": {"name": name, "namespace": ns},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role_name},
            "subjects": list(subjects)}


def cluster_binding(name, role_name, *subjects, role_kind="ClusterRole") -> dict:
    return {"apiVersion": RBAC, "kind": "ClusterRoleBinding", "metadata": {"name": name},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role_name},
            "subjects": list(subjects)}
