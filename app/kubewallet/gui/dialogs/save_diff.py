"""The Save dialog: per file, the YAML diff that will be written; Save writes through the core's
safe save (lock, backup, atomic replace), Cancel leaves everything unsaved.

Secret values in the diff (tokens, passwords, keys) are masked until the person presses Reveal,
so a screenshot or a shoulder never sees them by accident.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QColor, QFont, QFontDatabase, QSyntaxHighlighter, QTextCharFormat
from PySide6.QtWidgets import (QCheckBox, QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QTabWidget,
                               QVBoxLayout, QWidget)

from kubewallet.credentials.fields import redact_diff


class DiffHighlighter(QSyntaxHighlighter):
    """Added lines green, removed red, hunk headers dimmed (colours readable on light and dark)."""

    def highlightBlock(self, text: str) -> None:  # noqa: N802
        fmt = QTextCharFormat()
        if text.startswith(("+++", "---")):
            fmt.setFontWeight(QFont.Weight.Bold)
        elif text.startswith("+"):
            fmt.setForeground(QColor(46, 160, 67))
        elif text.startswith("-"):
            fmt.setForeground(QColor(214, 48, 49))
        elif text.startswith("@@"):
            fmt.setForeground(QColor(38, 139, 210))
        else:
            return
        self.setFormat(0, len(text), fmt)


class SaveDialog(QDialog):
    def __init__(self, diffs: dict[Path, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Save kubeconfig changes")
        self.setAccessibleName("Save changes")
        self.diffs = diffs
        layout = QVBoxLayout(self)
        count = len(diffs)
        intro = QLabel(f"{count} file{'s' if count != 1 else ''} will be written. A backup of each "
                       "is kept (kubewallet restore). Review the changes:", self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName("Changes per file")
        self.views: list[QPlainTextEdit] = []
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        for path, diff in diffs.items():
            view = QPlainTextEdit(self)
            view.setReadOnly(True)
            view.setFont(mono)
            view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
            view.setAccessibleName(f"Diff of {path}")
            view.setPlainText(redact_diff(diff))
            DiffHighlighter(view.document())
            self.views.append(view)
            self.tabs.addTab(view, path.name)
            self.tabs.setTabToolTip(self.tabs.count() - 1, str(path))
        layout.addWidget(self.tabs, 1)
        self.reveal = QCheckBox("&Reveal secret values", self)
        self.reveal.setAccessibleName("Reveal secret values in the diff")
        self.reveal.toggled.connect(self._reveal)
        layout.addWidget(self.reveal)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel,
                                   self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setDefault(True)
        layout.addWidget(buttons)
        self.resize(860, 560)

    def _reveal(self, shown: bool) -> None:
        for view, diff in zip(self.views, self.diffs.values()):
            view.setPlainText(diff if shown else redact_diff(diff))

    def text(self, index: int = 0) -> str:
        return self.views[index].toPlainText()
