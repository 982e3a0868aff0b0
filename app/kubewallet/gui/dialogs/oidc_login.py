"""The OIDC login dialog and the per-user token state widget.

The login runs `kubewallet.oidc.session.get_token` — the same story as `kubewallet oidc-login
get-token` — on a worker thread (never on the GUI thread: it waits on a browser and the network).
Its progress callbacks fire on that worker; they reach the widgets through a small bridge whose
signals are delivered queued, on the GUI thread. Every step is visible ("Opening the browser",
"Waiting for the sign-in", "Verifying the id_token"), the device code is shown large next to its
verification URL, and Cancel stops the wait at once (the loopback listener and the device-code
poll both watch the same cancel event).

`OidcTokenState` shows, for one kubeconfig user whose exec entry runs an OIDC login, who is signed
in, when the id_token expires and when kubewallet will refresh it, with "Sign in" and "Log out".
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFrame, QGridLayout, QHBoxLayout, QLabel,
                               QPushButton, QVBoxLayout, QWidget)

from kubewallet.gui.tasks import Task, TaskRunner
from kubewallet.gui.widgets.banner import Banner
from kubewallet.oidc.config import ProviderConfig
from kubewallet.oidc.session import Environment, LoginOptions, Outcome, get_token, logout
from kubewallet.oidc.tokencache import TokenCache

PENDING, RUNNING, DONE, FAILED, SKIPPED = "○", "◐", "✓", "✗", "–"

BROWSER_STEPS = [("discovering", "Reading the provider's configuration"),
                 ("opening-browser", "Opening the browser"),
                 ("waiting-callback", "Waiting for the sign-in to come back"),
                 ("exchanging", "Exchanging the code for tokens"),
                 ("verifying", "Verifying the id_token")]
DEVICE_STEPS = [("discovering", "Reading the provider's configuration"),
                ("device-code", "Getting a device code"),
                ("waiting-device", "Waiting for you to confirm the code"),
                ("verifying", "Verifying the id_token")]
REFRESH_STEPS = [("discovering", "Reading the provider's configuration"),
                 ("refreshing", "Refreshing with the stored refresh token"),
                 ("verifying", "Verifying the id_token")]


class _Bridge(QObject):
    """Carries the session's callbacks from the worker thread to the GUI thread."""

    step = Signal(str, str)
    device = Signal(object)


def _fmt_duration(seconds: float) -> str:
    seconds = int(max(0, seconds))
    if seconds >= 3600:
        return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
    if seconds >= 60:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds} s"


