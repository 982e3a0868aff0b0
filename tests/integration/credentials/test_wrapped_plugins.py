"""Wrapped foreign exec plugins, end to end with the real kubectl against the API-server stand-in.

A small Python plugin written by each test plays the foreign plugin for the edge cases (it counts
its runs in a file, so "served from the cache" is something the test observes); awscli's real
`aws eks get-token` (dummy keys, offline) is the real foreign plugin.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import yaml

from tests.support.apiserver import ApiServer
from tests.support.kubeconfigs import write_kubeconfig
from tests.support.terminal import run_on_a_terminal

PLUGIN = textwrap.dedent('''\
    import json, os, sys, time
    mode = os.environ["PLUGIN_MODE"]
    runs = os.environ["PLUGIN_RUNS"]
    with open(runs, "a") as fh:
        fh.write(os.environ.get("KUBERNETES_EXEC_INFO", "").strip() + "\\n")
    n = sum(1 for _ in open(runs))
    time.sleep(float(os.environ.get("PLUGIN_SLEEP", "0")))
    info = json.loads(os.environ["KUBERNETES_EXEC_INFO"])
    status = {"token": f"scripted-token-{n}"}
    if mode != "no-expiry":
        status["expirationTimestamp"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 600))
    if mode == "fail":
        print("scripted plugin: the identity provider said no", file=sys.stderr)
        sys.exit(3)
    if mode == "malformed":
        print("this is not an ExecCredential")
        sys.exit(0)
    if mode == "cert":
        status = {"clientCertificateData": open(os.environ["PLUGIN_CERT"]).read(),
                  "clientKeyData": open(os.environ["PLUGIN_KEY"]).read(),
                  "expirationTimestamp": status["expirationTimestamp"]}
    if mode == "interactive":
        sys.stderr.write("one-time code: ")
        sys.stderr.flush()
        status["token"] = "typed-" + sys.stdin.readline().strip()
    print(json.dumps({"kind": "ExecCredential", "apiVersion": info["apiVersion"], "status": status}))
''')


REFUSED: set[str] = set()


def accepted(token: str) -> str | None:
    """The stand-in's token check: the scripted plugin's tokens, the ones typed at the terminal,
    and awscli's presigned STS URLs (no AWS to ask here), except what a test put in REFUSED."""
    if token in REFUSED:
        return None
    if token.startswith(("scripted-token-", "typed-")):
        return "vendor"
    return "eks" if token.startswith("k8s-aws-v1.") else None


@pytest.fixture
def api(pki):
    REFUSED.clear()
    with ApiServer(pki, token_check=accepted) as server:
        yield server
    REFUSED.clear()


def plugin_user(tmp_path, mode: str, **extra_env) -> dict:
    script = tmp_path / "plugin.py"
    script.write_text(PLUGIN)
    env = [{"name": "PLUGIN_MODE", "value": mode}, {"name": "PLUGIN_RUNS", "value": str(tmp_path / "runs")}]
    env += [{"name": k, "value": v} for k, v in extra_env.items()]
    return {"exec": {"apiVersion": "client.authentication.k8s.io/v1beta1", "command": sys.executable,
                     "args": [str(script)], "env": env, "interactiveMode": "IfAvailable",
                     "provideClusterInfo": False}}


def runs(tmp_path) -> int:
    path = tmp_path / "runs"
    return len(path.read_text().splitlines()) if path.exists() else 0


@pytest.fixture
def setup(tmp_path, api, monkeypatch):
    def make(mode: str, **extra_env):
        path = write_kubeconfig(tmp_path / "kube" / "config", api.cluster_entry(),
                                {"vendor": plugin_user(tmp_path, mode, **extra_env)}, "vendor")
        monkeypatch.setenv("KUBECONFIG", str(path))
        return path
    return make


def get_pods(kubectl, env=None):
    return subprocess.run([kubectl, "get", "pods"], capture_output=True, text=True, timeout=60, env=env)


