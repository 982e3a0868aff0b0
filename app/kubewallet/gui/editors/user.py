"""The user editor: the credential kind, the fields of that kind, secrets masked with an
explicit reveal.

The kinds are those of client-go's `AuthInfo`: a client certificate (file or data), a bearer
token (inline or `tokenFile`), basic auth, an `exec` plugin, or the deprecated `auth-provider`.
Changing the kind removes the previous kind's fields (kubectl rejects some combinations, e.g.
basic auth with a token) as one undoable edit.
"""

from __future__ import annotations

import shlex

from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QStackedWidget, QWidget

from kubewallet.credentials.fields import PROVIDER_SECRETS
from kubewallet.gui.editors.base import EntryEditor, set_or_drop
from kubewallet.gui.models.entries import credential_kind
from kubewallet.gui.state import AppState
from kubewallet.gui.widgets.secret import SecretField

KINDS = ("none", "client certificate", "token", "basic auth", "exec", "auth-provider")
FIELDS = {
    "client certificate": ("client-certificate", "client-certificate-data", "client-key", "client-key-data"),
    "token": ("token", "tokenFile"),
    "basic auth": ("username", "password"),
    "exec": ("exec",),
    "auth-provider": ("auth-provider",),
}
EXEC_API = ("client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1")
INTERACTIVE = ("IfAvailable", "Never", "Always")


def _kind_of(body: dict) -> str:
    kind = credential_kind(body)
    return "exec" if kind.startswith("exec") else "auth-provider" if kind.startswith("auth-provider") else kind


def _line(label: str, placeholder: str = "") -> QLineEdit:
    edit = QLineEdit()
    edit.setAccessibleName(label)
    edit.setPlaceholderText(placeholder)
    return edit


