"""Flags of set-cluster, set-credentials and set-context that change other fields than their own
(kubectl 1.35's set_cluster.go, set_credentials.go, set_context.go; listed in
kubewallet/kubeconfig/entries.py): one scenario per effect, against the real kubectl."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
import pytest

from tests.integration.kubeconfig_diff.configs import PKI, PKI_HOME, SINGLE
from tests.integration.kubeconfig_diff.harness import load, run_tool, strip_unknown
from tests.integration.kubeconfig_diff.scenarios import S, ids

ONE = {"home/.kube/config": SINGLE, **PKI, **PKI_HOME}
RICH = {"home/.kube/config": """\
apiVersion: v1
kind: Config
clusters:
- name: both
  cluster:
    server: https://both
    certificate-authority-data: $CA_B64
    insecure-skip-tls-verify: true
    tls-server-name: both.internal
    proxy-url: http://proxy
users:
- name: basic
  user: {username: admin, password: s3cret}
- name: tok
  user: {token: t0k}
- name: certs
  user:
    client-certificate-data: $CERT_B64
    client-key: pki/client.key
- name: oidc
  user:
    auth-provider:
      name: oidc
      config: {client-id: kube, refresh-token: r}
- name: ex
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: aws
      args: [eks, get-token]
      env:
      - {name: AWS_PROFILE, value: prod}
      provideClusterInfo: true
- name: ex-noenv
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: gke-gcloud-auth-plugin
contexts:
- name: c
  context: {cluster: both, user: tok, namespace: ns}
