"""The Access page: "what may I do?" answered offline from RBAC manifests, as the API server would.

Load manifests (files, folders, or dropped onto the page; a large dump loads on a worker thread
with progress), pick an identity (the current context's derived identity, any user/group, any
ServiceAccount named in the manifests), then:
- Ask: verb, resource, subresource, namespace, name -> yes/no with the binding, role and rule
  that decided, or the nearest misses;
- Matrix: resources x verbs for the identity in a namespace (or cluster-wide);
- Who can: every subject the loaded bindings allow to do the question's action;
- Risks: subjects holding dangerous permissions, ranked, each with its path.
All answers come from `kubewallet.rbac` (the same code as `kubewallet can-i`).
"""

from __future__ import annotations

import os
from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QFileDialog, QFormLayout,
                               QGroupBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPlainTextEdit,
                               QProgressBar, QPushButton, QTableView, QTabWidget, QVBoxLayout, QWidget)

from kubewallet.errors import RbacError
from kubewallet.gui.models.access import MatrixModel, RisksModel, WhoCanModel, verdict_colours
from kubewallet.gui.pages.base import Page
from kubewallet.rbac.impersonation import impersonate
from kubewallet.rbac.model import GROUP, SERVICE_ACCOUNT, Identity, Request, Subject
from kubewallet.rbac.question import parse_question

VERBS = ("get", "list", "watch", "create", "update", "patch", "delete", "deletecollection",
         "impersonate", "bind", "escalate", "approve", "use", "*")
CLUSTER_WIDE = "(cluster-wide)"
CURRENT = "current"
CUSTOM = "custom"
SUBJECT = "subject"


