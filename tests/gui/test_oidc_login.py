"""The OIDC login dialog and the token state widget, driven with pytest-qt against the real
provider (tests/oidc_provider), with the real vault on the real Secret Service. The person at the
browser is played by tests.oidc_provider.person; for the device code the test reads the code and
URL off the dialog, as a person reads them off the screen."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest

from kubewallet.gui.dialogs.oidc_login import DONE, RUNNING, SKIPPED, OidcLoginDialog, OidcTokenState
from kubewallet.oidc.config import ProviderConfig
from kubewallet.oidc.session import LoginOptions
from kubewallet.oidc.tokencache import TokenCache
from tests.integration.oidc.helpers import PersonAtBrowser
from tests.oidc_provider.harness import start_provider
from tests.oidc_provider.person import Browser

pytestmark = [pytest.mark.gui, pytest.mark.oidc]


@pytest.fixture(scope="module")
def provider():
    try:
        running = start_provider()
    except RuntimeError as exc:
        pytest.fail(str(exc))
    yield running
    running.stop()


# Any free port: these tests are about the dialog, not kubelogin's fixed ports (tested in
# tests/unit/oidc/test_loopback.py and tests/integration/oidc/test_cli.py under their lock).
ANY_PORT = LoginOptions(listen_addresses=("127.0.0.1:0",))


def _config(provider, client_id="kubewallet"):
    return ProviderConfig(provider.issuer, client_id, extra_scopes=("email", "groups"))


def test_browser_login_shows_each_step_and_the_identity(qtbot, provider, secret_service, tmp_path,
                                                        artifacts_dir):
    person = PersonAtBrowser("alice")
    seen_running = []
    dialog = OidcLoginDialog(_config(provider), ANY_PORT, cache=TokenCache(tmp_path / "cache"), browser=person)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.bridge.step.connect(lambda step, _t: seen_running.append(
        (step, dialog.steps.state(step))))
    dialog.start()
    qtbot.waitUntil(lambda: dialog.status == "done", timeout=20000)

    assert [s for s, _ in seen_running][:4] == ["discovering", "opening-browser",
                                                "waiting-callback", "exchanging"]
    assert all(dialog.steps.state(k) == DONE for k in dialog.steps.order)
    assert "Signed in as alice@example.test" in dialog.result.text()
    assert "developers" in dialog.result.text()
    assert len(person.opened) == 1
    assert dialog.close_button.isVisible() and not dialog.cancel_button.isVisible()
    dialog.grab().save(str(artifacts_dir / "oidc_login.png"))


def test_device_code_is_shown_large_with_its_url(qtbot, provider, secret_service, tmp_path,
                                                 artifacts_dir):
    dialog = OidcLoginDialog(_config(provider), LoginOptions(grant_type="device-code"),
                             cache=TokenCache(tmp_path / "cache"), browser=lambda url: None)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.start()
    qtbot.waitUntil(lambda: dialog.device_box.isVisible() and bool(dialog.device_code.text()), timeout=15000)
    assert dialog.device_code.font().pointSize() >= 24
    assert dialog.steps.state("waiting-device") == RUNNING or dialog.steps.state("device-code") == RUNNING
    dialog.grab().save(str(artifacts_dir / "oidc_login_device_code.png"))

    # The person reads the URL and the code off the screen and types the code on the provider.
    url = urlsplit(dialog.device_url.text().split('">')[1].split("<")[0]).geturl()
    code = dialog.device_code.text()
    assert url == f"{provider.issuer}/device"
    threading.Thread(target=Browser("dave").enter_device_code, args=(url, code), daemon=True).start()
    qtbot.waitUntil(lambda: dialog.status == "done", timeout=20000)
    assert "as dave@example.test" in dialog.result.text()
    assert not dialog.device_box.isVisible()


def test_cancel_stops_waiting_at_once_and_frees_the_port(qtbot, provider, secret_service, tmp_path):
    opened = []
    dialog = OidcLoginDialog(_config(provider), ANY_PORT, cache=TokenCache(tmp_path / "cache"),
                             browser=opened.append)     # the person never signs in
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.start()
    qtbot.waitUntil(lambda: dialog.steps.state("waiting-callback") == RUNNING, timeout=15000)
    redirect = parse_qs(urlsplit(opened[0]).query)["redirect_uri"][0]
    dialog.cancel_button.click()
    assert dialog.status == "cancelled" and not dialog.isVisible()
    assert dialog.runner.wait(5), "the worker ended"

    def refused():
        try:
            urllib.request.urlopen(redirect, timeout=2)
        except urllib.error.URLError as exc:
            return isinstance(exc.reason, ConnectionRefusedError)
        return False

    qtbot.waitUntil(refused, timeout=5000)


def test_token_state_expires_refreshes_and_logs_out(qtbot, provider, secret_service, tmp_path,
                                                    artifacts_dir):
    cache = TokenCache(tmp_path / "cache")
    state = OidcTokenState(_config(provider), ANY_PORT, cache=cache, browser=PersonAtBrowser("erin"))
    qtbot.addWidget(state)
    state.show()
    assert state.who.text() == "not signed in" and not state.log_out.isEnabled()

    dialog = state.open_login()
    qtbot.waitUntil(lambda: dialog.status == "done", timeout=20000)
    qtbot.waitUntil(lambda: state.who.text() == "erin@example.test", timeout=5000)
    assert state.expires.text().startswith(("59 min", "1 h 00 min"))
    assert ":" in state.refreshes.text() and state.log_out.isEnabled()
    dialog.close()
    state.resize(420, 160)
    state.grab().save(str(artifacts_dir / "oidc_token_state.png"))

    with qtbot.waitSignal(state.changed, timeout=15000):
        state.log_out.click()
    assert state.who.text() == "not signed in"
    assert cache.load(_config(provider).cache_key()) is None
    assert state.store.get(_config(provider).refresh_token_ref()) is None


def test_a_failed_login_says_why_in_place(qtbot, provider, secret_service, tmp_path):
    dialog = OidcLoginDialog(ProviderConfig("http://idp.example.com", "k"),
                             cache=TokenCache(tmp_path / "cache"), browser=lambda url: None)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.start()
    qtbot.waitUntil(lambda: dialog.status == "failed", timeout=10000)
    assert "refusing the plain http issuer" in dialog.banner.text
    assert dialog.steps.state("discovering") in ("✗", SKIPPED, "○")


def test_token_state_for_a_kubeconfig_users_exec_entry(qtbot, tmp_path):
    body = {"command": "kubelogin", "args": ["get-token", "--oidc-issuer-url=https://dex.example.com",
                                             "--oidc-client-id=kubernetes",
                                             f"--token-cache-dir={tmp_path}"]}
    state = OidcTokenState.for_exec(body)
    qtbot.addWidget(state)
    assert state.config.issuer == "https://dex.example.com" and state.cache.directory == str(tmp_path)
    assert state.who.text() == "not signed in"
    assert OidcTokenState.for_exec({"command": "aws", "args": ["eks", "get-token"]}) is None
