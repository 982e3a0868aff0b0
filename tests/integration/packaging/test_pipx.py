"""The built wheel installed the way the README says (pipx), then used as a person would:
both entry points, `kubectl wallet ...` through the real kubectl's plugin discovery, completion
and the man page from the installed copy, the desktop files inside it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.kubectl

CONFIG = """\
apiVersion: v1
kind: Config
clusters: [{name: c1, cluster: {server: "https://127.0.0.1:6443"}}]
users: [{name: u1, user: {token: "secret-token"}}]
contexts:
- {name: dev, context: {cluster: c1, user: u1}}
- {name: prod, context: {cluster: c1, user: u1, namespace: payments}}
current-context: dev
"""


@pytest.fixture(scope="module")
def pipx_install(wheel, tmp_path_factory, system_tool):
    pipx = system_tool("pipx")
    base = tmp_path_factory.mktemp("pipx")
    env = dict(os.environ, PIPX_HOME=str(base / "home"), PIPX_BIN_DIR=str(base / "bin"),
               PIPX_MAN_DIR=str(base / "man"))
    out = subprocess.run([pipx, "install", str(wheel)], env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout + out.stderr
    return base


def run(base: Path, kubectl: str, tmp_path: Path, *argv: str):
    config = tmp_path / "config"
    if not config.exists():
        config.write_text(CONFIG)
    env = dict(os.environ, KUBECONFIG=str(config),
               PATH=f"{base / 'bin'}:{Path(kubectl).parent}:/usr/bin:/bin")
    return subprocess.run(list(argv), env=env, capture_output=True, text=True, timeout=60, cwd=tmp_path)


def test_both_entry_points_run_from_the_pipx_install(pipx_install, kubectl, tmp_path):
    from kubewallet import __version__

    assert run(pipx_install, kubectl, tmp_path, "kubewallet", "--version").stdout.strip() == f"kubewallet {__version__}"
    view = run(pipx_install, kubectl, tmp_path, "kubewallet", "config", "view").stdout
    assert "token: REDACTED" in view and "secret-token" not in view


def test_kubectl_finds_the_plugin(pipx_install, kubectl, tmp_path):
    plugins = run(pipx_install, kubectl, tmp_path, "kubectl", "plugin", "list")
    assert str(pipx_install / "bin" / "kubectl-wallet") in plugins.stdout
    out = run(pipx_install, kubectl, tmp_path, "kubectl", "wallet", "use", "prod")
    assert out.returncode == 0, out.stderr
    current = run(pipx_install, kubectl, tmp_path, "kubectl", "config", "current-context")
    assert current.stdout.strip() == "prod"
    # kubectl wallet <TAB>: kubectl finds kubectl_complete-wallet next to the plugin
    tab = run(pipx_install, kubectl, tmp_path, "kubectl", "__complete", "wallet", "use", "")
    assert tab.stdout.splitlines() == ["dev", "prod", ":4"]


def test_completion_man_and_desktop_files_come_with_the_install(pipx_install, kubectl, tmp_path):
    script = run(pipx_install, kubectl, tmp_path, "kubewallet", "completion", "bash")
    assert script.returncode == 0 and "complete -o default -F _kubewallet kubewallet kubectl-wallet" in script.stdout
    names = run(pipx_install, kubectl, tmp_path, "kubewallet", "completion", "--list", "contexts")
    assert names.stdout.split() == ["dev", "prod"]
    page = run(pipx_install, kubectl, tmp_path, "kubewallet", "man")
    assert page.returncode == 0 and ".TH KUBEWALLET 1" in page.stdout
    desktop = list((pipx_install / "home").rglob("site-packages/kubewallet/resources/desktop/kubewallet.desktop"))
    assert len(desktop) == 1
