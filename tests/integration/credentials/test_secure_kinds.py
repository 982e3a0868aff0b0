"""`secure` over every kind of inline secret, its refusals, its rollback, and renewals."""

from __future__ import annotations

import json
import os

import pytest
import yaml

from kubewallet.errors import KubewalletError
from kubewallet.credentials import secure
from kubewallet.kubeconfig import LoadingRules, load_workspace
from kubewallet.vault import open_vault
from tests.support.kubeconfigs import jwt_expiring_in, write_kubeconfig

CLUSTER = {"server": "https://127.0.0.1:1"}


def users_of(path):
    return {u["name"]: u["user"] for u in yaml.safe_load(path.read_text())["users"]}


@pytest.fixture
def cfg(tmp_path, monkeypatch):
    def make(users):
        path = write_kubeconfig(tmp_path / "config", CLUSTER, users, next(iter(users)))
        monkeypatch.setenv("KUBECONFIG", str(path))
        return path
    return make


def test_auth_provider_tokens_and_secrets_move_and_come_back(secret_service, cfg):
    id_token = jwt_expiring_in(600, "hana")
    provider = {"name": "oidc", "config": {"client-id": "kube", "client-secret": "s3cr3t-client",
                                           "id-token": id_token, "refresh-token": "r3fr3sh",
                                           "idp-issuer-url": "https://idp.example"}}
    path = cfg({"hana": {"auth-provider": provider, "as": "root-ish"}})
    before = path.read_bytes()
    [result] = secure.secure(LoadingRules.from_env(), ["hana"])
    text = path.read_text()
    for secret in ("s3cr3t-client", "r3fr3sh", id_token):
        assert secret not in text
    body = users_of(path)["hana"]
    assert body["as"] == "root-ish" and "auth-provider" not in body
    assert "auth-provider.refresh-token" in result.moved
    entry = open_vault().get_entry(result.ref)
    assert json.loads(entry.value) == {"token": id_token}
    assert entry.meta["kind"] == "auth-provider" and entry.meta["expires"].endswith("Z")
    secure.unsecure(LoadingRules.from_env(), ["hana"])
    assert path.read_bytes() == before


def test_key_and_token_files_move_only_when_asked(secret_service, cfg, pki, tmp_path):
    ivan = pki.issue("ivan")
    key_file = tmp_path / "ivan.key"
    key_file.write_bytes(ivan.key_pem)
    key_file.chmod(0o600)
    token_file = tmp_path / "jo.token"
    token_file.write_text("jo-file-token\n")
    path = cfg({"ivan": {"client-certificate-data": ivan.cert_b64, "client-key": str(key_file)},
                "jo": {"tokenFile": str(token_file)}})
    before = path.read_bytes()
    with pytest.raises(KubewalletError, match="keeps its key in a file") as err:
        secure.secure(LoadingRules.from_env(), ["ivan"])
    assert "--include-files" in err.value.one_line()
    assert path.read_bytes() == before and key_file.exists()
    results = secure.secure(LoadingRules.from_env(), ["ivan", "jo"], include_files=True)
    assert not key_file.exists() and not token_file.exists()
    assert sorted(p for r in results for p in r.removed_files) == sorted([str(key_file), str(token_file)])
    assert json.loads(open_vault().get("users/jo")) == {"token": "jo-file-token"}
    secure.unsecure(LoadingRules.from_env(), None)
    assert key_file.read_bytes() == ivan.key_pem and oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert token_file.read_text() == "jo-file-token\n"
    assert path.read_bytes() == before


def test_refusals_change_nothing(secret_service, cfg):
    path = cfg({"pw": {"username": "admin", "password": "hunter2"},
                "ext": {"exec": {"apiVersion": "client.authentication.k8s.io/v1", "command": "aws"}},
                "empty": {}})
    before = path.read_bytes()
    for user, words in (("pw", "basic auth"), ("ext", "already runs an exec plugin"),
                        ("empty", "no inline secret"), ("ghost", "not in the kubeconfig")):
        with pytest.raises(KubewalletError, match=words):
            secure.secure(LoadingRules.from_env(), [user])
    assert path.read_bytes() == before
    assert open_vault().refs() == []
    assert secure.secure(LoadingRules.from_env(), None) == []