class StepList(QWidget):
    """One line per step with its state mark; steps a flow does not take show as skipped."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.rows: dict[str, tuple[QLabel, QLabel]] = {}
        self.order: list[str] = []

    def set_steps(self, steps: list[tuple[str, str]]) -> None:
        for mark, text in self.rows.values():
            mark.deleteLater()
            text.deleteLater()
        self.rows, self.order = {}, [key for key, _ in steps]
        for i, (key, label) in enumerate(steps):
            mark, text = QLabel(PENDING, self), QLabel(label, self)
            mark.setFixedWidth(22)
            mark.setAccessibleName(f"{label}: pending")
            self.grid.addWidget(mark, i, 0)
            self.grid.addWidget(text, i, 1)
            self.rows[key] = (mark, text)

    def state(self, key: str) -> str:
        return self.rows[key][0].text() if key in self.rows else ""

    def advance(self, key: str) -> None:
        """`key` is running now: earlier steps are done (or were not needed)."""
        if key not in self.rows:
            return
        index = self.order.index(key)
        for earlier in self.order[:index]:
            if self.state(earlier) in (PENDING, RUNNING):
                self._mark(earlier, DONE if self.state(earlier) == RUNNING else SKIPPED)
        self._mark(key, RUNNING)

    def finish(self, ok: bool) -> None:
        for key in self.order:
            if self.state(key) == RUNNING:
                self._mark(key, DONE if ok else FAILED)
            elif ok and self.state(key) == PENDING:
                self._mark(key, SKIPPED)

    def _mark(self, key: str, mark: str) -> None:
        label, text = self.rows[key]
        label.setText(mark)
        words = {PENDING: "pending", RUNNING: "in progress", DONE: "done", FAILED: "failed",
                 SKIPPED: "not needed"}[mark]
        label.setAccessibleName(f"{text.text()}: {words}")
        font = text.font()
        font.setBold(mark == RUNNING)
        text.setFont(font)


class OidcLoginDialog(QDialog):
    """Sign in to one provider; `start()` runs the flow, `signed_in(Outcome)` reports success."""

    signed_in = Signal(object)

    def __init__(self, config: ProviderConfig, options: LoginOptions | None = None, *,
                 store=None, cache: TokenCache | None = None,
                 browser: Callable[[str], None] | None = None, runner: TaskRunner | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.config, self.options = config, options or LoginOptions()
        self.cache = cache or TokenCache()
        if store is None:
            from kubewallet.oidc.store import VaultStore

            store = VaultStore()
        self.store = store
        self.browser = browser
        self.runner = runner or TaskRunner(self)
        self.cancel_event = threading.Event()
        self.task: Task | None = None
        self.outcome: Outcome | None = None
        self.status = "idle"            # idle | running | done | failed | cancelled

        self.setWindowTitle("Sign in with OpenID Connect")
        self.setAccessibleName("OIDC sign-in")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        title = QLabel(f"<b>Sign in to {config.issuer}</b><br>client <code>{config.client_id}</code>"
                       + (f", scopes {' '.join(config.scopes)}" if config.extra_scopes else ""), self)
        title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        title.setWordWrap(True)
        layout.addWidget(title)
        self.steps = StepList(self)
        self.steps.set_steps(DEVICE_STEPS if self.options.grant_type == "device-code"
                             else BROWSER_STEPS)
        layout.addWidget(self.steps)

        layout.addWidget(self._build_device_box())
        self.url_label = QLabel(self)
        self.url_label.setAccessibleName("Sign-in URL")
        self.url_label.setWordWrap(True)
        self.url_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                               | Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.url_label.setOpenExternalLinks(True)
        self.url_label.hide()
        layout.addWidget(self.url_label)

        self.result = QLabel(self)
        self.result.setAccessibleName("Signed-in identity")
        self.result.setWordWrap(True)
        self.result.hide()
        layout.addWidget(self.result)
        self.banner = Banner(self)
        self.banner.hide()
        layout.addWidget(self.banner)

        layout.addWidget(self._build_buttons())

        self.bridge = _Bridge()
        self.bridge.step.connect(self._on_step, Qt.ConnectionType.QueuedConnection)
        self.bridge.device.connect(self._on_device, Qt.ConnectionType.QueuedConnection)

    def _build_device_box(self) -> QFrame:
        """The device-code grant's URL and code, shown once the provider sent them."""
        self.device_box = QFrame(self)
        self.device_box.setFrameShape(QFrame.Shape.StyledPanel)
        box = QVBoxLayout(self.device_box)
        box.addWidget(QLabel("On any device, open", self.device_box))
        self.device_url = QLabel(self.device_box)
        self.device_url.setAccessibleName("Verification URL")
        self.device_url.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                                | Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.device_url.setOpenExternalLinks(True)
        box.addWidget(self.device_url)
        box.addWidget(QLabel("and enter the code", self.device_box))
        self.device_code = QLabel(self.device_box)
        self.device_code.setAccessibleName("Device code")
        code_font = QFont("monospace")
        code_font.setStyleHint(QFont.StyleHint.Monospace)
        code_font.setPointSize(28)
        code_font.setBold(True)
        self.device_code.setFont(code_font)
        self.device_code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.device_code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        box.addWidget(self.device_code)
        row = QHBoxLayout()
        self.copy_code = QPushButton("Copy code", self.device_box)
        self.copy_code.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.device_code.text()))
        row.addStretch(1)
        row.addWidget(self.copy_code)
        box.addLayout(row)
        self.device_box.hide()
        return self.device_box


    def _build_buttons(self) -> QDialogButtonBox:
        self.buttons = QDialogButtonBox(self)
        self.cancel_button = self.buttons.addButton("Cancel", QDialogButtonBox.ButtonRole.RejectRole)
        self.close_button = self.buttons.addButton("Close", QDialogButtonBox.ButtonRole.AcceptRole)
        self.close_button.hide()
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button.clicked.connect(self.accept)
        return self.buttons

    # ---- the flow (worker thread) -------------------------------------------------------------
    def _environment(self) -> Environment:
        bridge = self.bridge
        return Environment(store=self.store, cache=self.cache, interactive=True,
                           browser=self.browser,
                           progress=lambda step, text: bridge.step.emit(step, text),
                           on_device_code=lambda auth: bridge.device.emit(auth),
                           cancel=self.cancel_event,
                           login_command="the kubewallet window's Sign in")

    def start(self) -> Task:
        """Run the login off the GUI thread (idempotent while one runs)."""
        if self.task is not None and self.status == "running":
            return self.task
        self.status = "running"
        self.cancel_event.clear()
        self.banner.hide()
        env = self._environment()
        self.task = self.runner.start(get_token, self.config, self.options, env,
                                      on_done=self._on_done, on_error=self._on_error,
                                      name="oidc login")
        return self.task

    # ---- GUI thread ---------------------------------------------------------------------------
    def _on_step(self, step: str, text: str) -> None:
        if self.status != "running":
            return
        if step == "refreshing" and self.steps.order != [k for k, _ in REFRESH_STEPS]:
            self.steps.set_steps(REFRESH_STEPS)
            self.steps.advance("discovering")
        if step in ("opening-browser", "show-url"):
            self.url_label.setText(f"If no browser window opened, open this address yourself:<br>"
                                   f"<a href=\"{text}\">{text[:90]}…</a>")
            self.url_label.show()
        if step == "waiting-device":
            self.steps.advance("waiting-device")
        elif step in self.steps.rows:
            self.steps.advance(step)

    def _on_device(self, auth) -> None:
        if self.status != "running":
            return
        self.steps.advance("device-code")
        url = auth.verification_uri
        self.device_url.setText(f"<a href=\"{auth.verification_uri_complete or url}\">{url}</a>")
        self.device_code.setText(auth.user_code)
        self.device_box.show()
        self.adjustSize()

    def _on_done(self, outcome: Outcome) -> None:
        self.outcome = outcome
        self.status = "done"
        self.steps.finish(True)
        self.device_box.hide()
        self.url_label.hide()
        claims = outcome.claims
        if not claims:
            from kubewallet.oidc.jwtpeek import peek

            claims = peek(outcome.token.id_token)[1]
        who = claims.get("email") or claims.get("preferred_username") or claims.get("sub")
        groups = claims.get("groups")
        expires = time.strftime("%H:%M:%S", time.localtime(outcome.token.expiry))
        how = {"cache": "already signed in", "refresh": "refreshed silently",
               "login": "signed in"}[outcome.source]
        self.result.setText(f"<b>{how.capitalize()} as {who}</b>"
                            + (f"<br>groups: {', '.join(map(str, groups))}"
                               if isinstance(groups, list) else "")
                            + f"<br>id_token valid until {expires}")
        self.result.show()
        self.cancel_button.hide()
        self.close_button.show()
        self.adjustSize()
        self.signed_in.emit(outcome)

    def _on_error(self, exc: BaseException) -> None:
        self.status = "failed"
        self.steps.finish(False)
        self.device_box.hide()
        self.banner.show_error(exc)
        self.banner.show()
        self.cancel_button.hide()
        self.close_button.show()
        self.adjustSize()

    def cancel(self) -> None:
        """Stop waiting now: the listener closes its port, the device poll stops."""
        if self.status == "running":
            self.cancel_event.set()
            if self.task is not None:
                self.task.cancel()
            self.status = "cancelled"
            self.steps.finish(False)
        self.reject()

    def closeEvent(self, event) -> None:   # noqa: N802 (Qt's naming)
        if self.status == "running":
            self.cancel_event.set()
            if self.task is not None:
                self.task.cancel()
            self.status = "cancelled"
        super().closeEvent(event)


