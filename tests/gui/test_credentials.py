"""The Credentials page driven with pytest-qt against the real Secret Service and real vault files."""

from __future__ import annotations

import json
import os
import shutil
import tempfile

import pytest
import yaml

from kubewallet.credentials.inventory import INLINE, PLUGIN, VAULT


@pytest.fixture
def runtime_dir(monkeypatch):
    path = tempfile.mkdtemp(prefix="kw-gui-")
    monkeypatch.setenv("XDG_RUNTIME_DIR", path)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def page(qtbot, secret_service, runtime_dir, app_state, wait_tasks):
    from kubewallet.gui.pages.credentials import CredentialsPage

    page = CredentialsPage(app_state)
    qtbot.addWidget(page)
    page.resize(1100, 560)
    page.show()
    wait_tasks(app_state)
    yield page
    page.agent.stop()


def rows(page):
    return {r.user: r for r in page.model.rows}


def users_in(path):
    return {u["name"]: u["user"] for u in yaml.safe_load(path.read_text())["users"]}


def test_lists_where_each_secret_lives_and_moves_one_to_the_keyring(page, app_state, wait_tasks,
                                                                    kubeconfig_file, artifacts_dir):
    listed = rows(page)
    assert listed["jane"].location == INLINE and listed["jane"].kind == "client certificate"
    assert listed["ci-bot"].location == INLINE and listed["ci-bot"].securable
    assert listed["sso"].location == PLUGIN and not listed["sso"].securable
    assert "OS keyring" in page.vault_label.text()
    token = users_in(kubeconfig_file)["ci-bot"]["token"]

    seen = {}

    def accept(dialog):
        seen["text"] = dialog.view.toPlainText()
        dialog.resize(820, 420)
        which = "move" if dialog.windowTitle().startswith("Move") else "restore"
        dialog.grab().save(str(artifacts_dir / f"credentials-{which}-diff.png"))
        return True

    page.confirm = accept
    page.select_user("ci-bot")
    assert page.secure_button.isEnabled() and not page.unsecure_button.isEnabled()
    page.secure_button.click()
    wait_tasks(app_state)
    wait_tasks(app_state)
    assert "exec:" in seen["text"] and "REDACTED" in seen["text"] and token not in seen["text"]
    assert "token" not in users_in(kubeconfig_file)["ci-bot"]
    assert rows(page)["ci-bot"].location == VAULT
    wait_tasks(app_state)
    assert "3 secret(s)" in page.vault_label.text()  # the served credential, the inline form, the backup key
    assert "now served from the vault" in page.banner.text
    page.select_user("jane")
    page.grab().save(str(artifacts_dir / "credentials.png"))

    page.select_user("ci-bot")
    assert page.unsecure_button.isEnabled()
    page.unsecure_button.click()
    wait_tasks(app_state)
    wait_tasks(app_state)
    assert users_in(kubeconfig_file)["ci-bot"] == {"token": token}
    assert rows(page)["ci-bot"].location == INLINE


def test_a_declined_diff_changes_nothing(page, app_state, wait_tasks, kubeconfig_file):
    before = kubeconfig_file.read_bytes()
    page.confirm = lambda dialog: False
    page.select_user("jane")
    page.secure_button.click()
    wait_tasks(app_state)
    assert kubeconfig_file.read_bytes() == before


def test_the_window_serves_kubectl_as_the_agent_and_forgets_on_lock(page, app_state, wait_tasks):
    from kubewallet.agent import fastclient
    from kubewallet.credentials import secure

    secure.secure(app_state.rules, ["ci-bot"])
    app_state.reload()
    wait_tasks(app_state)
    page.serve_button.click()
    assert page.agent.running and "Serving kubectl" in page.agent_label.text()
    ws = app_state.workspace
    cluster = ws.clusters[next(c.body["cluster"] for c in ws.contexts.values()
                               if c.body.get("user") == "ci-bot")].body
    info = json.dumps({"apiVersion": "client.authentication.k8s.io/v1", "spec": {  # as kubectl sends it
        "interactive": False, "cluster": {"server": cluster["server"], "certificate-authority-data":
                                          cluster.get("certificate-authority-data", "")}}})
    code, out, _err = fastclient.exec_credential("users/ci-bot", "ci-bot", info)
    assert code == fastclient.SERVE and json.loads(out)["status"]["token"].startswith("tok-")
    page.lock_button.click()
    assert page.agent.status()["unlocked"] is False
    page.serve_button.click()
    assert not page.agent.running
    assert not os.path.exists(os.path.join(os.environ["XDG_RUNTIME_DIR"], "kubewallet", "agent.sock"))


