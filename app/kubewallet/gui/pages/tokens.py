"""The Tokens page: paste a token (masked) or pick one from the kubeconfig, and see its header
and claims as a tree, the identity the API server derives from it, a live countdown to expiry,
and, on request, a signature check against a JWKS or public key.

Decoding is pure computation on a few hundred bytes, so it runs on the GUI thread; reading a
token file or the vault, and fetching a JWKS, run as background tasks.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QSplitter, QTreeView, QVBoxLayout, QWidget)
from PySide6.QtCore import Qt

from kubewallet.errors import InspectError
from kubewallet.gui.models.tokens import claims_model
from kubewallet.gui.pages.base import Page
from kubewallet.gui.widgets.secret import SecretField
from kubewallet.inspect.timewords import countdown, now_utc


def identity_html(who) -> str:
    """The derived identity as a small HTML block (shared with the Who am I page)."""
    if who is None:
        return "<i>not knowable offline</i>"
    esc = html.escape
    lines = [f"<b>User</b>: {esc(who.username or '(unknown offline)')}"]
    if who.uid:
        lines.append(f"<b>UID</b>: {esc(who.uid)}")
    lines.append(f"<b>Groups</b>: {esc(', '.join(who.groups) or '-')}")
    for key, values in who.extra:
        lines.append(f"<b>Extra</b> {esc(key)} = {esc(', '.join(values))}")
    if who.origins:
        lines.append("<b>Where each part comes from</b>:<ul>" + "".join(
            f"<li>{esc(o.part)} <code>{esc(o.value)}</code>: {esc(o.source)}</li>" for o in who.origins)
            + "</ul>")
    if who.rejected:
        lines.append(f"<span style='color:#d63031'><b>Rejected</b>: {esc(who.rejected)}</span>")
    lines += [f"<span style='color:#e67e22'>⚠ {esc(w)}</span>" for w in who.warnings]
    lines += [f"<i>{esc(n)}</i>" for n in who.notes]
    return "<br>".join(lines)


EMPTY_TEXT = ("Pick a token of the kubeconfig above, open a file, or paste one (it stays masked): "
              "its header and claims show here, with the time left and the identity the API server "
              "derives from it.")


class TokensPage(Page):
    title = "Tokens"
    icon = "tokens"
    shortcut = "Ctrl+6"
    order = 60
    abstract = False

    def __init__(self, state, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self.vault_reader_factory = None
        self.decoded = None
        self.identity = None
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)

        form = QFormLayout()
        self.picker = QComboBox(self)
        self.picker.setAccessibleName("Pick a token from the kubeconfig")
        self.picker.activated.connect(self._picked)
        pick_row = QHBoxLayout()
        pick_row.addWidget(self.picker, 1)
        self.open_button = QPushButton("Open file…", self)
        self.open_button.setAccessibleName("Read a token from a file")
        self.open_button.clicked.connect(self._open_clicked)
        pick_row.addWidget(self.open_button)
        form.addRow("Pick a token", pick_row)
        self.token_field = SecretField("token", self)
        self.token_field.edit.setPlaceholderText("paste a JWT (it stays masked unless you reveal it)")
        self.token_field.edit.textChanged.connect(self.decode_text)
        form.addRow("Token", self.token_field)
        verify_row = QHBoxLayout()
        self.verify_source = QLineEdit(self)
        self.verify_source.setPlaceholderText("JWKS URL, JWKS file, or PEM public key file")
        self.verify_source.setAccessibleName("Where to find the signing key")
        self.verify_button = QPushButton("Verify signature", self)
        self.verify_button.setAccessibleName("Verify the token's signature")
        self.verify_button.clicked.connect(self.verify)
        verify_row.addWidget(self.verify_source, 1)
        verify_row.addWidget(self.verify_button)
        form.addRow("Signature", verify_row)
        layout.addLayout(form)

        status = QHBoxLayout()
        self.signature_label = QLabel("unverified", self)
        self.signature_label.setAccessibleName("Signature state")
        self.countdown_label = QLabel("", self)
        self.countdown_label.setAccessibleName("Time until the token expires")
        font = self.countdown_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.countdown_label.setFont(font)
        status.addWidget(self.countdown_label, 1)
        status.addWidget(self.signature_label)
        layout.addLayout(status)

        split = QSplitter(Qt.Orientation.Horizontal, self)
        self.tree = QTreeView(self)
        self.tree.setAccessibleName("Decoded header and claims")
        self.tree.setAlternatingRowColors(True)
        self.identity_label = QLabel(self)
        self.identity_label.setAccessibleName("Derived identity")
        self.identity_label.setWordWrap(True)
        self.identity_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.identity_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        split.addWidget(self.tree)
        split.addWidget(self.identity_label)
        split.setSizes([620, 420])
        self.split = split
        self.empty_label = QLabel(EMPTY_TEXT, self)
        self.empty_label.setAccessibleName("No token yet")
        self.empty_label.setWordWrap(True)
        self.empty_label.setEnabled(False)  # secondary text colour
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.empty_label)
        layout.addWidget(split, 1)
        split.hide()  # until there is a token: an empty tree is a large blank box

        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self._tick)
        self._clear_action = QAction("Clear token", self)
        self._clear_action.setShortcut(QKeySequence("Ctrl+Shift+X"))
        self._clear_action.triggered.connect(lambda: self.token_field.setText(""))
        self.refresh()

    def page_actions(self) -> list[QAction]:
        return [self._clear_action]

    # -- sources

    def refresh(self) -> None:
        ws = self.state.workspace
        self.picker.clear()
        self.picker.addItem("(paste a token)", None)
        if ws is None:
            return
        from kubewallet.inspect.sources import token_users

        for user, what in token_users(ws):
            self.picker.addItem(f"users/{user} ({what})", user)
        self.run_task(self._cache_entries, on_done=self._add_cache_entries, key="oidc-cache")

    @staticmethod
    def _cache_entries():
        from kubewallet.inspect.sources import oidc_cache_entries

        return oidc_cache_entries()

    def _add_cache_entries(self, entries) -> None:
        for key, issuer, client_id in entries:
            self.picker.addItem(f"oidc-login cache: {issuer or key} ({client_id or '-'})", ("oidc", key))

    def _picked(self, index: int) -> None:
        data = self.picker.itemData(index)
        if data is None or self.state.workspace is None:
            return
        if isinstance(data, tuple):
            from kubewallet.inspect.sources import oidc_cache_token

            self.run_task(oidc_cache_token, data[1], on_done=lambda r: self._set_token(*r), key="token")
            return
        self.pick_user(data)

    def _open_clicked(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getOpenFileName(self, "A file holding a token", "",
                                              "Tokens (*.jwt *.token *.txt);;All files (*)")
        if path:
            self.open_file(path)

    def open_file(self, path: str) -> None:
        from kubewallet.inspect.sources import token_file

        self.run_task(token_file, path, on_done=lambda r: self._set_token(*r), key="token")

    def pick_user(self, user: str) -> None:
        from kubewallet.inspect.sources import default_vault_reader, user_token

        index = self.picker.findData(user)
        if index >= 0:
            self.picker.setCurrentIndex(index)
        reader = (self.vault_reader_factory or default_vault_reader)()
        self.run_task(user_token, self.state.workspace, user, reader,
                      on_done=lambda result: self._set_token(*result), key="token")

    def _set_token(self, text: str, source: str) -> None:
        self._source = source
        self.token_field.hide_secret()
        self.token_field.setText(text)

    # -- decoding

    def _show_decoded(self, shown: bool) -> None:
        self.split.setVisible(shown)
        self.empty_label.setVisible(not shown)

    def decode_text(self, text: str) -> None:
        from kubewallet.inspect import claimrules, identity, tokens

        source = getattr(self, "_source", "the pasted token")
        self._source = "the pasted token"
        self.signature_label.setText("unverified (signature not checked)")
        if not text.strip():
            self.decoded = self.identity = None
            self.tree.setModel(None)
            self._show_decoded(False)
            self.identity_label.clear()
            self.countdown_label.clear()
            self.timer.stop()
            self.banner.clear()
            return
        now = now_utc()
        try:
            decoded = tokens.decode(text)
            cluster = self._cluster_for(source)
            rules = claimrules.rules_for(cluster) if cluster else None
            who = identity.from_decoded(decoded, source, now=now, rules=rules)
        except InspectError as exc:
            self.decoded = self.identity = None
            self.tree.setModel(None)
            self._show_decoded(False)
            self.identity_label.clear()
            self.countdown_label.clear()
            self.timer.stop()
            self.banner.show_error(exc)
            return
        self.banner.clear()
        self.decoded, self.identity = decoded, who
        self._show_decoded(True)
        self.tree.setModel(claims_model(decoded, now, self.tree))
        self.tree.expandAll()
        self.tree.resizeColumnToContents(0)
        self.tree.resizeColumnToContents(1)
        self.tree.resizeColumnToContents(2)
        kind = {"serviceaccount": "bound ServiceAccount token", "serviceaccount-legacy":
                "legacy ServiceAccount token", "oidc": "OIDC token"}.get(who.kind, who.kind)
        problems = "".join(f"<br><span style='color:#e67e22'>⚠ {html.escape(p)}</span>"
                           for p in decoded.problems)
        self.identity_label.setText(f"<h3>{html.escape(kind)}</h3>{identity_html(who)}{problems}")
        self._tick()
        self.timer.start()

    def _cluster_for(self, source: str) -> str:
        """The cluster whose OIDC claim settings apply: that of the first context using the user."""
        ws = self.state.workspace
        if ws is None or not source.startswith("users/"):
            return ""
        user = source.split()[0].split("/", 1)[1]
        for entry in ws.contexts.values():
            if (entry.body or {}).get("user") == user:
                return str(entry.body.get("cluster") or "")
        return ""

    def _tick(self) -> None:
        if self.decoded is None:
            return
        now = now_utc()
        text = countdown(self.decoded.expires_at, now)
        if self.decoded.expires_at is None:
            text = "never expires"
        self.countdown_label.setText(text)
        colour = "#d63031" if self.decoded.expired(now) else ""
        self.countdown_label.setStyleSheet(f"color: {colour}" if colour else "")

    # -- signature

    def verify(self) -> None:
        if self.decoded is None or not self.verify_source.text().strip():
            return
        from kubewallet.inspect import tokens

        self.signature_label.setText("checking…")
        self.run_task(tokens.verify, self.decoded, self.verify_source.text().strip(),
                      on_done=lambda v: self.signature_label.setText(v.label), key="verify")