class UserEditor(EntryEditor):
    kind = "users"

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        self.cred_kind = QComboBox()
        self.cred_kind.addItems(KINDS)
        self.cred_kind.setAccessibleName("Credential kind")
        self.stack = QStackedWidget()
        self.pages: dict[str, QWidget] = {}
        # client certificate
        self.cert_file = _line("Client certificate file", "path to a PEM file")
        self.cert_data = QLabel()
        self.cert_data.setAccessibleName("Embedded client certificate")
        self.key_file = _line("Client key file", "path to a PEM key")
        self.key_data = SecretField("client key data")
        self._form("client certificate", [("Certificate file", self.cert_file),
                                          ("Certificate data", self.cert_data),
                                          ("Key file", self.key_file), ("Key data", self.key_data)])
        # token
        self.token = SecretField("token")
        self.token_file = _line("Token file", "path to a file holding the token")
        self._form("token", [("Token", self.token), ("Token file", self.token_file)])
        # basic auth
        self.username = _line("User name")
        self.password = SecretField("password")
        self._form("basic auth", [("User name", self.username), ("Password", self.password)])
        # exec
        self.exec_command = _line("Exec command", "kubewallet, aws, gke-gcloud-auth-plugin, …")
        self.exec_args = _line("Exec arguments", "arguments, shell-quoted")
        self.exec_api = QComboBox()
        self.exec_api.addItems(EXEC_API)
        self.exec_api.setAccessibleName("Exec API version")
        self.exec_env = _line("Exec environment", "NAME=value NAME2=value2")
        self.exec_interactive = QComboBox()
        self.exec_interactive.addItems(INTERACTIVE)
        self.exec_interactive.setAccessibleName("Exec interactive mode")
        self._form("exec", [("Command", self.exec_command), ("Arguments", self.exec_args),
                            ("API version", self.exec_api), ("Environment", self.exec_env),
                            ("Interactive", self.exec_interactive)])
        # auth-provider (deprecated in kubectl 1.26+: shown, its secrets masked)
        self.provider_name = _line("Auth provider name")
        self.provider_config = QLabel()
        self.provider_config.setWordWrap(True)
        self.provider_config.setAccessibleName("Auth provider configuration")
        self._form("auth-provider", [("Provider", self.provider_name), ("Config", self.provider_config)])
        self._form("none", [("", QLabel("No credential: requests go out anonymous."))])
        super().__init__(state, parent)
        self.form.addRow("Credential &kind", self.cred_kind)
        self.form.addRow(self.stack)
        self.cred_kind.activated.connect(self.commit)
        for edit in (self.cert_file, self.key_file, self.key_data, self.token, self.token_file,
                     self.username, self.password, self.exec_command, self.exec_args, self.exec_env,
                     self.provider_name):
            edit.editingFinished.connect(self.commit)
        self.exec_api.activated.connect(self.commit)
        self.exec_interactive.activated.connect(self.commit)
        self.refresh()

    def _form(self, kind: str, rows: list[tuple[str, QWidget]]) -> None:
        page = QWidget()
        form = QFormLayout(page)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        for label, widget in rows:
            form.addRow(label, widget)
        self.pages[kind] = page
        self.stack.addWidget(page)

    def set_entry(self, name: str | None) -> None:
        if name != getattr(self, "name", None):
            for field in (self.key_data, self.token, self.password):
                field.hide_secret()  # a reveal is for one user only
        super().set_entry(name)

    def fill(self, body: dict) -> None:
        kind = _kind_of(body)
        self.cred_kind.setCurrentText(kind)
        self.stack.setCurrentWidget(self.pages[kind])
        self.cert_file.setText(str(body.get("client-certificate") or ""))
        data = str(body.get("client-certificate-data") or "")
        self.cert_data.setText(f"embedded ({len(data)} base64 characters)" if data else "—")
        self.key_file.setText(str(body.get("client-key") or ""))
        self.key_data.setText(str(body.get("client-key-data") or ""))
        self.token.setText(str(body.get("token") or ""))
        self.token_file.setText(str(body.get("tokenFile") or ""))
        self.username.setText(str(body.get("username") or ""))
        self.password.setText(str(body.get("password") or ""))
        ex = body.get("exec") or {}
        self.exec_command.setText(str(ex.get("command") or ""))
        self.exec_args.setText(shlex.join(map(str, ex.get("args") or [])))
        self.exec_api.setCurrentText(str(ex.get("apiVersion") or EXEC_API[0]))
        self.exec_env.setText(" ".join(f"{e.get('name')}={shlex.quote(str(e.get('value', '')))}"
                                       for e in ex.get("env") or []))
        self.exec_interactive.setCurrentText(str(ex.get("interactiveMode") or "IfAvailable"))
        ap = body.get("auth-provider") or {}
        self.provider_name.setText(str(ap.get("name") or ""))
        config = ap.get("config") or {}
        self.provider_config.setText("\n".join(
            f"{k}: {'•••••• (hidden)' if k in PROVIDER_SECRETS else v}" for k, v in config.items()) or "—")

    def build(self, body: dict) -> dict:
        kind = self.cred_kind.currentText()
        for other, keys in FIELDS.items():
            if other != kind:
                for key in keys:
                    body.pop(key, None)
        if kind == "client certificate":
            set_or_drop(body, "client-certificate", self.cert_file.text().strip())
            set_or_drop(body, "client-key", self.key_file.text().strip())
            set_or_drop(body, "client-key-data", self.key_data.text().strip())
        elif kind == "token":
            set_or_drop(body, "token", self.token.text().strip())
            set_or_drop(body, "tokenFile", self.token_file.text().strip())
        elif kind == "basic auth":
            set_or_drop(body, "username", self.username.text())
            set_or_drop(body, "password", self.password.text())
        elif kind == "exec":
            ex = dict(body.get("exec") or {})
            ex["apiVersion"] = self.exec_api.currentText()
            ex["command"] = self.exec_command.text().strip()
            try:
                args = shlex.split(self.exec_args.text())
            except ValueError:
                args = self.exec_args.text().split()
            set_or_drop(ex, "args", args)
            env = []
            try:
                items = shlex.split(self.exec_env.text())
            except ValueError:  # an unbalanced quote while typing: split on spaces instead
                items = self.exec_env.text().split()
            for item in items:
                key, _, value = item.partition("=")
                if key:
                    env.append({"name": key, "value": value})
            set_or_drop(ex, "env", env)
            ex["interactiveMode"] = self.exec_interactive.currentText()
            body["exec"] = ex
        elif kind == "auth-provider":
            ap = dict(body.get("auth-provider") or {})
            ap["name"] = self.provider_name.text().strip()
            ap.setdefault("config", {})
            body["auth-provider"] = ap
        return body