class AccessPage(Page):
    title = "Access"
    icon = "access"
    shortcut = "Ctrl+8"
    order = 80
    abstract = False

    def __init__(self, state, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self.loaded = None              # kubewallet.rbac.session.LoadedPolicy
        self.paths: list[str] = []
        self.context_identity: Identity | None = None
        self._subjects: dict[str, Subject] = {}
        self.last_decision = None
        self._followed_context: str | None = None  # the context whose namespace the questions use
        self._offered: set[str] = set()             # workspace manifests already loaded once
        self._requested: list[str] | None = None    # the paths of the load under way
        self.setAcceptDrops(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self._manifests_box())
        layout.addWidget(self._identity_box())
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName("Access views")
        self.tabs.addTab(self._ask_tab(), "Ask")
        self.tabs.addTab(self._matrix_tab(), "Matrix")
        self.tabs.addTab(self._who_tab(), "Who can")
        self.tabs.addTab(self._risks_tab(), "Risks")
        self.tabs.currentChanged.connect(lambda _i: self._tab_changed())
        layout.addWidget(self.tabs, 1)
        self._actions = self._make_actions()
        saved = self.state.settings.value("access/paths", [], type=list) if self.state.settings else []
        self.defaults_box.setChecked(bool(self.state.settings.value("access/with_defaults", True, type=bool))
                                     if self.state.settings else True)
        self._fill_identities()
        self._sync_enabled()
        if saved:
            self.load_paths([p for p in saved if os.path.exists(p)], replace=True)

    # --- construction ------------------------------------------------------------------------
    def _manifests_box(self) -> QGroupBox:
        box = QGroupBox("RBAC manifests", self)
        row = QHBoxLayout(box)
        self.summary_label = QLabel("Drop RBAC manifests here, or load files or a folder "
                                    "(kubectl get roles,rolebindings,clusterroles,clusterrolebindings -A -o yaml).", box)
        self.summary_label.setWordWrap(True)
        self.summary_label.setAccessibleName("Loaded manifests")
        row.addWidget(self.summary_label, 1)
        self.progress = QProgressBar(box)
        self.progress.setAccessibleName("Loading progress")
        self.progress.setMaximumWidth(180)
        self.progress.hide()
        row.addWidget(self.progress)
        self.defaults_box = QCheckBox("Default cluster roles", box)
        self.defaults_box.setToolTip("Add the ClusterRoles and bindings every cluster has "
                                     "(cluster-admin, admin, edit, view, system:*), as --with-defaults does")
        self.defaults_box.setAccessibleName("Include the default cluster roles")
        self.defaults_box.toggled.connect(self._defaults_toggled)
        row.addWidget(self.defaults_box)
        for text, name, slot in (("Load files…", "Load manifest files", self.choose_files),
                                 ("Load folder…", "Load a folder of manifests", self.choose_folder),
                                 ("Clear", "Forget the loaded manifests", self.clear)):
            button = QPushButton(text, box)
            button.setAccessibleName(name)
            button.clicked.connect(slot)
            row.addWidget(button)
        return box

    def _identity_box(self) -> QGroupBox:
        box = QGroupBox("Identity", self)
        row = QHBoxLayout(box)
        self.identity_picker = QComboBox(box)
        self.identity_picker.setAccessibleName("Identity to ask for")
        self.identity_picker.setMinimumWidth(280)
        self.identity_picker.currentIndexChanged.connect(lambda _i: self._identity_picked())
        row.addWidget(self.identity_picker, 2)
        row.addWidget(QLabel("User", box))
        self.user_edit = QLineEdit(box)
        self.user_edit.setPlaceholderText("alice, or system:serviceaccount:NS:NAME")
        self.user_edit.setAccessibleName("User name")
        self.user_edit.editingFinished.connect(self._identity_edited)
        row.addWidget(self.user_edit, 2)
        row.addWidget(QLabel("Groups", box))
        self.groups_edit = QLineEdit(box)
        self.groups_edit.setPlaceholderText("comma-separated")
        self.groups_edit.setAccessibleName("Groups")
        self.groups_edit.editingFinished.connect(self._identity_edited)
        row.addWidget(self.groups_edit, 2)
        self.identity_label = QLabel(box)
        self.identity_label.setAccessibleName("Effective identity")
        self.identity_label.setWordWrap(True)
        self.identity_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row.addWidget(self.identity_label, 3)
        return box

    def _namespace_combo(self, parent: QWidget, name: str) -> QComboBox:
        combo = QComboBox(parent)
        combo.setEditable(True)
        combo.setAccessibleName(name)
        combo.addItem(CLUSTER_WIDE)
        return combo

    def _ask_tab(self) -> QWidget:
        tab = QWidget(self)
        outer = QVBoxLayout(tab)
        form = QFormLayout()
        self.verb_box = QComboBox(tab)
        self.verb_box.setEditable(True)
        self.verb_box.addItems(VERBS)
        self.verb_box.setAccessibleName("Verb")
        self.resource_box = QComboBox(tab)
        self.resource_box.setEditable(True)
        self.resource_box.setAccessibleName("Resource type or non-resource URL")
        self.resource_box.setToolTip("pods, deployments.apps, deploy, Deployment, widgets.example.com, or a URL like /healthz")
        self.subresource_edit = QLineEdit(tab)
        self.subresource_edit.setPlaceholderText("log, scale, exec, status …")
        self.subresource_edit.setAccessibleName("Subresource")
        self.namespace_box = self._namespace_combo(tab, "Namespace of the question")
        self.name_edit = QLineEdit(tab)
        self.name_edit.setPlaceholderText("any (no name: list, create, …)")
        self.name_edit.setAccessibleName("Object name")
        for label, widget in (("Verb", self.verb_box), ("Resource", self.resource_box),
                              ("Subresource", self.subresource_edit), ("Namespace", self.namespace_box),
                              ("Name", self.name_edit)):
            form.addRow(label, widget)
        outer.addLayout(form)
        buttons = QHBoxLayout()
        self.ask_button = QPushButton("Ask", tab)
        self.ask_button.setAccessibleName("Ask the question")
        self.ask_button.setDefault(True)
        self.ask_button.clicked.connect(self.ask)
        buttons.addWidget(self.ask_button)
        self.who_button = QPushButton("Who else can?", tab)
        self.who_button.setAccessibleName("Who can do this")
        self.who_button.clicked.connect(self.who_can_from_question)
        buttons.addWidget(self.who_button)
        buttons.addStretch(1)
        outer.addLayout(buttons)
        for edit in (self.subresource_edit, self.name_edit):
            edit.returnPressed.connect(self.ask)
        self.verb_box.lineEdit().returnPressed.connect(self.ask)
        self.resource_box.lineEdit().returnPressed.connect(self.ask)
        self.verdict_label = QLabel("", tab)
        self.verdict_label.setAccessibleName("Verdict")
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.verdict_label.setFont(font)
        self.verdict_label.setAutoFillBackground(True)
        self.verdict_label.setContentsMargins(10, 4, 10, 4)
        self.verdict_label.hide()  # shown with the first answer
        outer.addWidget(self.verdict_label)
        self.explanation = QPlainTextEdit(tab)
        self.explanation.setReadOnly(True)
        self.explanation.setAccessibleName("Explanation")
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.explanation.setFont(mono)
        outer.addWidget(self.explanation, 1)
        return tab

    def _table(self, parent: QWidget, model, name: str) -> QTableView:
        view = QTableView(parent)
        view.setModel(model)
        view.setAccessibleName(name)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.verticalHeader().hide()
        view.setAlternatingRowColors(True)
        view.horizontalHeader().setStretchLastSection(True)
        return view

    def _matrix_tab(self) -> QWidget:
        tab = QWidget(self)
        outer = QVBoxLayout(tab)
        row = QHBoxLayout()
        row.addWidget(QLabel("Namespace", tab))
        self.matrix_namespace = self._namespace_combo(tab, "Namespace of the matrix")
        self.matrix_namespace.currentTextChanged.connect(lambda _t: self.refresh_matrix())
        row.addWidget(self.matrix_namespace, 1)
        self.matrix_only_allowed = QCheckBox("Only rows with something allowed", tab)
        self.matrix_only_allowed.setAccessibleName("Only rows with something allowed")
        self.matrix_only_allowed.toggled.connect(lambda _c: self.refresh_matrix())
        row.addWidget(self.matrix_only_allowed)
        outer.addLayout(row)
        self.matrix_model = MatrixModel(self)
        self.matrix_view = self._table(tab, self.matrix_model, "Access matrix")
        self.matrix_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.matrix_view.horizontalHeader().setStretchLastSection(False)
        self.matrix_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        outer.addWidget(self.matrix_view, 1)
        return tab

    def _who_tab(self) -> QWidget:
        tab = QWidget(self)
        outer = QVBoxLayout(tab)
        self.who_label = QLabel("Ask a question on the Ask tab, then press “Who else can?”", tab)
        self.who_label.setAccessibleName("Who-can question")
        self.who_label.setWordWrap(True)
        outer.addWidget(self.who_label)
        self.who_model = WhoCanModel(self)
        self.who_view = self._table(tab, self.who_model, "Subjects allowed")
        outer.addWidget(self.who_view, 1)
        return tab

    def _risks_tab(self) -> QWidget:
        tab = QWidget(self)
        outer = QVBoxLayout(tab)
        row = QHBoxLayout()
        row.addWidget(QLabel("At least", tab))
        self.severity_box = QComboBox(tab)
        self.severity_box.addItems(["low", "medium", "high", "critical"])
        self.severity_box.setCurrentText("medium")
        self.severity_box.setAccessibleName("Minimum severity")
        self.severity_box.currentTextChanged.connect(lambda _t: self.refresh_risks())
        row.addWidget(self.severity_box)
        row.addStretch(1)
        outer.addLayout(row)
        self.risks_model = RisksModel(self)
        self.risks_view = self._table(tab, self.risks_model, "Risky permissions")
        self.risks_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        outer.addWidget(self.risks_view, 1)
        return tab

    def _make_actions(self) -> list[QAction]:
        out = []
        for text, keys, slot in (("Load RBAC manifests…", "Ctrl+Shift+O", self.choose_files),
                                 ("Ask", "Ctrl+Return", self.ask),
                                 ("Who else can?", "Ctrl+Shift+W", self.who_can_from_question)):
            action = QAction(text, self)
            action.setShortcut(QKeySequence(keys))
            action.triggered.connect(slot)
            self.addAction(action)
            out.append(action)
        return out

    def page_actions(self) -> list[QAction]:
        return self._actions

    # --- manifests ----------------------------------------------------------------------------
    def choose_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, "Load RBAC manifests", "",
                                                "Manifests (*.yaml *.yml *.json);;All files (*)")
        if files:
            self.load_paths(files)

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Load a folder of RBAC manifests")
        if folder:
            self.load_paths([folder])

    def clear(self) -> None:
        self.paths = []
        self._remember()
        self.load_paths([], replace=True)

    def _defaults_toggled(self, _checked: bool) -> None:
        if self.state.settings is not None:
            self.state.settings.setValue("access/with_defaults", self.defaults_box.isChecked())
        self.load_paths([], replace=False)

    def load_paths(self, paths: list[str], *, replace: bool = False) -> None:
        """Load (add to) the manifests on a worker thread; the answers refresh when it is done."""
        # a load asked for while another runs adds to that one's paths, not to the last result
        base = self._requested if self._requested is not None else self.paths
        wanted = list(paths) if replace else base + [p for p in paths if p not in base]
        self._requested = wanted
        self.progress.setRange(0, 0)
        self.progress.show()
        self.banner.clear()
        self.run_task(_load_with_report, wanted, self.defaults_box.isChecked(), key="load", report=True,
                      on_done=self._loaded, on_error=self._load_failed, on_progress=self._progress)

    def _progress(self, done: int, total: int, text: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.progress.setFormat(text)

    def _load_failed(self, exc: BaseException) -> None:
        self._requested = None
        self.progress.hide()
        self.banner.show_error(exc)

    def _loaded(self, loaded) -> None:
        self._requested = None
        self.progress.hide()
        self.loaded = loaded
        self.paths = list(loaded.paths)
        self._remember()
        self.summary_label.setText(loaded.summary())
        self.summary_label.setToolTip("\n".join(loaded.report.files))
        current_resource = self.resource_box.currentText()
        self.resource_box.clear()
        self.resource_box.addItems(loaded.resource_names() + ["/healthz", "/version", "/metrics", "/apis"])
        self.resource_box.setCurrentText(current_resource or "pods")
        for combo in (self.namespace_box, self.matrix_namespace):
            text = combo.currentText()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(CLUSTER_WIDE)
            combo.addItems(loaded.namespaces())
            combo.setCurrentText(text or CLUSTER_WIDE)
            combo.blockSignals(False)
        self._fill_identities()
        self._sync_enabled()
        self._answer_all()
        self.refresh_risks()

    def _remember(self) -> None:
        if self.state.settings is not None:
            self.state.settings.setValue("access/paths", self.paths)

    def dragEnterEvent(self, event) -> None:  # noqa: N802 (Qt)
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 (Qt)
        files = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if files:
            event.acceptProposedAction()
            self.load_paths(files)

    # --- following the kubeconfig ---------------------------------------------------------------
    def _follow_context(self) -> None:
        """A new current context: its namespace becomes the questions' namespace (as `kubectl auth
        can-i` asks in the context's namespace, "default" when none is set), and the answers given
        for the previous identity are cleared until they are recomputed for the new one."""
        ws = self.state.workspace
        current = self.state.current_context
        if ws is None or current == self._followed_context:
            return
        self._followed_context = current
        entry = ws.contexts.get(current)
        namespace = str((entry.body or {}).get("namespace") or "default") if entry is not None else ""
        for combo in (self.namespace_box, self.matrix_namespace):
            combo.blockSignals(True)
            combo.setCurrentText(namespace or CLUSTER_WIDE)
            combo.blockSignals(False)
        self._clear_answers()

    def _clear_answers(self) -> None:
        self.verdict_label.setText("")
        self.verdict_label.hide()
        self.verdict_label.setPalette(self.palette())
        self.explanation.clear()
        self.matrix_model.set_matrix(None)

    def _load_workspace_manifests(self) -> None:
        """Load the manifests that come with the kubeconfig in use (`KUBEWALLET_RBAC`, which the
        demo sets), once, next to those the person loaded."""
        from kubewallet.rbac.session import workspace_policy_paths

        wanted = [p for p in workspace_policy_paths() if p not in self.paths and p not in self._offered]
        if wanted:
            self._offered.update(wanted)
            self.load_paths(wanted)

    # --- identity -----------------------------------------------------------------------------
    def refresh(self) -> None:
        """The kubeconfig changed: follow its current context, derive that context's identity
        again, and load the manifests that come with it."""
        self._follow_context()
        self._load_workspace_manifests()
        self.context_identity = None
        ws = self.state.workspace
        if ws is not None and ws.current_context:
            from kubewallet.rbac.kubeidentity import identity_from_workspace

            self.run_task(identity_from_workspace, ws, None, key="whoami", on_done=self._context_identity,
                          on_error=lambda exc: self._context_identity(None, exc))
        else:
            self._fill_identities()

    def activated(self) -> None:
        if self.context_identity is None and self.state.workspace is not None:
            self.refresh()

    def _context_identity(self, identity: Identity | None, exc: BaseException | None = None) -> None:
        self.context_identity = identity
        self.context_error = exc
        self._fill_identities()
        self._answer_all()

    def _fill_identities(self) -> None:
        picker = self.identity_picker
        previous = picker.currentData()
        picker.blockSignals(True)
        picker.clear()
        ctx = self.state.current_context if self.state.workspace is not None else ""
        self._subjects: dict[str, Subject] = {}
        if self.context_identity is not None:
            picker.addItem(f"Current context ({ctx}): {self.context_identity.user}", CURRENT)
        elif ctx:
            picker.addItem(f"Current context ({ctx}): identity not known offline", CURRENT)
        picker.addItem("Any user and groups (type them)", CUSTOM)
        if self.loaded is not None:
            for s in self.loaded.subjects():
                label = {SERVICE_ACCOUNT: f"ServiceAccount {s.namespace}/{s.name}",
                         GROUP: f"Group {s.name}"}.get(s.kind, f"User {s.name}")
                key = _subject_key(s)
                self._subjects[key] = s
                picker.addItem(label, key)
        index = picker.findData(previous) if previous is not None else -1
        picker.setCurrentIndex(index if index >= 0 else 0)
        picker.blockSignals(False)
        self._identity_picked(answer=False)

    def _identity_picked(self, answer: bool = True) -> None:
        editable = (self.identity_picker.currentData() or CUSTOM) == CUSTOM
        self.user_edit.setReadOnly(not editable)
        self.groups_edit.setReadOnly(not editable)
        ident = self.identity()
        if not editable:
            self.user_edit.setText(ident.user if ident else "")
            self.groups_edit.setText(", ".join(g for g in (ident.groups if ident else ())
                                               if not g.startswith("system:authenticated")))
        self._show_identity(ident)
        if answer:
            self._answer_all()

    def _identity_edited(self) -> None:
        if (self.identity_picker.currentData() or CUSTOM) == CUSTOM:
            self._show_identity(self.identity())
            self._answer_all()

    def _show_identity(self, ident: Identity | None) -> None:
        self.identity_label.setText(ident.describe() if ident else "no identity: type a user name")

    def identity(self) -> Identity | None:
        """The identity the questions are asked for, with the groups the API server adds."""
        from kubewallet.rbac.authorizer import identity_for_subject

        key = self.identity_picker.currentData() or CUSTOM
        if key == CURRENT:
            return self.context_identity
        if key in self._subjects:
            return identity_for_subject(self._subjects[key])
        user = self.user_edit.text().strip()
        groups = [g.strip() for g in self.groups_edit.text().split(",") if g.strip()]
        return impersonate(user, groups) if user else None

    def select_subject(self, kind: str, name: str, namespace: str = "") -> None:
        index = self.identity_picker.findData(_subject_key(Subject(kind, name, namespace)))
        if index < 0:
            raise KeyError(f"{kind} {namespace}/{name}")
        self.identity_picker.setCurrentIndex(index)

    # --- answers ------------------------------------------------------------------------------
    def _sync_enabled(self) -> None:
        ready = self.loaded is not None
        for w in (self.ask_button, self.who_button):
            w.setEnabled(ready)

    def _tab_changed(self) -> None:
        if self.tabs.currentIndex() == 1:
            self.refresh_matrix()

    def _answer_all(self) -> None:
        if self.loaded is None:
            return
        if self.last_decision is not None:
            self.ask()
        self.refresh_matrix()

    def question(self) -> tuple[Request, str]:
        """The question as `kubewallet can-i` reads the same words (RbacError: refused, as there)."""
        ns = self.namespace_box.currentText().strip()
        asked = parse_question(self.verb_box.currentText().strip(), self.resource_box.currentText().strip(),
                               self.subresource_edit.text().strip(), "" if ns in ("", CLUSTER_WIDE) else ns,
                               self.name_edit.text().strip())
        return asked.request, "\n".join(asked.warnings)

    def ask(self) -> None:
        from kubewallet.rbac.explain import explain

        if self.loaded is None:
            self.banner.show_message("Load RBAC manifests first (or tick “Default cluster roles”).")
            return
        ident = self.identity()
        if ident is None:
            self.banner.show_message("Pick an identity or type a user name.")
            return
        try:
            req, warning = self.question()
        except RbacError as exc:
            self.banner.show_error(exc)
            return
        if not req.verb or not (req.resource or req.path):
            self.banner.show_message("A question needs a verb and a resource (or a URL starting with /).")
            return
        self.banner.clear()
        ex = explain(self.loaded.authorizer, ident, req)
        self.last_decision = ex.decision
        yes, no = verdict_colours()
        palette = self.verdict_label.palette()
        palette.setColor(self.verdict_label.backgroundRole(), yes if ex.decision.allowed else no)
        self.verdict_label.setPalette(palette)
        reason = ex.decision.reason if not ex.decision.allowed and ex.decision.reason else ""
        self.verdict_label.show()
        self.verdict_label.setText(("✔  yes" if ex.decision.allowed else "✖  no") + (f" — {reason}" if reason else ""))
        text = ex.text()
        if warning:
            text = f"note: {warning}\n{text}"
        self.explanation.setPlainText(text)

    def who_can_from_question(self) -> None:
        if self.loaded is None:
            return
        try:
            req, _ = self.question()
        except RbacError as exc:
            self.banner.show_error(exc)
            return
        grants = self.loaded.authorizer.who_can(req)
        self.who_label.setText(f"Who may {req.describe()}: Group system:masters always, and these "
                               f"{len(grants)} grant(s) from the loaded bindings.")
        self.who_model.set_items(grants)
        self.who_view.resizeColumnsToContents()
        self.tabs.setCurrentIndex(2)

    def refresh_matrix(self) -> None:
        from kubewallet.rbac.matrix import access_matrix

        ident = self.identity()
        if self.loaded is None or ident is None:
            self.matrix_model.set_matrix(None)
            return
        ns = self.matrix_namespace.currentText().strip()
        matrix = access_matrix(self.loaded.authorizer, ident, "" if ns in ("", CLUSTER_WIDE) else ns)
        if self.matrix_only_allowed.isChecked():
            matrix = replace(matrix, rows=tuple(r for r in matrix.rows if any(r.cells)))
        self.matrix_model.set_matrix(matrix)

    def refresh_risks(self) -> None:
        from kubewallet.rbac.risks import find_risks

        if self.loaded is None:
            self.risks_model.set_items([])
            return
        self.run_task(find_risks, self.loaded.authorizer, min_severity=self.severity_box.currentText(),
                      key="risks", on_done=self._risks_ready)

    def _risks_ready(self, risks) -> None:
        self.risks_model.set_items(risks)
        self.risks_view.resizeColumnsToContents()
        self.tabs.setTabText(3, f"Risks ({len(risks)})")


def _subject_key(s: Subject) -> str:
    return f"{SUBJECT}:{s.kind}:{s.namespace}:{s.name}"


def _load_with_report(paths: list[str], with_defaults: bool, *, report):
    """Worker side of a load: the core's loader, with its progress forwarded to the page."""
    from kubewallet.rbac.session import load_policy

    return load_policy(paths, with_defaults, progress=report)