current-context: c
""", **PKI, **PKI_HOME}

SCENARIOS = [
    # ---- set-cluster
    S("server-clears-tls-server-name", ONE, "set-cluster prod --server=https://moved:6443", "view --raw -o json"),
    S("server-with-tls-server-name-keeps-the-new-one", ONE,
      "set-cluster prod --server=https://moved --tls-server-name=moved.internal", "view --raw -o json"),
    S("empty-server-clears-tls-server-name", ONE, "set-cluster prod --server=", "view --raw -o json"),
    S("other-flags-keep-tls-server-name", ONE, "set-cluster prod --proxy-url=http://p",
      "set-cluster prod --certificate-authority=pki/ca.crt", "view --raw -o json"),
    S("server-on-a-new-cluster", ONE, "set-cluster fresh --tls-server-name=a --server=https://f", "view --raw -o json"),
    S("insecure-applied-on-every-call", RICH, "set-cluster both --proxy-url=http://other", "view --raw -o json"),
    S("insecure-true-clears-ca-path-and-data", RICH, "set-cluster both --insecure-skip-tls-verify",
      "set-cluster prod2 --certificate-authority=pki/ca.crt", "set-cluster prod2 --insecure-skip-tls-verify=true",
      "view --raw -o json"),
    S("ca-path-clears-data-and-insecure", RICH,
      "set-cluster both --insecure-skip-tls-verify=false --certificate-authority=pki/ca.crt", "view --raw -o json"),
    S("embedded-ca-clears-path-and-insecure", ONE, "set-cluster prod --embed-certs --certificate-authority=pki/ca.crt",
      "view --raw -o json"),
    # ---- set-credentials
    S("client-certificate-path-clears-data", RICH, "set-credentials certs --client-certificate=pki/client.crt",
      "view --raw -o json"),
    S("embedded-client-key-clears-path", RICH, "set-credentials certs --embed-certs --client-key=pki/client.key",
      "view --raw -o json"),
    S("embed-with-an-empty-certificate-path-clears-both-fields", RICH,
      "set-credentials certs --embed-certs --client-certificate= --client-key=pki/client.key", "view --raw -o json"),
    S("token-clears-basic-auth", RICH, "set-credentials basic --token=new", "view --raw -o json"),
    S("username-clears-token", RICH, "set-credentials tok --username=u", "view --raw -o json"),
    S("password-clears-token", RICH, "set-credentials tok --password=p", "view --raw -o json"),
    S("empty-token-clears-nothing", RICH, "set-credentials basic --token=", "set-credentials tok --username=",
      "view --raw -o json"),
    S("auth-provider-rename-drops-its-config", RICH, "set-credentials oidc --auth-provider=gcp", "view --raw -o json"),
    S("auth-provider-same-name-keeps-its-config", RICH,
      "set-credentials oidc --auth-provider=oidc --auth-provider-arg=idp-issuer-url=https://idp", "view --raw -o json"),
    S("exec-command-drops-args-keeps-the-rest", RICH, "set-credentials ex --exec-command=kubewallet",
      "view --raw -o json"),
    S("exec-env-removal-makes-an-empty-list", RICH, "set-credentials ex-noenv --exec-env=NOPE-",
      "set-credentials ex --exec-env=AWS_PROFILE-", "view --raw -o json"),
    S("exec-env-set-on-an-entry-without-env", RICH, "set-credentials ex-noenv --exec-env=K=v", "view --raw -o json"),
    S("exec-flags-without-an-exec-entry-do-nothing", RICH,
      "set-credentials tok --exec-api-version=v1 --exec-arg=a --exec-env=A=1 --exec-provide-cluster-info",
      "view --raw -o json"),
    # ---- set-context: each flag alone
    S("set-context-flags-touch-only-their-field", RICH, "set-context c --namespace=other", "set-context c --user=basic",
      "set-context c --cluster=", "view --raw -o json"),
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=ids(SCENARIOS))
def test_coupled_flags_match_kubectl(differ, scenario):
    differ(scenario)


@pytest.mark.parametrize("flags", [("--exec-env=-",), ("--exec-env==v",), ("--exec-env=a", "--exec-env=b=1", "--exec-env=c"),
                                   ("--auth-provider-arg=-",), ("--auth-provider-arg=x,=y",)])
def test_pairs_kubectl_refuses_are_refused_in_its_words(tmp_path, kubectl, kubewallet_cmd, pki_subs, flags):
    """kubectl's ParsePairs lists every bad item in one error; kubectl also prints its help on
    stdout there, which is not compared. Exit status, stderr and the untouched file are."""
    scenario = S("pairs", RICH)
    scenario = type(scenario)("pairs", scenario.files, (("set-credentials", "ex", *flags),))
    runs = {}
    for name, tool in (("kubectl", [kubectl]), ("kubewallet", kubewallet_cmd)):
        workdir = tmp_path / name / "w"
        runs[name] = run_tool(tool, workdir, tmp_path / name / "state", scenario, {"{dir}": str(workdir), **pki_subs})
    ref, ours = runs["kubectl"], runs["kubewallet"]
    assert (ours.runs[0].status, ours.runs[0].stderr) == (ref.runs[0].status, ref.runs[0].stderr)
    assert ref.runs[0].status == 1 and ours.files["home/.kube/config"] == ref.files["home/.kube/config"]


PAIR_ITEMS = st.sampled_from(["AWS_PROFILE=dev", "AWS_PROFILE=", "K=v", "K=a=b", "AWS_PROFILE-", "K-", "-", "=v",
                              "x", "K"])


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(items=st.lists(PAIR_ITEMS, min_size=1, max_size=4))
def test_exec_env_pairs_match_kubectl(tmp_path, kubectl, kubewallet_cmd, pki_subs, items):
    """ParsePairs and the env rebuild, generated: same status, stderr and file as kubectl (at most
    one new name, because kubectl appends new names in Go's random map order)."""
    scenario = S("pairs", RICH)
    scenario = type(scenario)("pairs", scenario.files, (("set-credentials", "ex", *(f"--exec-env={i}" for i in items)),))
    runs = {}
    for name, tool in (("kubectl", [kubectl]), ("kubewallet", kubewallet_cmd)):
        workdir = tmp_path / name / "w"
        runs[name] = run_tool(tool, workdir, tmp_path / name / "state", scenario, {"{dir}": str(workdir), **pki_subs})
    ref, ours = runs["kubectl"], runs["kubewallet"]
    assert (ours.runs[0].status, ours.runs[0].stderr) == (ref.runs[0].status, ref.runs[0].stderr), items
    if ref.runs[0].status == 0:
        assert ours.runs[0].stdout == ref.runs[0].stdout
    assert strip_unknown(load(ours.files["home/.kube/config"])) == load(ref.files["home/.kube/config"]), items