def test_a_password_next_to_a_client_certificate_goes_too(secret_service, cfg, pki):
    kim = pki.issue("kim", ())
    path = cfg({"kim": {"client-certificate-data": kim.cert_b64, "client-key-data": kim.key_b64,
                        "username": "kim", "password": "hunter2"}})
    [r] = secure.secure(LoadingRules.from_env(), ["kim"])
    assert "password" in r.moved and "hunter2" not in path.read_text()


def test_a_user_kubectl_refuses_is_refused_and_left_alone(secret_service, cfg):
    """kubectl rejects a token with a password ("more than one authentication method"): securing
    it would turn a refused user into a working one, so `secure` refuses and changes nothing."""
    path = cfg({"kim": {"token": "kim-token", "username": "kim", "password": "hunter2"}})
    before = path.read_bytes()
    with pytest.raises(KubewalletError, match="kubectl refuses user 'kim': more than one authentication"):
        secure.secure(LoadingRules.from_env(), ["kim"])
    assert path.read_bytes() == before and open_vault().refs() == []


def test_a_failed_kubeconfig_write_rolls_the_vault_back(secret_service, cfg, monkeypatch):
    path = cfg({"lee": {"token": "lee-token"}})
    before = path.read_bytes()
    import kubewallet.kubeconfig.workspace as workspace

    def refuse(self):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(workspace.Workspace, "save", refuse)
    with pytest.raises(OSError):
        secure.secure(LoadingRules.from_env(), ["lee"])
    assert path.read_bytes() == before
    assert open_vault().refs() == []


def test_the_same_user_name_in_two_files_gets_two_references(secret_service, tmp_path, monkeypatch):
    a = write_kubeconfig(tmp_path / "a", CLUSTER, {"admin": {"token": "token-a"}}, "admin")
    b = write_kubeconfig(tmp_path / "b", CLUSTER, {"admin": {"token": "token-b"}}, "admin")
    [ra] = secure.secure(LoadingRules.from_env(str(a)), ["admin"])
    [rb] = secure.secure(LoadingRules.from_env(str(b)), ["admin"])
    assert ra.ref != rb.ref
    vault = open_vault()
    assert json.loads(vault.get(ra.ref))["token"] == "token-a"
    assert json.loads(vault.get(rb.ref))["token"] == "token-b"


def test_update_then_unsecure_restores_the_renewed_credential(secret_service, cfg, kw):
    path = cfg({"max": {"token": "old-token"}})
    kw("secure", "max")
    kw("credential", "update", "max", "--token-stdin", input="new-token\n")
    env_info = ('{"apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":false,'
                '"cluster":{"server":"https://127.0.0.1:1"}}}')  # what kubectl sends for CLUSTER
    out = kw("credential", "get", "--ref", "users/max", env=dict(os.environ, KUBERNETES_EXEC_INFO=env_info))
    assert json.loads(out.stdout)["status"]["token"] == "new-token"
    kw("unsecure", "max")
    assert users_of(path)["max"] == {"token": "new-token"}


def test_dry_run_shows_the_diff_and_writes_nothing(secret_service, cfg, kw):
    path = cfg({"ned": {"token": "ned-token"}})
    before = path.read_bytes()
    out = kw("secure", "ned", "--dry-run")
    removed = [line for line in out.stdout.splitlines() if line.startswith("-") and "token" in line]
    added = [line for line in out.stdout.splitlines() if line.startswith("+") and "exec:" in line]
    assert removed and added
    assert "ned-token" not in out.stdout and "REDACTED" in out.stdout
    assert path.read_bytes() == before
    assert open_vault().refs() == []


def test_workspace_listing_reports_where_each_secret_lives(secret_service, cfg, pki):
    path = cfg({"o": {"token": "t"}, "p": {"tokenFile": "/nowhere"}})
    secure.secure(LoadingRules.from_env(), ["o"])
    ws = load_workspace(LoadingRules.from_env())
    assert secure.usage(ws) == {"users/o": ["o"], "users/o/inline": ["o"],
                                "kubewallet/backup-key": ["(sealed kubeconfig backups)"]}
    assert path.exists()
