"""The Credentials page: where every user's secret lives, and moving it into the vault and back.

Each user is listed with its credential kind and where the secret is: inline plaintext (flagged),
a file, the vault (safe), or another exec plugin. "Move to keyring" (or "to encrypted vault", as the
vault in use is) and "Restore inline" show the
kubeconfig diff first (secrets redacted) and then run the core's `secure`/`unsecure` off the GUI
thread; the vault's backend and state are shown with the encrypted-file vault's unlock prompt.

The window can also serve kubectl: "Serve kubectl from this window" runs the credential agent
(`kubewallet.agent.server.AgentServer`) inside this process, like the `kubewallet agent` daemon,
until the window closes, "Lock" is pressed, or the timeout passes.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QDialog, QGroupBox, QHBoxLayout,
                               QLabel, QPushButton, QSpinBox, QTableView, QVBoxLayout,
                               QWidget)

from kubewallet.gui.models.credentials import CredentialsTableModel
from kubewallet.gui.pages.base import Page
from kubewallet.gui.widgets.columns import ColumnFitter


class AgentHost(QObject):
    """The credential agent embedded in the window (a thread), with a Qt signal on change."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.server = None

    @property
    def running(self) -> bool:
        return self.server is not None and self.server.running

    def start(self, timeout_s: float | None, passphrase: str | None) -> None:
        from kubewallet.agent.server import AgentServer

        self.server = AgentServer(timeout=timeout_s, passphrase=passphrase,
                                  on_change=self.changed.emit).start()
        self.changed.emit()

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None
        self.changed.emit()

    def lock(self) -> None:
        if self.server is not None:
            self.server.lock()

    def unlock(self, passphrase: str | None) -> None:
        if self.server is not None:
            self.server.unlock(passphrase)

    def status(self) -> dict | None:
        return self.server.status() if self.running else None


def disabled_reason(row, vault: str) -> str:
    """Why "Move" or "Restore" does not apply to the selected user, in words a person can act on."""
    from kubewallet.credentials.inventory import FILE, INLINE, NONE, PLUGIN, VAULT

    if row is None:
        return "Select a user to move its secret into the vault or back."
    if row.location == INLINE and not row.securable:
        return (f"{row.user}'s {row.kind} cannot move to {vault}: a credential plugin hands kubectl "
                "only a token or a client certificate (client-go's ExecCredential). Switch the user "
                "to a token or a certificate to protect it.")
    if row.location == VAULT:
        return f"{row.user}'s secret is already in {vault}; Restore inline puts it back in the kubeconfig."
    if row.location == PLUGIN:
        return f"{row.user} gets its credential from an exec plugin, which keeps the secret itself."
    if row.location == NONE:
        return f"{row.user} carries no secret."
    if row.location == FILE and not row.securable:
        return f"{row.user}'s secret is in a file; that file's permissions protect it."
    return ""


def _vault_status(passphrase: str | None):
    from kubewallet.vault import open_vault

    return open_vault(passphrase=passphrase).status()


def _check_passphrase(passphrase: str) -> str:
    from kubewallet.vault import open_vault

    open_vault(passphrase=passphrase).unlock()
    return passphrase