class OidcTokenState(QWidget):
    """Who is signed in for one OIDC user, when the token expires and refreshes; sign in, log out."""

    changed = Signal()

    def __init__(self, config: ProviderConfig, options: LoginOptions | None = None, *,
                 cache: TokenCache | None = None, store=None,
                 browser: Callable[[str], None] | None = None, runner: TaskRunner | None = None,
                 clock: Callable[[], float] = time.time, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.config, self.options = config, options or LoginOptions()
        self.cache = cache or TokenCache()
        self.store = store
        self.browser, self.clock = browser, clock
        self.runner = runner or TaskRunner(self)
        self.dialog: OidcLoginDialog | None = None
        self.setAccessibleName("OIDC token state")
        layout = QGridLayout(self)
        self.who = QLabel(self)
        self.who.setAccessibleName("Signed in as")
        self.expires = QLabel(self)
        self.expires.setAccessibleName("Expires in")
        self.refreshes = QLabel(self)
        self.refreshes.setAccessibleName("Refreshes at")
        layout.addWidget(QLabel("Signed in as", self), 0, 0)
        layout.addWidget(self.who, 0, 1)
        layout.addWidget(QLabel("Expires in", self), 1, 0)
        layout.addWidget(self.expires, 1, 1)
        layout.addWidget(QLabel("Refreshes at", self), 2, 0)
        layout.addWidget(self.refreshes, 2, 1)
        row = QHBoxLayout()
        self.sign_in = QPushButton("Sign in…", self)
        self.log_out = QPushButton("Log out", self)
        self.sign_in.clicked.connect(self.open_login)
        self.log_out.clicked.connect(self.do_logout)
        row.addStretch(1)
        row.addWidget(self.sign_in)
        row.addWidget(self.log_out)
        layout.addLayout(row, 3, 0, 1, 2)
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self.update_state)
        self.timer.start()
        self.update_state()

    @classmethod
    def for_exec(cls, exec_body: dict, **kwargs) -> OidcTokenState | None:
        """The widget for a kubeconfig user whose `exec` runs an OIDC login (kubewallet's,
        `kubectl oidc-login` or `kubelogin` get-token), else None — what the users page embeds."""
        from kubewallet.oidc.flags import login_from_exec

        flags = login_from_exec(exec_body)
        if flags is None:
            return None
        kwargs.setdefault("cache", TokenCache(flags.value("token-cache-dir")))
        return cls(flags.config(), flags.login_options(), **kwargs)

    def _store(self):
        if self.store is None:
            from kubewallet.oidc.store import VaultStore

            self.store = VaultStore()
        return self.store

    def update_state(self) -> None:
        token = self.cache.load(self.config.cache_key())
        now = self.clock()
        if token is None:
            self.who.setText("not signed in")
            self.expires.setText("–")
            self.refreshes.setText("–")
            self.log_out.setEnabled(False)
            return
        from kubewallet.oidc.jwtpeek import peek

        try:
            claims = peek(token.id_token)[1]
        except Exception:   # noqa: BLE001 - a damaged cache entry shows as "unknown"
            claims = {}
        self.who.setText(str(claims.get("email") or claims.get("sub") or "unknown"))
        left = token.expiry - now
        self.expires.setText(_fmt_duration(left) if left > 0
                             else f"expired {_fmt_duration(-left)} ago (a refresh is due)")
        self.refreshes.setText(time.strftime("%H:%M:%S", time.localtime(token.refresh_at())))
        self.log_out.setEnabled(True)

    def open_login(self) -> OidcLoginDialog:
        self.dialog = OidcLoginDialog(self.config, self.options, store=self._store(), cache=self.cache,
                                      browser=self.browser, runner=self.runner, parent=self)
        self.dialog.signed_in.connect(lambda _o: (self.update_state(), self.changed.emit()))
        self.dialog.show()
        self.dialog.start()
        return self.dialog

    def do_logout(self) -> Task:
        self.log_out.setEnabled(False)
        env = Environment(store=self._store(), cache=self.cache)

        def done(_removed) -> None:
            self.update_state()
            self.changed.emit()

        return self.runner.start(logout, self.config, env, on_done=done,
                                 on_error=lambda exc: self.update_state(), name="oidc logout")
