"""The encrypted-file vault chosen explicitly (`vault init --file`) on a box without a keyring,
driven through the CLI and the real kubectl; and the vault commands' refusals."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.support.apiserver import ApiServer
from tests.support.kubeconfigs import write_kubeconfig

TOKEN = "file-vault-token-7"
PASS = "a long enough passphrase"


@pytest.fixture
def no_keyring(monkeypatch, tmp_path):
    """A headless box: no D-Bus session bus at all."""
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)


@pytest.fixture
def api(pki):
    with ApiServer(pki, tokens={TOKEN: "gina"}) as server:
        yield server


@pytest.fixture
def config(tmp_path, api, monkeypatch):
    path = write_kubeconfig(tmp_path / "config", api.cluster_entry(), {"gina": {"token": TOKEN}}, "gina")
    monkeypatch.setenv("KUBECONFIG", str(path))
    return path


def kubectl_pods(kubectl, env=None):
    return subprocess.run([kubectl, "get", "pods"], capture_output=True, text=True, timeout=60,
                          env=env, stdin=subprocess.DEVNULL)


def test_without_a_keyring_secure_says_what_to_do_and_changes_nothing(no_keyring, config, kw):
    before = config.read_bytes()
    out = kw("secure", "gina", check=False)
    assert out.returncode == 1
    assert "no OS keyring" in out.stderr and "vault init --file" in out.stderr
    assert config.read_bytes() == before
    status = kw("vault", "status", check=False).stdout
    assert "not created yet" in status


def test_file_vault_end_to_end_with_kubectl(no_keyring, config, kw, kubectl, api, monkeypatch):
    env_pass = dict(os.environ, KUBEWALLET_VAULT_PASSPHRASE=PASS)
    kw("vault", "init", "--file", env=env_pass)
    kw("secure", "gina", env=env_pass)
    assert TOKEN not in config.read_text()
    assert "encrypted file" in kw("vault", "status", env=env_pass).stdout

    # No passphrase anywhere and no terminal: the plugin fails fast and says what to run.
    out = kubectl_pods(kubectl)
    assert out.returncode != 0
    assert "needs its passphrase" in out.stderr
    assert "kubewallet agent start" in out.stderr and "KUBEWALLET_VAULT_PASSPHRASE" in out.stderr
    assert not api.authenticated()

    # Automation: the passphrase in the environment.
    assert kubectl_pods(kubectl, env_pass).returncode == 0

    # A wrong passphrase is named as such.
    wrong = kubectl_pods(kubectl, dict(os.environ, KUBEWALLET_VAULT_PASSPHRASE="nope"))
    assert wrong.returncode != 0 and "wrong passphrase" in wrong.stderr

    # The agent asks once (here: takes it from the environment of `agent start` only).
    kw("agent", "start", env=env_pass)
    assert kubectl_pods(kubectl).returncode == 0
    kw("agent", "lock")
    locked = kubectl_pods(kubectl)
    assert locked.returncode != 0 and "passphrase" in locked.stderr
    kw("agent", "unlock", env=env_pass)
    assert kubectl_pods(kubectl).returncode == 0
    assert {r.token for r in api.authenticated()} == {TOKEN}


def test_vault_rm_refuses_a_secret_in_use(secret_service, config, kw):
    kw("secure", "gina")
    listing = kw("vault", "list").stdout
    rows = {line.split()[0]: line for line in listing.splitlines()[1:]}
    assert rows["users/gina"].endswith("gina") and TOKEN not in listing
    assert rows["kubewallet/backup-key"].endswith("(sealed kubeconfig backups)")  # never "(unused)"
    refused = kw("vault", "rm", "users/gina", check=False)
    assert refused.returncode == 1 and "used by user(s) gina" in refused.stderr
    assert "users/gina" in kw("vault", "list").stdout
    kw("vault", "rm", "--force", "users/gina")
    assert "users/gina " not in kw("vault", "list").stdout


def test_moving_from_the_keyring_to_a_file_keeps_every_secret(secret_service, config, kw, kubectl, api):
    kw("secure", "gina")
    env_pass = dict(os.environ, KUBEWALLET_VAULT_PASSPHRASE=PASS)
    kw("vault", "init", "--file", env=env_pass)
    assert kubectl_pods(kubectl, env_pass).returncode == 0
    kw("vault", "init", "--keyring", env=env_pass)
    assert kubectl_pods(kubectl).returncode == 0
