"""`config view`, `get-contexts`, `get-clusters`, `get-users`, `current-context` against kubectl."""

from __future__ import annotations

import pytest

from tests.integration.kubeconfig_diff.configs import (A, C, DOTS, NON_ASCII, PKI, PKI_HOME, SINGLE,
                                                       THREE, THREE_KC, UNKNOWN, ODD_STRINGS, EXOTIC)
from tests.integration.kubeconfig_diff.harness import Link
from tests.integration.kubeconfig_diff.scenarios import S, ids

ONE = {"home/.kube/config": SINGLE, **PKI, **PKI_HOME}
VIEWS = ("view", "view --raw", "view -o json", "view --raw -o json", "view --minify",
         "view --minify --raw -o json", "view --flatten", "view --flatten -o json",
         "view --minify --flatten", "view --raw=true", "view --minify=false", "view --raw=false -o yaml",
         "view --output json", "view --output=yaml", "view -ojson", "view --flatten --minify -o yaml")
GETS = ("get-contexts", "get-contexts -o name", "get-contexts --no-headers", "get-contexts prod",
        "get-contexts -o name dev", "get-contexts --no-headers=true dev prod", "get-clusters",
        "get-users", "current-context")

SCENARIOS = [
    S("single-views", ONE, *VIEWS),
    S("single-gets", ONE, *GETS),
    S("explicit-file", {"k/conf.yaml": SINGLE, **PKI}, *(f"--kubeconfig k/conf.yaml {c}" for c in VIEWS[:8]),
      "get-contexts --kubeconfig=k/conf.yaml", "current-context --kubeconfig {dir}/k/conf.yaml"),
    S("three-files-views", THREE, *VIEWS[:9], kc=THREE_KC),
    S("three-files-gets", THREE, *GETS, "get-contexts shared-ctx", "get-contexts shared-ctx ctx-c ctx-a",
      "get-contexts -o name ctx-c ctx-a ctx-c", kc=THREE_KC),
    S("missing-files-in-list", THREE, "view", "get-contexts", "current-context",
      kc=("missing/one", "b/config", "missing/two", "a/config")),
    S("current-context-in-later-file", THREE, "current-context", "view --minify", "get-contexts",
      kc=("a/config", "c/config", "b/config")),
    S("repeated-and-empty-entries", THREE, "view", "get-contexts -o name",
      kc_raw="a/config::b/config:a/config:"),
    S("absolute-kubeconfig-paths", THREE, "view --flatten", "view --minify --flatten -o json",
      kc=("{dir}/b/config", "{dir}/a/config")),
    S("no-file-at-all", {}, "view", "view -o json", "get-contexts", "get-contexts -o name",
      "get-clusters", "get-users", "current-context"),
    S("all-listed-files-missing", {}, "view", "get-contexts", "current-context", kc=("nope", "nada")),
    S("empty-file", {"home/.kube/config": ""}, "view", "view -o json", "get-contexts", "current-context"),
    S("comment-only-file", {"home/.kube/config": "# nothing here yet\n# really\n"}, "view",
      "get-contexts", "current-context", "view --minify"),
    S("empty-lists", {"home/.kube/config": "apiVersion: v1\nkind: Config\nclusters: []\nusers: []\n"
                                          "contexts: []\ncurrent-context: \"\"\n"}, "view", "view -o json"),
    S("no-kind-no-version", {"home/.kube/config": "clusters:\n- name: c\n  cluster:\n    server: https://c\n"},
      "view", "view -o json", "get-clusters"),
    S("unknown-fields-and-extensions", {"home/.kube/config": UNKNOWN}, "view", "view -o json",
      "view --raw -o json", "view --minify", "get-contexts"),
    S("non-ascii-names", {"home/.kube/config": NON_ASCII}, "view", "view -o json", "get-contexts",
      "get-contexts -o name", "get-clusters", "get-users", "current-context", "get-contexts café"),
    S("names-with-dots", {"home/.kube/config": DOTS}, "view -o json", "get-contexts", "view --minify"),
    S("symlinked-kubeconfig", {"real/config": SINGLE, "home/.kube/config": Link("../../real/config"),
                               **PKI, **PKI_HOME},
      "view --flatten", "get-contexts", "view --minify --flatten -o json"),
    S("get-contexts-missing-name", ONE, "get-contexts nope", "get-contexts dev nope", "get-contexts -o name nope"),
    S("minify-other-context", ONE, "view --minify --context=prod", "view --minify --context dev -o json",
      "view --context=prod", "view --minify --context=nope"),
    S("minify-without-current-context", {"home/.kube/config": A}, "view --minify", "view --minify -o json"),
    S("minify-current-context-missing", {"home/.kube/config": A + "current-context: ghost\n"}, "view --minify",
      "current-context", "get-contexts"),
    S("minify-context-without-user", {"home/.kube/config": C}, "view --minify", "view --minify --raw -o json"),
    S("flatten-missing-cert-file", {"home/.kube/config": SINGLE}, "view --flatten"),
    S("flatten-missing-ca-file", {"home/.kube/config": SINGLE, "home/.kube/pki/client.crt": "$CERT_PEM"},
      "view --flatten", "view --flatten --minify"),
    S("flatten-path-and-data", {"home/.kube/config": C.replace("insecure-skip-tls-verify: true",
                                "certificate-authority: ca.crt\n    certificate-authority-data: $CA_B64"),
                                "home/.kube/ca.crt": "$CA_PEM"}, "view --flatten"),
    S("secrets-redacted", {"home/.kube/config": """\
apiVersion: v1
kind: Config
users:
- name: basic
  user:
    username: admin
    password: s3cret
- name: oidc
  user:
    auth-provider:
      name: oidc
      config:
        client-id: kube
        id-token: eyJ.fake.token
        refresh-token: r
- name: exec
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: aws
      args: [eks, get-token]
      env:
      - name: AWS_PROFILE
        value: prod
- name: execv1
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: kubewallet
      interactiveMode: Never
      provideClusterInfo: true
- name: imp
  user:
    token: x
    as: someone
    as-groups: [g1, g2]
    as-user-extra: {scopes: [a, b]}
    tokenFile: /var/run/token
"""}, "view", "view -o json", "view --raw", "view --raw -o json"),
    S("exotic-but-valid", {"home/.kube/config": EXOTIC}, "view", "view -o json", "view --raw --minify -o json"),
    S("odd-strings", {"home/.kube/config": ODD_STRINGS}, "view", "view --raw", "view --raw -o json"),
    S("timestamp-like-namespace", {"home/.kube/config": "apiVersion: v1\nkind: Config\ncontexts:\n- name: c\n"
                                                        "  context: {cluster: x, user: u, namespace: 2001-12-14}\n"},
      "view", "get-contexts"),
    S("json-escaping", {"home/.kube/config": """\
apiVersion: v1
kind: Config
clusters:
- name: "<weird>&'\\"quoted\\""
  cluster:
    server: "https://a?x=1&y=<2>"
contexts:
- name: "n: colon"
  context:
    cluster: "yes"
    user: "123"
    namespace: "null"
current-context: "n: colon"
"""}, "view", "view -o json", "get-contexts", "get-contexts -o name"),
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=ids(SCENARIOS))
def test_read_commands_match_kubectl(differ, scenario):
    differ(scenario)
