"""The encrypted-file vault's unlock prompt: one passphrase field, checked off the GUI thread by
the page (scrypt takes a moment), with the error shown under the field, never in a popup."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget


class UnlockVaultDialog(QDialog):
    def __init__(self, vault_path: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Unlock the kubewallet vault")
        self.setAccessibleName("Unlock vault")
        layout = QVBoxLayout(self)
        intro = QLabel(f"The vault <b>{vault_path}</b> is an encrypted file. Enter its passphrase to "
                       "let kubectl use the secrets it holds while this window runs.", self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.passphrase = QLineEdit(self)
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName("Vault passphrase (hidden)")
        self.passphrase.setPlaceholderText("passphrase")
        layout.addWidget(self.passphrase)
        self.error = QLabel(self)
        self.error.setAccessibleName("Unlock error")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Unlock")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def value(self) -> str:
        return self.passphrase.text()

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()
