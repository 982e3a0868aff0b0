"""Offline Kubernetes RBAC: load manifests, answer can-i exactly as the API server would, explain.

Modules: `model` (values), `loading` (manifests -> Policy), `aggregation` (aggregated
ClusterRoles), `matching` (one rule vs one request), `authorizer` (the indexed evaluator),
`naive` (the plain scan it is tested against), `listing` (can-i --list), `explain`, `matrix`,
`risks`, `resources` (TYPE arguments), `defaults` (--with-defaults), `kubeidentity` (--context).
Qt-free and YAML-free at import: PyYAML is imported only to read a YAML file.
"""
