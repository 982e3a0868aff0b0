"""The Tokens page's tree: a decoded JWT's header and claims, nested values as children.

The signature is never shown (with header and claims it *is* the token): only its length."""

from __future__ import annotations

import datetime as dt
import json

from PySide6.QtGui import QStandardItem, QStandardItemModel

from kubewallet.inspect.timewords import local_time, relative
from kubewallet.inspect.tokens import TIME_CLAIMS, DecodedToken


def _value_text(value) -> str:
    if isinstance(value, (dict, list)):
        return f"{len(value)} item{'s' if len(value) != 1 else ''}"
    return json.dumps(value, ensure_ascii=False)


def _add(parent: QStandardItem, key: str, value, note: str = "") -> None:
    key_item = QStandardItem(key)
    value_item = QStandardItem(_value_text(value))
    note_item = QStandardItem(note)
    for item in (key_item, value_item, note_item):
        item.setEditable(False)
    parent.appendRow([key_item, value_item, note_item])
    if isinstance(value, dict):
        for k, v in value.items():
            _add(key_item, str(k), v)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _add(key_item, f"[{i}]", v)


def claims_model(token: DecodedToken, now: dt.datetime, parent=None) -> QStandardItemModel:
    """Header, Claims and Signature branches; time claims carry local time and relative words."""
    model = QStandardItemModel(parent)
    model.setHorizontalHeaderLabels(["Name", "Value", "Meaning"])
    root = model.invisibleRootItem()
    for title, data in (("Header", token.header), ("Claims", token.claims)):
        branch = QStandardItem(title)
        branch.setEditable(False)
        root.appendRow([branch, QStandardItem(""), QStandardItem("")])
        for key, value in data.items():
            note = ""
            if title == "Claims" and key in TIME_CLAIMS:
                when = token.time(key)
                if when is not None:
                    note = f"{local_time(when)} ({relative(when, now)})"
            _add(branch, str(key), value, note)
    sig = QStandardItem("Signature")
    sig.setEditable(False)
    root.appendRow([sig, QStandardItem(f"{len(token.signature)} bytes (hidden)"),
                    QStandardItem(token.algorithm)])
    return model
