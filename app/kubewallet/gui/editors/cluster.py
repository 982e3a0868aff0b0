"""The cluster editor: server, certificate authority (file or data, with a one-line summary),
TLS server name, proxy URL, and insecure-skip-tls-verify with a visible warning.

The CA summary is computed off the GUI thread (the file may be on a slow mount).
"""

from __future__ import annotations

import base64
from pathlib import Path
from urllib.parse import urlparse

from PySide6.QtWidgets import (QCheckBox, QComboBox, QFileDialog, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QWidget)

from kubewallet.gui.editors.base import EntryEditor, set_or_drop
from kubewallet.gui.models.ca import ca_summary
from kubewallet.gui.state import AppState, describe_error
from kubewallet.gui.widgets.banner import FieldError

CA_MODES = ("System trust store", "File", "Embedded data")


def _summarise(mode: str, value: str, resolved: str) -> str:
    if mode == "File":
        return ca_summary(Path(resolved).read_bytes())
    return ca_summary(value)


class ClusterEditor(EntryEditor):
    kind = "clusters"

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        self.server = QLineEdit()
        self.server.setAccessibleName("Server URL")
        self.server.setPlaceholderText("https://host:6443")
        self.server_error = FieldError()
        self.ca_mode = QComboBox()
        self.ca_mode.addItems(CA_MODES)
        self.ca_mode.setAccessibleName("Certificate authority source")
        self.ca_file = QLineEdit()
        self.ca_file.setAccessibleName("Certificate authority file")
        self.ca_file.setPlaceholderText("path to a PEM file (relative to the kubeconfig)")
        self.ca_browse = QPushButton("Choose…")
        self.ca_browse.setAccessibleName("Choose certificate authority file")
        self.ca_embed = QPushButton("Embed from file…")
        self.ca_embed.setAccessibleName("Embed certificate authority from a file")
        ca_row = QWidget()
        row = QHBoxLayout(ca_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.ca_file, 1)
        row.addWidget(self.ca_browse)
        row.addWidget(self.ca_embed)
        self.ca_summary = QLabel()
        self.ca_summary.setWordWrap(True)
        self.ca_summary.setAccessibleName("Certificate authority summary")
        self.ca_error = FieldError()
        self.tls_server_name = QLineEdit()
        self.tls_server_name.setAccessibleName("TLS server name")
        self.tls_server_name.setPlaceholderText("name to verify instead of the server's host")
        self.proxy_url = QLineEdit()
        self.proxy_url.setAccessibleName("Proxy URL")
        self.proxy_url.setPlaceholderText("http://, https:// or socks5:// proxy")
        self.proxy_error = FieldError()
        self.insecure = QCheckBox("Skip TLS verification (insecure-skip-tls-verify)")
        self.insecure.setAccessibleName("Skip TLS verification")
        self.insecure_warning = FieldError()
        self._ca_data = ""
        super().__init__(state, parent)
        self.form.addRow("&Server", self.server)
        self.form.addRow("", self.server_error)
        self.form.addRow("Certificate &authority", self.ca_mode)
        self.form.addRow("", ca_row)
        self.form.addRow("", self.ca_summary)
        self.form.addRow("", self.ca_error)
        self.form.addRow("TLS server &name", self.tls_server_name)
        self.form.addRow("&Proxy URL", self.proxy_url)
        self.form.addRow("", self.proxy_error)
        self.form.addRow("", self.insecure)
        self.form.addRow("", self.insecure_warning)
        for edit in (self.server, self.ca_file, self.tls_server_name, self.proxy_url):
            edit.editingFinished.connect(self.commit)
        self.ca_mode.activated.connect(self.commit)
        self.insecure.toggled.connect(self.commit)
        self.ca_browse.clicked.connect(self._browse)
        self.ca_embed.clicked.connect(self._embed)
        self.refresh()

    def fill(self, body: dict) -> None:
        server = str(body.get("server") or "")
        self.server.setText(server)
        parsed = urlparse(server)
        if not server:
            self.server_error.set_error("no server URL: kubectl cannot connect")
        elif parsed.scheme not in ("https", "http") or not parsed.hostname:
            self.server_error.set_error("expected a URL like https://host:6443")
        elif parsed.scheme == "http":
            self.server_error.set_error("plain http: credentials would travel unencrypted")
        else:
            self.server_error.set_error(None)
        self._ca_data = str(body.get("certificate-authority-data") or "")
        ca_file = str(body.get("certificate-authority") or "")
        mode = "Embedded data" if self._ca_data else "File" if ca_file else "System trust store"
        self.ca_mode.setCurrentText(mode)
        self.ca_file.setText(ca_file)
        self.ca_file.setVisible(mode == "File")
        self.ca_browse.setVisible(mode == "File")
        self.ca_embed.setVisible(mode != "System trust store")
        self.tls_server_name.setText(str(body.get("tls-server-name") or ""))
        proxy = str(body.get("proxy-url") or "")
        self.proxy_url.setText(proxy)
        if proxy and urlparse(proxy).scheme not in ("http", "https", "socks5"):
            self.proxy_error.set_error("kubectl accepts http, https and socks5 proxies")
        else:
            self.proxy_error.set_error(None)
        insecure = bool(body.get("insecure-skip-tls-verify"))
        self.insecure.setChecked(insecure)
        self.insecure_warning.set_error(
            "⚠ TLS verification is OFF: anyone between you and this server can impersonate it "
            "and read your credentials." + (" kubectl refuses it together with a CA." if
                                           insecure and (self._ca_data or ca_file) else "")
            if insecure else None)
        self._refresh_summary(mode, ca_file)

    def _refresh_summary(self, mode: str, ca_file: str) -> None:
        self.ca_error.set_error(None)
        if mode == "System trust store":
            self.ca_summary.setText("The server is checked against the system's trusted roots.")
            return
        entry = self.entry()
        resolved = self.state.workspace.resolve_path(entry, ca_file) if mode == "File" and ca_file else ""
        if mode == "File" and not ca_file:
            self.ca_summary.setText("")
            self.ca_error.set_error("no file named")
            return
        self.ca_summary.setText("reading…")
        name = self.name

        def shown(text: str) -> None:
            if self.name == name:
                self.ca_summary.setText(text)

        def failed(exc: BaseException) -> None:
            if self.name == name:
                self.ca_summary.setText("")
                self.ca_error.set_error(describe_error(exc))

        self.state.run(_summarise, mode, self._ca_data, resolved, on_done=shown, on_error=failed,
                       name="CA summary", owner=self)

    def build(self, body: dict) -> dict:
        set_or_drop(body, "server", self.server.text().strip())
        body.setdefault("server", "")
        mode = self.ca_mode.currentText()
        if mode == "System trust store":
            body.pop("certificate-authority", None)
            body.pop("certificate-authority-data", None)
        elif mode == "File":
            body.pop("certificate-authority-data", None)
            set_or_drop(body, "certificate-authority", self.ca_file.text().strip())
        else:
            body.pop("certificate-authority", None)
            set_or_drop(body, "certificate-authority-data", self._ca_data)
        set_or_drop(body, "tls-server-name", self.tls_server_name.text().strip())
        set_or_drop(body, "proxy-url", self.proxy_url.text().strip())
        set_or_drop(body, "insecure-skip-tls-verify", self.insecure.isChecked())
        return body

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Certificate authority file", "",
                                              "Certificates (*.crt *.pem *.cer);;All files (*)")
        if path:
            self.ca_file.setText(path)
            self.commit()

    def _embed(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Embed certificate authority", "",
                                              "Certificates (*.crt *.pem *.cer);;All files (*)")
        if path:
            self.embed_file(path)

    def embed_file(self, path: str) -> None:
        """Read a PEM file off the GUI thread and embed it as certificate-authority-data."""

        def read(p: str) -> str:
            data = Path(p).read_bytes()
            ca_summary(data)  # refuse what is not a certificate before embedding it
            return base64.b64encode(data).decode()

        def done(b64: str) -> None:
            self._ca_data = b64
            self.ca_mode.setCurrentText("Embedded data")
            self.commit()

        self.state.run(read, path, on_done=done, on_error=self.ca_error.set_error_from,
                       name="embed CA", owner=self)
