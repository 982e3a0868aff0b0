"""Files kubectl refuses, and commands that fail: same exit status, no file written, and an error
that names the file (kubectl's own text where it is not a Go type dump)."""

from __future__ import annotations

import pytest

from tests.integration.kubeconfig_diff.configs import A, B, SINGLE
from tests.integration.kubeconfig_diff.harness import BOTH_FAIL, FAILS_NAMING_FILE
from tests.integration.kubeconfig_diff.scenarios import S, ids

HEAD = "apiVersion: v1\nkind: Config\n"
BAD_FILES = {
    "broken-yaml": HEAD + "clusters:\n- name: a\n  cluster:\n    server: [unclosed\n",
    "tab-indent": HEAD + "clusters:\n- name: a\n  cluster:\n    server: https://a\n\tfoo: bar\n",
    "number-for-string": HEAD + "clusters:\n- name: a\n  cluster:\n    server: 123\n",
    "hex-number-token": HEAD + "users:\n- name: u\n  user: {token: 0x1F}\n",
    "go-octal-namespace": HEAD + "contexts:\n- name: c\n  context: {cluster: x, user: u, namespace: 0o17}\n",
    "go-float-token": HEAD + "users:\n- name: u\n  user: {token: 1e3}\n",
    "string-for-bool": HEAD + "clusters:\n- name: a\n  cluster:\n    server: https://a\n"
                              "    insecure-skip-tls-verify: \"yes\"\n",
    "yaml11-bool-namespace": HEAD + "contexts:\n- name: c\n  context:\n    cluster: x\n    user: u\n    namespace: n\n",
    "yaml11-bool-user": HEAD + "contexts:\n- name: c\n  context:\n    cluster: x\n    user: no\n",
    "bad-base64": HEAD + "clusters:\n- name: a\n  cluster:\n    server: https://a\n"
                         "    certificate-authority-data: not*base64\n",
    "short-base64": HEAD + "users:\n- name: u\n  user:\n    client-key-data: YWJ\n",
    "duplicate-cluster": HEAD + "clusters:\n- name: a\n  cluster:\n    server: https://a\n"
                                "- name: a\n  cluster:\n    server: https://b\n",
    "duplicate-context": HEAD + "contexts:\n- name: c\n  context: {cluster: a}\n- name: c\n  context: {cluster: b}\n",
    "wrong-kind": "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\n",
    "wrong-version": "apiVersion: v2\nkind: Config\n",
    "a-list": "- a\n- b\n",
    "a-string": "just a string\n",
    "clusters-as-map": HEAD + "clusters: {a: 1}\n",
    "string-for-list": HEAD + "users:\n- name: u\n  user:\n    as-groups: admins\n",
    "list-for-current-context": HEAD + "current-context: [a]\n",
    "invalid-utf16": "\xff\xfe garbage\n",
}

SCENARIOS = [
    S(f"bad-file-{name}", {"home/.kube/config": text}, "view", "use-context c", "set-context c --namespace=x",
      stderr=FAILS_NAMING_FILE, named="__DIR__/w/home/.kube/config")
    for name, text in BAD_FILES.items()
] + [
    S("bad-file-every-command", {"home/.kube/config": BAD_FILES["bad-base64"]}, "view", "get-contexts",
      "get-clusters", "get-users", "current-context", "use-context c", "set-context c --namespace=x",
      "set-context --current --namespace=x", "rename-context c d", "delete-context c", "delete-cluster a",
      "delete-user u", "set-cluster a --server=https://x", "set-credentials u --token=t",
      "set clusters.a.server https://x", "unset clusters.a", stderr=FAILS_NAMING_FILE,
      named="__DIR__/w/home/.kube/config"),
    S("bad-second-file-in-list", {"a": A, "b": BAD_FILES["number-for-string"]}, "view", "use-context ctx-a",
      "set-context ctx-a --namespace=x", kc=("a", "b"), stderr=FAILS_NAMING_FILE, named="b"),
    S("bad-explicit-file", {"k.yaml": BAD_FILES["duplicate-cluster"]}, "--kubeconfig k.yaml view",
      "--kubeconfig=k.yaml set-cluster a --server=https://c", stderr=FAILS_NAMING_FILE, named="k.yaml"),
    S("missing-names", {"home/.kube/config": SINGLE}, "use-context nope", "rename-context nope x",
      "rename-context dev prod", "delete-context nope", "delete-cluster nope", "delete-user nope",
      "set-context --current --cluster=prod ctx", "set-context", "set-cluster ''", "set-credentials ''",
      "set-cluster x --insecure-skip-tls-verify --certificate-authority=ca.crt",
      "set-cluster x --embed-certs", "set-credentials x --embed-certs", "set-credentials x --token=a --username=b",
      "set-credentials x --exec-interactive-mode=Sometimes", "set-cluster x --embed-certs --certificate-authority=no.crt",
      "set-credentials x --embed-certs --client-certificate=no.crt",
      "view -o wide", "get-contexts -o wide", "view --minify --kubeconfig nope.yaml"),
    S("unknown-flags", {"home/.kube/config": SINGLE}, "view --bogus", "set users.bob.token -0",
      "get-contexts -x", "set-context dev --namespce=typo", stderr=BOTH_FAIL),
    S("double-dash-ends-flags", {"home/.kube/config": SINGLE}, "set -- users.bob.token -0",
      "set-context --namespace=x -- -dash", "get-contexts -o name"),
    S("dangling-references", {"home/.kube/config": HEAD + "contexts:\n- name: c\n  context:\n"
                                                          "    cluster: ghost\n    user: nobody\n"
                                                          "current-context: c\n"},
      "view", "view --minify", "get-contexts", "use-context c", "view --minify --flatten"),
    S("minify-missing-user", {"home/.kube/config": HEAD + "clusters:\n- name: ghost\n  cluster: {server: https://g}\n"
                                                          "contexts:\n- name: c\n  context:\n"
                                                          "    cluster: ghost\n    user: nobody\n"
                                                          "current-context: c\n"}, "view --minify"),
    S("kubeconfig-is-a-directory", {"adir/placeholder": "", "a": A}, "view", "--kubeconfig adir get-contexts",
      "use-context ctx-a", kc=("a", "adir")),
    S("current-context-names-no-context", {"home/.kube/config": A + "current-context: ghost\n"},
      "set-context --current --namespace=q", "view --minify"),
    S("multi-document-file", {"home/.kube/config": SINGLE + "---\nfoo: [broken\n"}, "view", "current-context",
      "set-context dev --namespace=second-doc-dropped"),
    S("empty-first-document", {"home/.kube/config": "---\n---\n" + B}, "view", "get-contexts"),
    S("json-kubeconfig", {"home/.kube/config": '{"apiVersion":"v1","kind":"Config","clusters":'
                                               '[{"name":"j","cluster":{"server":"https://j"}}],'
                                               '"current-context":"x"}'},
      "view -o json", "set-cluster j --server=https://j2"),
    S("entry-without-name", {"home/.kube/config": HEAD + "clusters:\n- cluster:\n    server: https://noname\n"
                                                         "contexts:\n- context: {cluster: ''}\n"},
      "view", "get-contexts", "get-clusters"),
    S("null-bodies", {"home/.kube/config": HEAD + "clusters:\n- name: a\n  cluster:\nusers:\n- name: u\n  user: null\n"
                                                  "contexts:\n- name: c\n  context: {}\npreferences:\n"},
      "view", "view -o json", "set-context c --namespace=n"),
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=ids(SCENARIOS))
def test_errors_match_kubectl(differ, scenario):
    differ(scenario)