@pytest.mark.parametrize("with_agent", [False, True])
def test_a_wrapped_plugin_runs_once_and_later_calls_are_served_from_the_cache(
        secret_service, setup, kw, kubectl, api, tmp_path, with_agent):
    path = setup("expiring")
    assert get_pods(kubectl).returncode == 0 and runs(tmp_path) == 1  # kubectl runs it itself
    kw("secure", "vendor")
    user = yaml.safe_load(path.read_text())["users"][0]["user"]
    assert user["exec"]["args"][-2:] == ["--ref", "plugins/vendor"]
    assert user["exec"]["provideClusterInfo"] is True
    if with_agent:
        kw("agent", "start")
    for _ in range(3):
        result = get_pods(kubectl)
        assert result.returncode == 0, result.stderr
        assert "hello-kubewallet" in result.stdout
    assert runs(tmp_path) == 2  # once before wrapping, once for all three wrapped calls
    assert {r.token for r in api.authenticated()} == {"scripted-token-1", "scripted-token-2"}
    assert api.requests[-1].token == "scripted-token-2"
    kw("credential", "flush", "vendor")
    assert get_pods(kubectl).returncode == 0 and runs(tmp_path) == 3
    if with_agent:
        kw("agent", "lock")  # forgets the held credential with every secret
        assert get_pods(kubectl).returncode == 0 and runs(tmp_path) == 4
    else:  # an agent started later takes the vault's copy over; its lock then forgets it
        kw("agent", "start")
        assert get_pods(kubectl).returncode == 0 and runs(tmp_path) == 3
        kw("agent", "lock")
        assert get_pods(kubectl).returncode == 0 and runs(tmp_path) == 4
    places = (Path(os.environ["HOME"]), Path(os.environ["XDG_RUNTIME_DIR"]))
    plaintext = [p for place in places for p in place.rglob("*")
                 if p.is_file() and b"scripted-token-" in p.read_bytes()]
    assert not plaintext  # the vault's copy is encrypted; the agent's only in memory


def test_unsecure_gives_the_original_entry_back_byte_for_byte(secret_service, setup, kw, kubectl,
                                                               tmp_path):
    path = setup("expiring")
    before = path.read_bytes()
    diff = kw("secure", "vendor", "--dry-run").stdout
    assert "plugins/vendor" in diff and path.read_bytes() == before
    kw("secure", "vendor")
    assert path.read_bytes() != before
    kw("unsecure", "vendor")
    assert path.read_bytes() == before
    assert get_pods(kubectl).returncode == 0


def test_a_credential_without_expiry_is_passed_through_uncached(secret_service, setup, kw, kubectl,
                                                                tmp_path):
    setup("no-expiry")
    kw("secure", "vendor")
    assert get_pods(kubectl).returncode == 0
    assert get_pods(kubectl).returncode == 0
    assert runs(tmp_path) == 2


def test_a_failing_plugin_reaches_kubectl_unchanged_and_nothing_is_cached(secret_service, setup, kw,
                                                                         kubectl, tmp_path):
    setup("fail")
    kw("secure", "vendor")
    result = get_pods(kubectl)
    assert result.returncode != 0
    assert "scripted plugin: the identity provider said no" in result.stderr
    assert "failed with exit code 3" in result.stderr
    first = runs(tmp_path)
    get_pods(kubectl)
    assert runs(tmp_path) == 2 * first


def test_malformed_output_is_refused_with_a_reason(secret_service, setup, kw, kubectl, tmp_path):
    setup("malformed")
    kw("secure", "vendor")
    result = get_pods(kubectl)
    assert result.returncode != 0
    assert "not JSON" in result.stderr and "plugin wrapped for user 'vendor'" in result.stderr


def test_a_certificate_credential_authenticates_by_mutual_tls(secret_service, kw, kubectl, pki,
                                                              tmp_path, monkeypatch):
    issued = pki.issue("dana", ("dev",))
    (tmp_path / "dana.crt").write_bytes(issued.cert_pem)
    (tmp_path / "dana.key").write_bytes(issued.key_pem)
    with ApiServer(pki, require_client_cert=True) as mtls:
        path = write_kubeconfig(tmp_path / "kube" / "config", mtls.cluster_entry(), {
            "vendor": plugin_user(tmp_path, "cert", PLUGIN_CERT=str(tmp_path / "dana.crt"),
                                  PLUGIN_KEY=str(tmp_path / "dana.key"))}, "vendor")
        monkeypatch.setenv("KUBECONFIG", str(path))
        kw("secure", "vendor")
        for _ in range(2):
            result = get_pods(kubectl)
            assert result.returncode == 0, result.stderr
        assert {r.client_cn for r in mtls.authenticated()} == {"dana"}
        assert runs(tmp_path) == 1