def test_an_encrypted_file_vault_is_unlocked_from_the_page(qtbot, runtime_dir, app_state, wait_tasks,
                                                           monkeypatch, artifacts_dir):
    from kubewallet.gui.dialogs.unlock_vault import UnlockVaultDialog
    from kubewallet.gui.pages.credentials import CredentialsPage
    from kubewallet.vault import open_vault

    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.delenv("KUBEWALLET_VAULT_PASSPHRASE", raising=False)
    vault = open_vault(passphrase="right passphrase")
    vault.reencrypt(source="passphrase", passphrase="right passphrase")
    vault.put("users/x", json.dumps({"token": "x"}))
    page = CredentialsPage(app_state)
    qtbot.addWidget(page)
    page.show()
    wait_tasks(app_state)
    assert "encrypted file" in page.vault_label.text() and "locked" in page.vault_label.text()
    assert page.unlock_button.isEnabled()
    answers = iter(["wrong passphrase", "right passphrase"])
    errors = []

    def ask(path, error=None):
        errors.append(error)
        return next(answers)

    page.ask_passphrase = ask
    page.unlock_button.click()
    wait_tasks(app_state)
    wait_tasks(app_state)
    wait_tasks(app_state)
    assert errors[0] is None and "wrong passphrase" in errors[1]
    assert "unlocked" in page.vault_label.text() and "1 secret(s)" in page.vault_label.text()
    assert not page.unlock_button.isEnabled()

    dialog = UnlockVaultDialog(str(vault.path), page)
    dialog.show_error(errors[1])
    qtbot.addWidget(dialog)
    dialog.resize(520, 200)
    dialog.grab().save(str(artifacts_dir / "credentials-unlock.png"))
    page.agent.stop()


def test_the_window_will_not_serve_from_a_folder_another_user_planted(page, monkeypatch, artifacts_dir):
    """Issue 12.1 in the window: the agent socket's folder belongs to another uid (a real process
    of uid 65534 listens in it); "Serve kubectl" refuses in plain words and sends it nothing."""
    import signal

    from tests.support.impostor import make_base, plant, received

    base = make_base()
    sock, log, pid = plant(base, "foreign")
    try:
        monkeypatch.setenv("KUBEWALLET_AGENT_SOCKET", sock)
        page.serve_button.click()
        assert not page.agent.running and not page.serve_button.isChecked()
        assert "belongs to uid 65534" in page.banner.text
        assert "another user may have planted it" in page.banner.text
        page.grab().save(str(artifacts_dir / "credentials-planted-agent.png"))
        assert received(log) == b""
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        shutil.rmtree(base, ignore_errors=True)


def test_wrapped_plugins_are_listed_with_time_to_expiry_and_flushed(page, app_state, wait_tasks,
                                                                   kubeconfig_file, tmp_path,
                                                                   kubewallet_cmd, artifacts_dir):
    import subprocess
    import sys

    from kubewallet.execplugin import wrapping
    from kubewallet.kubeconfig import run_edit

    plugin = tmp_path / "plugin.py"
    plugin.write_text("import json, os, time\n"
                      "open(os.environ['RUNS'], 'a').write('run\\n')\n"
                      "exp = time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(time.time() + 900))\n"
                      "print(json.dumps({'kind': 'ExecCredential', 'apiVersion': "
                      "'client.authentication.k8s.io/v1', 'status': {'token': 'eks-token', "
                      "'expirationTimestamp': exp}}))\n")

    def edit(ws):
        ws.set_entry("users", "eks", {"exec": {
            "apiVersion": "client.authentication.k8s.io/v1", "command": sys.executable,
            "args": [str(plugin)], "env": [{"name": "RUNS", "value": str(tmp_path / "runs")}],
            "interactiveMode": "Never"}})
        ws.set_entry("contexts", "eks", {"cluster": next(iter(ws.clusters)), "user": "eks"})

    run_edit(app_state.rules, edit)
    wrapping.wrap(app_state.rules, ["eks"], command=kubewallet_cmd[0])
    app_state.reload()
    wait_tasks(app_state)
    page.serve_button.click()
    cluster = app_state.workspace.clusters[app_state.workspace.contexts["eks"].body["cluster"]].body
    info = json.dumps({"apiVersion": "client.authentication.k8s.io/v1", "spec": {
        "interactive": False, "cluster": {"server": cluster["server"], "certificate-authority-data":
                                          cluster.get("certificate-authority-data", "")}}})
    get = [*kubewallet_cmd, "credential", "get", "--user", "eks", "--ref", "plugins/eks"]
    out = subprocess.run(["sh", "-c", '"$@"; true', "sh", *get], capture_output=True, text=True,
                         env=dict(os.environ, KUBERNETES_EXEC_INFO=info), timeout=60)
    assert json.loads(out.stdout)["status"]["token"] == "eks-token", out.stderr
    page.refresh()
    wait_tasks(app_state)
    assert "<b>eks</b>: held; served for 1" in page.wrapped_label.text()  # 15 min - 1 min margin
    page.grab().save(str(artifacts_dir / "credentials-wrapped.png"))
    page.flush_button.click()
    wait_tasks(app_state)
    wait_tasks(app_state)
    assert "Dropped 1 cached credential" in page.banner.text
    assert "<b>eks</b>: nothing held" in page.wrapped_label.text()

    seen = {}
    page.confirm = lambda dialog: seen.setdefault("title", dialog.windowTitle()) is not None
    page.select_user("eks")
    page.unsecure_button.click()
    wait_tasks(app_state)
    wait_tasks(app_state)
    assert seen["title"] == "Restore eks's original exec plugin"
    assert users_in(kubeconfig_file)["eks"]["exec"]["args"] == [str(plugin)]
