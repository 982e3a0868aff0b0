"""The Who am I page: the identity the API server derives for a context's credential (the
offline `kubectl auth whoami`), the cluster's OIDC claim mapping that shapes it, and the security
lint of the whole kubeconfig with a Fix button where a fix can be applied from here.

Whoami and lint read files and possibly the vault: both run as background tasks.
"""

from __future__ import annotations

import html
import os

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QFormLayout, QGroupBox, QHBoxLayout,
                               QHeaderView, QLabel, QLineEdit, QPushButton, QSplitter, QTableView,
                               QVBoxLayout, QWidget)

from kubewallet.gui.models.lint import FindingsModel
from kubewallet.gui.pages.base import Page
from kubewallet.gui.pages.tokens import identity_html
from kubewallet.inspect.timewords import now_utc


def _token_credential(credential: str) -> bool:
    words = credential.lower()
    return "token" in words or "oidc" in words


def _chmod600(path: str) -> str:
    os.chmod(path, 0o600)
    return path


class IdentityPage(Page):
    title = "Who am I"
    icon = "identity"
    shortcut = "Ctrl+7"
    order = 70
    abstract = False

    def __init__(self, state, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self.vault_reader_factory = None
        self.store_factory = None          # renewal key storage; None: the user's vault
        self.secure_vault_factory = None   # vault for "secure"; None: the user's vault
        self.result = None
        self.last_dialog = None
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)

        top = QHBoxLayout()
        top.addWidget(QLabel("Context"))
        self.context_box = QComboBox(self)
        self.context_box.setAccessibleName("Context to identify")
        self.context_box.activated.connect(lambda _i: self.run_whoami())
        top.addWidget(self.context_box, 1)
        layout.addLayout(top)

        split = QSplitter(Qt.Orientation.Vertical, self)
        upper = QWidget(self)
        upper_layout = QHBoxLayout(upper)
        upper_layout.setContentsMargins(0, 0, 0, 0)
        self.who_label = QLabel(self)
        self.who_label.setAccessibleName("Who am I")
        self.who_label.setWordWrap(True)
        self.who_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.who_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        upper_layout.addWidget(self.who_label, 3)

        self.claims_box = QGroupBox("OIDC claim mapping of the cluster", self)
        form = QFormLayout(self.claims_box)
        self.claim_fields: dict[str, QLineEdit] = {}
        for attr, label, placeholder in (
                ("username_claim", "Username claim", "sub"),
                ("username_prefix", "Username prefix", "default: issuer URL + '#' ('-' for none)"),
                ("groups_claim", "Groups claim", "none"),
                ("groups_prefix", "Groups prefix", ""),
                ("issuer_url", "Issuer URL", "the token's iss"),
                ("client_id", "Client ID", "not checked")):
            field = QLineEdit(self.claims_box)
            field.setPlaceholderText(placeholder)
            field.setAccessibleName(label)
            form.addRow(label, field)
            self.claim_fields[attr] = field
        self.save_claims_button = QPushButton("Save for this cluster", self.claims_box)
        self.save_claims_button.setAccessibleName("Save the OIDC claim mapping for this cluster")
        self.save_claims_button.clicked.connect(self.save_claims)
        form.addRow(self.save_claims_button)
        upper_layout.addWidget(self.claims_box, 2)
        split.addWidget(upper)

        lower = QWidget(self)
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        self.lint_summary = QLabel("Security lint", self)
        self.lint_summary.setAccessibleName("Lint summary")
        head.addWidget(self.lint_summary, 1)
        self.fix_button = QPushButton("Fix", self)
        self.fix_button.setAccessibleName("Apply the fix of the selected finding")
        self.fix_button.clicked.connect(self.fix_selected)
        head.addWidget(self.fix_button)
        lower_layout.addLayout(head)
        self.findings = FindingsModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.findings)
        self.table.setAccessibleName("Lint findings")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(1, 200)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(3, 300)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update_fix())
        lower_layout.addWidget(self.table, 1)
        split.addWidget(lower)
        split.setSizes([330, 330])
        layout.addWidget(split, 1)

        state.current_context_changed.connect(self._current_changed)
        self._update_fix()
        self.refresh()

    # -- who am I

    def refresh(self) -> None:
        ws = self.state.workspace
        if ws is None:
            return
        chosen = self.context_box.currentText() or ws.current_context
        self.context_box.clear()
        self.context_box.addItems(list(ws.contexts))
        if chosen in ws.contexts:
            self.context_box.setCurrentText(chosen)
        self.run_whoami()
        self.run_lint()

    def _current_changed(self, name: str) -> None:
        if name and self.context_box.findText(name) >= 0:
            self.context_box.setCurrentText(name)
            self.run_whoami()

    def _reader(self):
        from kubewallet.inspect.sources import default_vault_reader

        return (self.vault_reader_factory or default_vault_reader)()

    def cluster(self) -> str:
        ws = self.state.workspace
        entry = ws.contexts.get(self.context_box.currentText()) if ws else None
        return str((entry.body or {}).get("cluster") or "") if entry else ""

    def run_whoami(self) -> None:
        ws = self.state.workspace
        name = self.context_box.currentText()
        if ws is None or not name:
            self.who_label.setText("<i>no context</i>")
            return
        from kubewallet.inspect import claimrules
        from kubewallet.inspect.whoami import whoami

        cluster = self.cluster()
        rules = claimrules.rules_for(cluster) if cluster else None
        self._show_rules(rules)
        self.claims_box.setTitle(f"OIDC claim mapping of cluster {cluster or '-'}")
        from kubewallet.inspect.identity import OidcClaimRules

        effective = rules or OidcClaimRules()
        self.run_task(whoami, ws, name, now=now_utc(), rules_for=lambda _c: effective,
                      vault_reader=self._reader(), on_done=self._show_whoami, key="whoami")

    def _show_whoami(self, result) -> None:
        self.result = result
        esc = html.escape
        lines = [f"<h3>{esc(result.identity.username if result.identity and result.identity.username else 'unknown')}</h3>",
                 f"<b>Context</b>: {esc(result.context)} &nbsp; <b>Cluster</b>: {esc(result.cluster or '-')}"
                 f" &nbsp; <b>User entry</b>: {esc(result.user or '-')}",
                 f"<b>Credential</b>: {esc(result.credential)}"]
        who = result.identity
        if who is not None and who.impersonated_by is not None:
            lines.append("<b>Impersonating</b> (the real identity below needs permission):")
        lines.append(identity_html(who))
        if who is not None and who.impersonated_by is not None:
            lines.append("<b>Real identity</b>:<br>" + identity_html(who.impersonated_by))
        lines += [f"<span style='color:#d63031'>✖ {esc(p)}</span>" for p in result.problems]
        self.who_label.setText("<br>".join(lines))
        # the claim mapping shapes only identities read from a token (an OIDC id_token); a
        # certificate's CN and O are read as they are
        self.claims_box.setVisible(_token_credential(result.credential))

    # -- claim settings

    def _rules(self):
        from kubewallet.inspect.identity import OidcClaimRules

        values = {attr: field.text().strip() for attr, field in self.claim_fields.items()}
        prefix = values.pop("username_prefix")
        return OidcClaimRules(username_claim=values["username_claim"] or "sub",
                              username_prefix=prefix or None, groups_claim=values["groups_claim"],
                              groups_prefix=values["groups_prefix"], issuer_url=values["issuer_url"],
                              client_id=values["client_id"])

    def _show_rules(self, rules) -> None:
        from kubewallet.inspect.identity import OidcClaimRules

        rules = rules or OidcClaimRules()
        for attr, field in self.claim_fields.items():
            value = getattr(rules, attr)
            field.setText("" if value is None or (attr == "username_claim" and value == "sub") else value)

    def save_claims(self) -> None:
        cluster = self.cluster()
        if not cluster:
            return
        from kubewallet.inspect import claimrules

        path = claimrules.save(cluster, self._rules())
        self.banner.show_message(f"claim mapping of {cluster} saved in {path}", level="info")
        self.run_whoami()

    # -- lint

    def run_lint(self) -> None:
        ws = self.state.workspace
        if ws is None:
            return
        from kubewallet.inspect import lint

        self.run_task(lint.lint, ws, now=now_utc(), vault_reader=self._reader(),
                      on_done=self._show_lint, key="lint")

    def _show_lint(self, findings) -> None:
        self.findings.set_findings(findings)
        counts = {s: sum(1 for f in findings if f.severity == s) for s in ("error", "warning", "info")}
        self.lint_summary.setText(f"Security lint: {counts['error']} errors, {counts['warning']} warnings"
                                  if findings else "Security lint: no findings")
        self.table.resizeRowsToContents()
        self._update_fix()

    def selected_finding(self):
        row = self.table.currentIndex().row()
        return self.findings.findings[row] if 0 <= row < len(self.findings.findings) else None

    def _update_fix(self) -> None:
        finding = self.selected_finding()
        action = finding.fix_action if finding else None
        self.fix_button.setEnabled(action is not None)
        labels = {"chmod600": "Fix: chmod 600", "secure": "Fix: move to the vault", "renew": "Fix: renew…"}
        self.fix_button.setText(labels.get(action[0], "Fix") if action else "Fix")
        self.fix_button.setToolTip(finding.fix if finding and finding.fix else "")

    def fix_selected(self) -> None:
        finding = self.selected_finding()
        if finding is None or finding.fix_action is None:
            return
        kind, target = finding.fix_action
        if kind == "chmod600":
            self.run_task(_chmod600, target, on_done=lambda p: self._fixed(f"{p} is now mode 0600"), key="fix")
        elif kind == "secure":
            from kubewallet.execplugin.secure import secure

            vault = self.secure_vault_factory() if self.secure_vault_factory else None
            self.run_task(secure, self.state.rules, [target], vault=vault,
                          on_done=lambda _r: self._fixed(f"users/{target}: secrets moved to the vault",
                                                         reload=True), key="fix")
        elif kind == "renew":
            from kubewallet.inspect import renewal

            store = (self.store_factory or renewal.vault_store)
            self.run_task(lambda: renewal.start_renewal(self.state.workspace, target, store=store()),
                          on_done=self._renewed, key="fix")

    def _renewed(self, request) -> None:
        from kubewallet.gui.pages.certificates import ManifestDialog

        self.last_dialog = ManifestDialog(request, self)
        self.last_dialog.show()

    def _fixed(self, text: str, reload: bool = False) -> None:
        self.banner.show_message(text, level="info")
        if reload:
            self.state.reload()
        else:
            self.run_lint()