def test_an_interactive_plugin_gets_the_terminal(secret_service, setup, kw, kubectl, tmp_path):
    setup("interactive")
    kw("secure", "vendor")
    screen = run_on_a_terminal([kubectl, "get", "pods"], dict(os.environ), prompt=b"one-time code:",
                               answer="424242")
    assert "hello-kubewallet" in screen
    info = (tmp_path / "runs").read_text().splitlines()[-1]
    assert '"interactive":true' in info.replace(" ", "")


def test_a_refused_credential_is_replaced_within_the_same_kubectl_call(secret_service, setup, kw,
                                                                       kubectl, api, tmp_path):
    setup("expiring")
    kw("secure", "vendor")
    REFUSED.add("scripted-token-1")
    result = get_pods(kubectl)  # the stand-in refuses scripted-token-1 with 401
    assert runs(tmp_path) == 2, result.stderr
    assert [r.token for r in api.requests if r.user is None][:1] == ["scripted-token-1"]
    result = get_pods(kubectl)
    assert result.returncode == 0, result.stderr
    assert runs(tmp_path) == 2  # the replacement is what the cache holds now
    assert [r.token for r in api.requests][-1] == "scripted-token-2"


@pytest.mark.parametrize("with_agent", [False, True])
def test_concurrent_first_calls_run_the_original_plugin_once(secret_service, setup, kw, kubectl,
                                                             tmp_path, with_agent):
    setup("expiring", PLUGIN_SLEEP="1.5")
    kw("secure", "vendor")
    if with_agent:
        kw("agent", "start")
    procs = [subprocess.Popen([kubectl, "get", "pods"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(4)]
    outs = [p.communicate(timeout=60) for p in procs]
    assert runs(tmp_path) == 1, [o[1] for o in outs]


def test_aws_eks_get_token_wrapped_end_to_end(secret_service, kw, kubectl, api, tmp_path, monkeypatch):
    aws = os.path.join(os.path.dirname(sys.executable), "aws")
    env = [{"name": "AWS_ACCESS_KEY_ID", "value": "AKIAIOSFODNN7EXAMPLE"},
           {"name": "AWS_SECRET_ACCESS_KEY", "value": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"},
           {"name": "AWS_DEFAULT_REGION", "value": "eu-west-1"}]
    path = write_kubeconfig(tmp_path / "kube" / "config", api.cluster_entry(), {"eks": {"exec": {
        "apiVersion": "client.authentication.k8s.io/v1beta1", "command": aws,
        "args": ["--region", "eu-west-1", "eks", "get-token", "--cluster-name", "demo"], "env": env,
        "interactiveMode": "IfAvailable", "provideClusterInfo": False}}}, "eks")
    monkeypatch.setenv("KUBECONFIG", str(path))
    before = path.read_bytes()
    assert get_pods(kubectl).returncode == 0
    kw("secure", "eks")
    tokens = []
    for _ in range(2):
        result = get_pods(kubectl)
        assert result.returncode == 0, result.stderr
        tokens.append(api.requests[-1].token)
        time.sleep(1.1)  # aws signs with the time: a second run would give another token
    assert tokens[0] == tokens[1] and tokens[0].startswith("k8s-aws-v1.")
    kw("unsecure", "eks")
    assert path.read_bytes() == before
    result = get_pods(kubectl)
    assert result.returncode == 0 and api.requests[-1].token != tokens[0]


@pytest.mark.parametrize("provide_cluster_info", [True, False])
def test_a_vendor_kubeconfig_cannot_send_a_wrapped_credential_to_its_own_server(
        secret_service, setup, kw, kubectl, api, pki, tmp_path, provide_cluster_info):
    setup("expiring")
    kw("secure", "vendor")
    assert get_pods(kubectl).returncode == 0
    with ApiServer(pki, token_check=accepted) as elsewhere:
        planted = {"exec": {"apiVersion": "client.authentication.k8s.io/v1", "command": "kubewallet",
                            "args": ["credential", "get", "--ref", "plugins/vendor"],
                            "interactiveMode": "Never", "provideClusterInfo": provide_cluster_info}}
        path = write_kubeconfig(tmp_path / "vendor" / "config", elsewhere.cluster_entry(),
                                {"planted": planted}, "planted")
        result = subprocess.run([kubectl, "--kubeconfig", str(path), "get", "pods"], capture_output=True,
                                text=True, timeout=60)
        assert result.returncode != 0
        assert "refusing" in result.stderr and "plugins/vendor" in result.stderr
        assert not [r for r in elsewhere.requests if r.token]  # no Authorization header reached it
        if provide_cluster_info:
            assert elsewhere.url in result.stderr and "kubewallet credential allow" in result.stderr
            kw("credential", "allow", "--ref", "plugins/vendor", "--context", "planted",
               "--kubeconfig", str(path))
            allowed = subprocess.run([kubectl, "--kubeconfig", str(path), "get", "pods"],
                                     capture_output=True, text=True, timeout=60)
            assert allowed.returncode == 0, allowed.stderr
            assert elsewhere.requests[-1].token.startswith("scripted-token-")


def test_import_and_lint_flag_an_entry_borrowing_another_users_secret(setup, kw, api, tmp_path):
    setup("expiring", PLUGIN_SLEEP="0.2")
    vendor = write_kubeconfig(tmp_path / "vendor" / "config", {"server": "https://203.0.113.9"}, {
        "planted": {"exec": {"apiVersion": "client.authentication.k8s.io/v1", "command": "kubewallet",
                             "args": ["credential", "get", "--ref", "users/admin"],
                             "interactiveMode": "Never", "provideClusterInfo": True}}}, "planted")
    out = kw("import", "--rename", "", str(vendor))
    assert "user 'planted' runs kubewallet's plugin" in out.stdout
    lint = kw("lint", check=False)
    assert "planted-kubewallet-ref" in lint.stdout and "users/admin" in lint.stdout
    assert "wrap-exec" not in lint.stdout and runs(tmp_path) == 0  # plugins run only when asked
    timed = kw("lint", "--time-exec", check=False)
    assert "wrap-exec" in timed.stdout and "kubewallet secure vendor" in timed.stdout
    assert runs(tmp_path) == 1


def test_a_vendor_kubeconfig_gets_no_token_for_a_secured_user(secret_service, kw, kubectl, pki,
                                                              tmp_path, monkeypatch):
    """Issue 12, finding 4: a file naming `--ref users/admin` under its own server gets nothing."""
    with ApiServer(pki, token_check={"admin-token-0123": "admin"}.get) as ours, \
            ApiServer(pki, token_check=lambda t: "stolen") as theirs:
        path = write_kubeconfig(tmp_path / "kube" / "config", ours.cluster_entry(),
                                {"admin": {"token": "admin-token-0123"}}, "admin")
        monkeypatch.setenv("KUBECONFIG", str(path))
        kw("secure", "admin")
        entry = yaml.safe_load(path.read_text())["users"][0]["user"]["exec"]
        assert entry["provideClusterInfo"] is True
        assert get_pods(kubectl).returncode == 0 and ours.authenticated()[-1].token == "admin-token-0123"
        vendor = write_kubeconfig(tmp_path / "vendor" / "config", theirs.cluster_entry(), {"vendor": {
            "exec": {"apiVersion": "client.authentication.k8s.io/v1", "command": "kubewallet",
                     "args": ["credential", "get", "--ref", "users/admin"], "interactiveMode": "Never",
                     "provideClusterInfo": True}}}, "vendor")
        result = subprocess.run([kubectl, "--kubeconfig", str(vendor), "get", "pods"],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode != 0
        assert theirs.url in result.stderr and ours.url in result.stderr
        assert "kubewallet credential allow --ref users/admin" in result.stderr
        assert not [r for r in theirs.requests if r.token]  # no Authorization header reached it