class CredentialsPage(Page):
    title = "Credentials"
    icon = "credentials"
    shortcut = "Ctrl+4"
    order = 40
    abstract = False

    def __init__(self, state, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self._passphrase: str | None = None  # held in memory only, forgotten on Lock
        self.agent = AgentHost(self)
        self.agent.changed.connect(self._show_agent)
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance()
        if app is not None:  # the socket must not outlive the window
            app.aboutToQuit.connect(self.agent.stop)
        self.confirm = lambda dialog: dialog.exec() == QDialog.DialogCode.Accepted
        self.ask_passphrase = self._ask_passphrase

        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)

        top = QHBoxLayout()
        top.addWidget(self._build_vault_box(), 1)
        top.addWidget(self._build_agent_box(), 1)
        layout.addLayout(top)
        layout.addWidget(self._build_table(), 1)
        layout.addLayout(self._build_actions())
        layout.addWidget(self.reason_label)
        layout.addWidget(self._build_wrapped())
        self.addActions([self.secure_action, self.unsecure_action])

        self._show_agent()
        self.refresh()

    # ---- construction ------------------------------------------------------------------------
    def _build_vault_box(self) -> QGroupBox:
        vault_box = QGroupBox("Vault", self)
        vbox = QVBoxLayout(vault_box)
        self.vault_label = QLabel("reading the vault state…", vault_box)
        self.vault_label.setAccessibleName("Vault backend and state")
        self.vault_label.setWordWrap(True)
        self.vault_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        vbox.addWidget(self.vault_label)
        row = QHBoxLayout()
        self.unlock_button = QPushButton("Unlock vault…", vault_box)
        self.unlock_button.setAccessibleName("Unlock the encrypted vault")
        self.unlock_button.clicked.connect(lambda: self.unlock_vault())
        self.unlock_button.setEnabled(False)
        row.addWidget(self.unlock_button)
        row.addStretch(1)
        vbox.addLayout(row)
        return vault_box

    def _build_agent_box(self) -> QGroupBox:
        agent_box = QGroupBox("Agent", self)
        abox = QVBoxLayout(agent_box)
        self.agent_label = QLabel(agent_box)
        self.agent_label.setAccessibleName("Agent state")
        self.agent_label.setWordWrap(True)
        abox.addWidget(self.agent_label)
        arow = QHBoxLayout()
        self.serve_button = QPushButton("Serve kubectl from this window", agent_box)
        self.serve_button.setCheckable(True)
        self.serve_button.setAccessibleName("Serve kubectl from this window")
        self.serve_button.toggled.connect(self._serve_toggled)
        arow.addWidget(self.serve_button)
        self.lock_button = QPushButton("Lock (forget secrets)", agent_box)
        self.lock_button.setAccessibleName("Lock: forget every secret")
        self.lock_button.clicked.connect(self.lock)
        arow.addWidget(self.lock_button)
        arow.addWidget(QLabel("forget after", agent_box))
        self.timeout = QSpinBox(agent_box)
        self.timeout.setRange(1, 24 * 60)
        self.timeout.setSuffix(" min")
        self.timeout.setAccessibleName("Forget secrets after (minutes)")
        self.timeout.setValue(int(self.state.settings.value("credentials/agent_timeout_min", 60)))
        self.timeout.valueChanged.connect(
            lambda v: self.state.settings.setValue("credentials/agent_timeout_min", v))
        arow.addWidget(self.timeout)
        arow.addStretch(1)
        abox.addLayout(arow)
        return agent_box

    def _build_table(self) -> QTableView:
        self.model = CredentialsTableModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAccessibleName("Users and where their secrets live")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.columns = ColumnFitter(self.table, important=0, keep=(3,))  # the status whole
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        return self.table

    def _build_actions(self) -> QHBoxLayout:
        """Move / Restore (actions with shortcuts, and buttons), and the line saying why not."""
        actions = QHBoxLayout()
        self.secure_action = QAction("Move to keyring…", self)
        self.secure_action.setShortcut(QKeySequence("Ctrl+Shift+K"))
        self.secure_action.triggered.connect(self.secure_selected)
        self.unsecure_action = QAction("Restore inline…", self)
        self.unsecure_action.setShortcut(QKeySequence("Ctrl+Shift+I"))
        self.unsecure_action.triggered.connect(self.unsecure_selected)
        self.secure_button = QPushButton(self.secure_action.text(), self)
        self.secure_button.setAccessibleName("Move the selected user's secret to the keyring")
        self.secure_button.clicked.connect(self.secure_action.trigger)
        self.unsecure_button = QPushButton(self.unsecure_action.text(), self)
        self.unsecure_button.setAccessibleName("Restore the selected user's secret inline")
        self.unsecure_button.clicked.connect(self.unsecure_action.trigger)
        self.include_files = QCheckBox("also move key and token files (the files are removed)", self)
        self.include_files.setAccessibleName("Also move key and token files")
        self.reason_label = QLabel(self)
        self.reason_label.setAccessibleName("Why the buttons are disabled")
        self.reason_label.setWordWrap(True)
        self.reason_label.setEnabled(False)  # secondary text colour
        actions.addWidget(self.secure_button)
        actions.addWidget(self.unsecure_button)
        actions.addWidget(self.include_files)
        actions.addStretch(1)
        return actions

    def _build_wrapped(self) -> QGroupBox:
        """Wrapped foreign plugins (aws, gcloud, kubelogin) and what the agent holds for each."""
        box = QGroupBox("Wrapped exec plugins (answered from a cache until shortly before expiry)", self)
        row = QHBoxLayout(box)
        self.wrapped_label = QLabel("no wrapped plugin ('kubewallet secure USER' wraps an exec user)", box)
        self.wrapped_label.setAccessibleName("Wrapped exec plugins and their cached credentials")
        self.wrapped_label.setWordWrap(True)
        row.addWidget(self.wrapped_label, 1)
        self.flush_action = QAction("Flush cached credentials", self)
        self.flush_action.setShortcut(QKeySequence("Ctrl+Shift+F"))
        self.flush_action.triggered.connect(self.flush_wrapped)
        self.flush_button = QPushButton(self.flush_action.text(), box)
        self.flush_button.setAccessibleName("Flush the credentials held for wrapped plugins")
        self.flush_button.clicked.connect(self.flush_action.trigger)
        row.addWidget(self.flush_button)
        self.addAction(self.flush_action)
        return box

    def refresh_wrapped(self) -> None:
        ws = self.state.workspace
        if ws is None:
            return
        from kubewallet.execplugin.wrapping import held

        self.run_task(held, ws, on_done=self._show_wrapped, key="wrapped")

    def _show_wrapped(self, rows: list[tuple[str, str]]) -> None:
        self.wrapped_rows = rows
        if rows:
            self.wrapped_label.setText("<br>".join(f"<b>{user}</b>: {words}" for user, words in rows))
        self.flush_action.setEnabled(bool(rows))
        self.flush_button.setEnabled(bool(rows))

    def flush_wrapped(self) -> None:
        from kubewallet.execplugin.wrapping import flush

        def done(dropped: int) -> None:
            self.banner.show_message(f"Dropped {dropped} cached credential(s): the next kubectl call "
                                     "runs the plugin again.", level="info")
            self.refresh_wrapped()

        self.run_task(lambda: flush(vault=self._vault()), on_done=done, key="flush")

    # ---- the Page hooks --------------------------------------------------------------------
    def page_actions(self) -> list[QAction]:
        return [self.secure_action, self.unsecure_action, self.flush_action]

    def refresh(self) -> None:
        ws = self.state.workspace
        if ws is not None:
            from kubewallet.credentials.inventory import describe

            selected = self.selected_user()
            self.model.set_rows(describe(ws))
            if selected:
                self.select_user(selected)
        self._update_buttons()
        self.refresh_vault()
        self.refresh_wrapped()

    def refresh_vault(self) -> None:
        self.run_task(_vault_status, self._passphrase, on_done=self._show_vault, key="vault-status")

    # ---- vault -----------------------------------------------------------------------------
    def _show_vault(self, st) -> None:
        backend = {"keyring": "OS keyring", "passphrase": "encrypted file, unlocked by a passphrase"}.get(
            st.backend, st.backend)
        detail = st.detail.removeprefix("encrypted file, ")  # the backend words say it already
        state_words = {"unlocked": "unlocked", "locked": "locked", "unavailable": "unavailable",
                       "not initialized": "empty (created on the first secret)"}.get(st.state, st.state)
        lines = [f"<b>{backend}</b> — {detail}", f"State: <b>{state_words}</b>"
                 + (f", {st.count} secret(s)" if st.count is not None else ""),
                 f"File: {st.path}"]
        if st.problem:
            lines.append(f"<i>{st.problem}</i>" + (f"<br>What to do: {st.hint}" if st.hint else ""))
        self.vault_label.setText("<br>".join(lines))
        self.vault_status = st
        target = "encrypted vault" if st.backend == "passphrase" else "keyring"
        self.secure_action.setText(f"Move to {target}…")
        self.secure_button.setText(self.secure_action.text())
        self.secure_button.setAccessibleName(f"Move the selected user's secret to {self._vault_words()}")
        self._update_buttons()
        self.unlock_button.setEnabled(st.backend == "passphrase" and st.state == "locked")

    def _ask_passphrase(self, path: str, error: str | None = None) -> str | None:
        from kubewallet.gui.dialogs.unlock_vault import UnlockVaultDialog

        dialog = UnlockVaultDialog(path, self)
        if error:
            dialog.show_error(error)
        return dialog.value() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def unlock_vault(self, error: str | None = None) -> None:
        path = getattr(getattr(self, "vault_status", None), "path", "")
        passphrase = self.ask_passphrase(path, error)
        if not passphrase:
            return

        def done(value: str) -> None:
            self._passphrase = value
            self.banner.show_message("The vault is unlocked for this window.", level="info")
            if self.agent.running:
                self.agent.unlock(value)
            self.refresh_vault()

        def failed(exc: BaseException) -> None:
            from kubewallet.gui.state import describe_error

            self.unlock_vault(error=describe_error(exc))

        self.run_task(_check_passphrase, passphrase, on_done=done, on_error=failed, key="unlock")

    # ---- agent -----------------------------------------------------------------------------
    def _serve_toggled(self, on: bool) -> None:
        try:
            if on and not self.agent.running:
                self.agent.start(self.timeout.value() * 60.0, self._passphrase)
            elif not on and self.agent.running:
                self.agent.stop()
        except Exception as exc:  # noqa: BLE001 - shown inline (AgentError says what to do)
            self.banner.show_error(exc)
            self.serve_button.blockSignals(True)
            self.serve_button.setChecked(self.agent.running)
            self.serve_button.blockSignals(False)

    def lock(self) -> None:
        self._passphrase = None
        self.agent.lock()
        self.banner.show_message("Secrets forgotten: the agent holds nothing now.", level="info")
        self.refresh_wrapped()
        self._show_agent()
        self.refresh_vault()

    def _show_agent(self) -> None:
        status = self.agent.status()
        if status is None:
            text = ("Not serving. kubectl reads the vault on each call (slower), or start "
                    "'kubewallet agent start' in a terminal.")
        else:
            held = "holding secrets" if status["unlocked"] else "locked (holds nothing)"
            text = (f"Serving kubectl from this window on {status['socket']}: {held}; "
                    f"{status['served']} request(s) served.")
        self.agent_label.setText(text)
        self.lock_button.setEnabled(self.agent.running or self._passphrase is not None)
        self.serve_button.blockSignals(True)
        self.serve_button.setChecked(self.agent.running)
        self.serve_button.blockSignals(False)

    def closeEvent(self, event) -> None:  # noqa: N802
        self.agent.stop()
        super().closeEvent(event)

    # ---- secure / unsecure -------------------------------------------------------------------
    def selected_user(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        row = self.model.row_at(rows[0].row()) if rows else None
        return row.user if row else None

    def select_user(self, user: str) -> None:
        for i, row in enumerate(self.model.rows):
            if row.user == user:
                self.table.selectRow(i)
                return

    def _update_buttons(self) -> None:
        """Enable what applies to the selected user, and say why the rest does not."""
        rows = self.table.selectionModel().selectedRows()
        row = self.model.row_at(rows[0].row()) if rows else None
        self.secure_action.setEnabled(bool(row and row.securable))
        self.unsecure_action.setEnabled(bool(row and row.secured))
        for action, button in ((self.secure_action, self.secure_button),
                               (self.unsecure_action, self.unsecure_button)):
            button.setEnabled(action.isEnabled())
        reason = disabled_reason(row, self._vault_words())
        self.reason_label.setText(reason)
        self.reason_label.setVisible(bool(reason))
        for button in (self.secure_button, self.unsecure_button):
            button.setToolTip("" if button.isEnabled() else reason)

    def _vault_words(self) -> str:
        """The vault in use, in the words the buttons use ("the OS keyring", "the encrypted file")."""
        backend = getattr(getattr(self, "vault_status", None), "backend", "keyring")
        return "the encrypted vault file" if backend == "passphrase" else "the OS keyring"

    def _vault(self):
        from kubewallet.vault import open_vault

        return open_vault(passphrase=self._passphrase)

    def secure_selected(self) -> None:
        self._change("secure")

    def unsecure_selected(self) -> None:
        self._change("unsecure")

    def _change(self, action: str) -> None:
        user = self.selected_user()
        if not user:
            return
        if self.state.is_dirty:
            self.banner.show_message("Save or discard your unsaved kubeconfig edits first: moving a "
                                     "secret writes the file.", level="warning")
            return
        from kubewallet.credentials import secure
        from kubewallet.execplugin import wrapping

        include = self.include_files.isChecked()
        rules = self.state.rules
        if action == "unsecure" and wrapping.split_unsecure(self.state.workspace, [user])[0]:
            action = "unwrap"  # a wrapped foreign plugin: its original exec entry comes back
            work = lambda: wrapping.preview(rules, [user], action="unsecure",  # noqa: E731
                                            vault=self._vault())
        else:
            work = lambda: secure.preview(rules, [user], action, include_files=include,  # noqa: E731
                                          vault=self._vault())
        self.run_task(work, on_done=lambda diffs: self._confirm_change(action, user, include, diffs),
                      key="preview")

    def _confirm_change(self, action: str, user: str, include: bool, diffs: dict[str, str]) -> None:
        from kubewallet.gui.dialogs.credential_diff import CredentialDiffDialog

        if action == "secure":
            dialog = CredentialDiffDialog(
                f"Move {user}'s secret to {self._vault_words()}",
                f"The secret of <b>{user}</b> goes into the vault first; then the kubeconfig is "
                "rewritten so kubectl asks kubewallet for it (an <code>exec</code> entry). If the "
                "file cannot be written, the vault entry is removed again.", diffs,
                self.secure_action.text().rstrip("…"),
                self)
        elif action == "unwrap":
            dialog = CredentialDiffDialog(
                f"Restore {user}'s original exec plugin",
                f"The kubeconfig gets <b>{user}</b>'s original <code>exec</code> entry back, exactly; "
                "then the vault record and any cached credential are removed.", diffs,
                "Restore inline", self)
        else:
            dialog = CredentialDiffDialog(
                f"Restore {user}'s secret inline",
                f"The kubeconfig gets <b>{user}</b>'s secret back inline, as it was; then the vault "
                "entry is removed.", diffs, "Restore inline", self)
        self.last_dialog = dialog
        if not self.confirm(dialog):
            return
        from kubewallet.credentials import secure

        rules = self.state.rules
        if action == "secure":
            work = lambda: secure.secure(rules, [user], include_files=include,  # noqa: E731
                                         vault=self._vault())
        elif action == "unwrap":
            from kubewallet.execplugin import wrapping

            work = lambda: wrapping.unwrap(rules, [user], vault=self._vault())  # noqa: E731
        else:
            work = lambda: secure.unsecure(rules, [user], vault=self._vault())  # noqa: E731
        self.run_task(work, on_done=lambda _r: self._changed(action, user), key="change")

    def _changed(self, action: str, user: str) -> None:
        words = "is now served from the vault" if action == "secure" else "is inline again"
        self.banner.show_message(f"{user}'s secret {words}.", level="info")
        self.state.reload()
