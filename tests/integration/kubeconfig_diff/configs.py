"""Kubeconfig texts the scenarios are built from (placeholders: see conftest.pki_subs, `{dir}`)."""

from __future__ import annotations

PKI = {"pki/ca.crt": "$CA_PEM", "pki/client.crt": "$CERT_PEM", "pki/client.key": "$KEY_PEM"}

SINGLE = """\
apiVersion: v1
kind: Config
preferences: {}
clusters:
- name: prod
  cluster:
    server: https://prod.example:6443
    certificate-authority: pki/ca.crt
    tls-server-name: prod.internal
- name: dev
  cluster:
    server: https://dev.example:6443
    certificate-authority-data: $CA_B64
users:
- name: bob
  user:
    token: bob-token
- name: alice
  user:
    client-certificate-data: $CERT_B64
    client-key-data: $KEY_B64
- name: carol
  user:
    client-certificate: pki/client.crt
    client-key: {dir}/pki/client.key
contexts:
- name: prod
  context:
    cluster: prod
    user: carol
- name: dev
  context:
    cluster: dev
    user: alice
    namespace: team-a
current-context: dev
"""

# Three files with overlapping names: the first file that names an entry wins.
A = """\
apiVersion: v1
kind: Config
clusters:
- name: shared
  cluster:
    server: https://from-a
users:
- name: ua
  user:
    token: token-a
contexts:
- name: ctx-a
  context:
    cluster: shared
    user: ua
- name: shared-ctx
  context:
    cluster: shared
    user: ua
    namespace: from-a
"""

B = """\
apiVersion: v1
kind: Config
clusters:
- name: shared
  cluster:
    server: https://from-b
- name: cb
  cluster:
    server: https://cb
    certificate-authority: ../pki/ca.crt
users:
- name: ua
  user:
    token: token-b
- name: ub
  user:
    client-certificate: ../pki/client.crt
    client-key: ../pki/client.key
contexts:
- name: shared-ctx
  context:
    cluster: cb
    user: ub
    namespace: from-b
- name: ctx-b
  context:
    cluster: cb
    user: ub
current-context: ctx-b
"""

C = """\
apiVersion: v1
kind: Config
clusters:
- name: cc
  cluster:
    server: https://cc
    insecure-skip-tls-verify: true
contexts:
- name: ctx-c
  context:
    cluster: cc
    user: ua
    namespace: ns-c
current-context: ctx-c
"""

THREE = {"a/config": A, "b/config": B, "c/config": C, **PKI}
THREE_KC = ("a/config", "b/config", "c/config")

UNKNOWN = """\
apiVersion: v1
kind: Config
x-top-level: keep me
preferences:
  colors: true
clusters:
- name: k
  x-entry-note: on the named entry
  cluster:
    server: https://k.example
    x-vendor-field: 42
    extensions:
    - name: vendor.example/meta
      extension:
        zone: eu-1
        tags: [a, b]
users:
- name: u
  user:
    token: u-token
    x-user-extra: {nested: true}
contexts:
- name: k
  context:
    cluster: k
    user: u
    x-context-extra: yes
    extensions:
    - name: vendor.example/ctx
      extension: {owner: team}
current-context: k
extensions:
- name: global.example/ext
  extension:
    any: thing
"""

NON_ASCII = """\
apiVersion: v1
kind: Config
clusters:
- name: prod-東京
  cluster:
    server: https://tokyo.example
- name: café
  cluster:
    server: https://cafe.example
users:
- name: josé
  user:
    token: jose-token
contexts:
- name: prod-東京
  context:
    cluster: prod-東京
    user: josé
    namespace: équipe
- name: café
  context:
    cluster: café
    user: josé
current-context: prod-東京
"""

DOTS = """\
apiVersion: v1
kind: Config
clusters:
- name: api.prod.example.com
  cluster:
    server: https://api.prod.example.com
- name: arn:aws:eks:eu-west-1:123456789012:cluster/prod
  cluster:
    server: https://eks.example
users:
- name: admin@prod.example.com
  user:
    token: t
contexts:
- name: admin@api.prod.example.com
  context:
    cluster: api.prod.example.com
    user: admin@prod.example.com
current-context: admin@api.prod.example.com
"""

PKI_HOME = {f"home/.kube/{k}": v for k, v in PKI.items()}

# Strings that YAML 1.1 / go-yaml would read as something else, need quoting, folding or a block.
ODD_STRINGS = r"""apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: "https://a b c d e f g h i j k l m n o p q r s t u v w x y z a b c d e f g h i j k l m n o p q r s t u v w x y z"
users:
- name: u
  user:
    username: "multi\nline\nvalue"
    password: " leading space"
    token: "tab\there"
    as: "- dash"
    as-uid: "#hash"
    as-groups: ["123", "true", "null", "", "a: b", "é", "😀", "~", "1e3", "0o17", "0x1F", "1_000", "2001-12-14", ":", "*star", "&amp", "!bang", "%pct", "@at", "`tick", "'q'", "\"dq\"", "{x}", "[y]", "a,b", "?", "|", ">", "=", "<<", ".inf", "-.5", "+1", "NaN", "Yes", "ON", "y", "n", "Null", "NULL", "12:30", "1:20:30", "0b101", "08", "1.0", "\u00a0nbsp", "x\u2028y", "ctl\u0007"]
contexts:
- name: x
  context: {cluster: c, user: u}
"""

# Empty kind/apiVersion, empty lists and strings, extensions out of order, non-string keys.
EXOTIC = r"""kind: ""
apiVersion: ""
preferences:
  colors: false
  extensions:
  - name: pe
    extension: {z: 1, a: [2, {y: n}]}
clusters:
- name: dc
  cluster:
    server: https://dc
    disable-compression: true
    insecure-skip-tls-verify: false
    proxy-url: ""
users:
- name: ex
  user:
    exec:
      command: cmd
      apiVersion: client.authentication.k8s.io/v1beta1
      env: []
      args: []
      installHint: |
        install it
        please
      provideClusterInfo: false
    as-user-extra: {zz: [b, a], aa: []}
    as-groups: []
- name: empty
  user: {}
contexts:
- name: c
  context:
    cluster: dc
    user: ex
    namespace: ""
current-context: c
extensions:
- name: z
  extension: null
- name: a
  extension: "str"
"""
