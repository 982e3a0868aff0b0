"""Fixtures for every GUI test (pytest-qt, offscreen): a small real kubeconfig, an `AppState`
loaded from it, and a helper that waits for background tasks.

Any page test can build its page standalone::

    page = MyPage(app_state); qtbot.addWidget(page); page.show(); wait_tasks(app_state)
"""

from __future__ import annotations

import gc
import os
import secrets
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def write_kubeconfig_data(path: Path, data: dict) -> Path:
    """Write `data` as a kubeconfig file (mode 0600, as kubectl creates them)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=True))  # kubectl's own order: alphabetical
    path.chmod(0o600)
    return path


def sample_kubeconfig(pki) -> dict:
    """Three contexts over two clusters and three users of different credential kinds, plus one
    context whose user does not exist (a dangling reference)."""
    client = pki.issue("jane", ("developers", "system:basic-user"), days=40)
    data = {
        "apiVersion": "v1",
        "kind": "Config",
        "preferences": {},
        "current-context": "dev",
        "clusters": [
            {"name": "dev-cluster", "cluster": {"server": "https://127.0.0.1:6443",
                                                "certificate-authority-data": pki.cert_b64}},
            {"name": "prod-cluster", "cluster": {"server": "https://prod.example.com:443",
                                                 "certificate-authority-data": pki.cert_b64,
                                                 "tls-server-name": "api.prod.example.com"}},
        ],
        "users": [
            {"name": "jane", "user": {"client-certificate-data": client.cert_b64,
                                      "client-key-data": client.key_b64}},
            {"name": "ci-bot", "user": {"token": "tok-" + secrets.token_urlsafe(24)}},
            {"name": "sso", "user": {"exec": {
                "apiVersion": "client.authentication.k8s.io/v1", "command": "kubewallet",
                "args": ["oidc-login", "get-token", "--oidc-issuer-url=https://issuer.example.com",
                         "--oidc-client-id=kubernetes"], "interactiveMode": "IfAvailable"}}},
        ],
        "contexts": [
            {"name": "dev", "context": {"cluster": "dev-cluster", "user": "jane", "namespace": "default"}},
            {"name": "staging", "context": {"cluster": "dev-cluster", "user": "ci-bot",
                                            "namespace": "staging"}},
            {"name": "prod", "context": {"cluster": "prod-cluster", "user": "sso", "namespace": "payments"}},
            {"name": "orphan", "context": {"cluster": "prod-cluster", "user": "gone"}},
        ],
    }
    for kind in ("clusters", "users", "contexts"):  # kubectl writes each list sorted by name
        data[kind].sort(key=lambda item: item["name"])
    return data


@pytest.fixture(autouse=True)
def free_widgets_on_the_gui_thread():
    """Windows a test leaves behind are freed here, on the GUI thread. Left to Python's cyclic
    garbage collector, they would be freed whenever a later allocation triggers it, possibly on
    a worker thread (a demo build, a load), where destroying a widget aborts the process."""
    yield
    gc.collect()


@pytest.fixture
def write_kubeconfig() -> Callable[[Path, dict], Path]:
    return write_kubeconfig_data


@pytest.fixture
def kubeconfig_file(tmp_path, pki, monkeypatch) -> Path:
    """A temp kubeconfig (see `sample_kubeconfig`); KUBECONFIG points at it."""
    path = write_kubeconfig_data(tmp_path / "kube" / "config", sample_kubeconfig(pki))
    monkeypatch.setenv("KUBECONFIG", str(path))
    return path


@pytest.fixture
def gui_settings(tmp_path):
    """Settings in a temp INI file (never the person's own)."""
    from PySide6.QtCore import QSettings

    settings = QSettings(str(tmp_path / "kubewallet-settings.ini"), QSettings.Format.IniFormat)
    # no background `check` at start: the sample names clusters off this machine (prod.example.com)
    # and tests never send traffic there; tests/gui/test_context_check.py turns it on
    settings.setValue("contexts/check_at_start", False)
    return settings


@pytest.fixture
def wait_tasks(qtbot) -> Callable:
    """`wait_tasks(state)`: process events until every background task has delivered."""

    def wait(state, timeout: float = 10.0) -> None:
        assert state.tasks.wait(timeout), "background tasks did not finish in time"

    return wait


@pytest.fixture
def app_state(qtbot, kubeconfig_file, gui_settings):
    """An `AppState` loaded (synchronously) from `kubeconfig_file`."""
    from kubewallet.gui.state import AppState
    from kubewallet.kubeconfig import LoadingRules

    state = AppState(LoadingRules.from_env(), settings=gui_settings)
    state.load_now()
    yield state
    state.tasks.shutdown()
