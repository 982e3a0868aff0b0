"""The context editor: cluster, user and namespace pickers that only offer what exists.

A context naming a cluster or user that does not exist (kubectl reports it only when the
context is used: `cluster "x" not found`) keeps that name in its picker, marked missing, with
the problem written under it.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QPushButton, QSizePolicy, QWidget

from kubewallet.gui.editors.base import EntryEditor, set_or_drop
from kubewallet.gui.state import AppState
from kubewallet.gui.widgets.banner import FieldError

MISSING = " (missing)"


class ContextEditor(EntryEditor):
    kind = "contexts"

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        self.cluster = QComboBox()
        self.cluster.setAccessibleName("Cluster")
        self.cluster_error = FieldError()
        self.user = QComboBox()
        self.user.setAccessibleName("User")
        self.user_error = FieldError()
        self.namespace = QComboBox()
        self.namespace.setEditable(True)
        self.namespace.setAccessibleName("Namespace")
        self.namespace.lineEdit().setPlaceholderText("default")
        for box in (self.cluster, self.user, self.namespace):
            box.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.use_button = QPushButton("Make current")
        self.use_button.setAccessibleName("Make this the current context")
        self.use_button.setToolTip("Write current-context now, as kubectl config use-context (Enter)")
        super().__init__(state, parent)
        self.form.addRow("&Cluster", self.cluster)
        self.form.addRow("", self.cluster_error)
        self.form.addRow("&User", self.user)
        self.form.addRow("", self.user_error)
        self.form.addRow("&Namespace", self.namespace)
        self.form.addRow("", self.use_button)
        self.cluster.activated.connect(self.commit)
        self.user.activated.connect(self.commit)
        self.namespace.activated.connect(self.commit)
        self.namespace.lineEdit().editingFinished.connect(self.commit)
        self.use_button.clicked.connect(lambda: self.name and self.state.use_context(self.name))
        self.refresh()

    @staticmethod
    def _fill_picker(box: QComboBox, names: list[str], value: str, allow_empty: bool) -> bool:
        """Offer the existing names; keep a dangling value visible, marked. True if dangling."""
        box.clear()
        if allow_empty:
            box.addItem("(none)", "")
        for name in names:
            box.addItem(name, name)
        dangling = bool(value) and value not in names
        if dangling:
            box.addItem(value + MISSING, value)
        box.setCurrentIndex(max(box.findData(value), 0))
        return dangling

    def fill(self, body: dict) -> None:
        ws = self.state.workspace
        cluster = str(body.get("cluster") or "")
        user = str(body.get("user") or "")
        if self._fill_picker(self.cluster, sorted(ws.clusters), cluster, allow_empty=True):
            self.cluster_error.set_error(f"cluster {cluster!r} does not exist: kubectl will refuse this context")
        elif not cluster:
            self.cluster_error.set_error("no cluster: kubectl needs one to connect")
        else:
            self.cluster_error.set_error(None)
        if self._fill_picker(self.user, sorted(ws.users), user, allow_empty=True):
            self.user_error.set_error(f"user {user!r} does not exist: kubectl will refuse this context")
        else:
            self.user_error.set_error(None)
        namespaces = sorted({str((c.body or {}).get("namespace")) for c in ws.contexts.values()
                             if (c.body or {}).get("namespace")} | {"default"})
        self.namespace.clear()
        self.namespace.addItems(namespaces)
        self.namespace.setEditText(str(body.get("namespace") or ""))
        self.use_button.setEnabled(self.name != ws.current_context)
        self.use_button.setText("Current context" if self.name == ws.current_context else "Make current")

    def build(self, body: dict) -> dict:
        body["cluster"] = self.cluster.currentData() or ""
        body["user"] = self.user.currentData() or ""
        set_or_drop(body, "namespace", self.namespace.currentText().strip())
        return body
