"""The Certificates page's table: one row per certificate of the report (`inspect.report`),
soonest expiry first, coloured by remaining time like the timeline beside it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from kubewallet.gui.models.table import ItemsTableModel
from kubewallet.inspect.report import CertRecord
from kubewallet.inspect.timewords import local_time

RecordRole = Qt.ItemDataRole.UserRole + 1
UrgencyRole = Qt.ItemDataRole.UserRole + 2

# The four buckets of the issue: expired, under 14 days, under 60 days, fine (and unreadable).
URGENCY_COLOURS = {"expired": QColor(214, 48, 49), "urgent": QColor(230, 126, 34),
                   "soon": QColor(221, 180, 0), "fine": QColor(46, 160, 67),
                   "unreadable": QColor(140, 140, 140)}
URGENCY_WORDS = {"expired": "expired", "urgent": "under 14 days", "soon": "under 60 days",
                 "fine": "fine", "unreadable": "unreadable"}


def urgency(record: CertRecord, now: dt.datetime) -> str:
    return record.info.urgency(now) if record.info is not None else "unreadable"


class CertificateTableModel(ItemsTableModel):
    COLUMNS = ("Status", "Expiry", "Not after", "Certificate", "Subject", "Contexts")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.now = dt.datetime.now(dt.timezone.utc)
        self.warn = dt.timedelta(days=30)

    @property
    def records(self) -> list[CertRecord]:
        return self.items

    def set_records(self, records: list[CertRecord], now: dt.datetime, warn: dt.timedelta) -> None:
        self.now, self.warn = now, warn
        self.set_items(records)

    def cell(self, record: CertRecord, column: int) -> str:
        info = record.info
        if column == 0:
            return record.status(self.now, self.warn)
        if column == 3:
            return record.label
        if column == 5:
            return ", ".join(record.contexts)
        if info is None:
            return record.error if column == 4 else "-"
        if column == 1:
            return info.expiry_words(self.now)
        if column == 2:
            return local_time(info.not_after)[:16]
        return info.subject + ("  [system:masters]" if info.masters and record.role == "client" else "")

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        record = self.records[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cell(record, index.column())
        if role == RecordRole:
            return record
        if role == UrgencyRole:
            return urgency(record, self.now)
        if role == Qt.ItemDataRole.ForegroundRole and index.column() in (0, 1):
            if index.column() == 0 and record.status(self.now, self.warn) == "broken":
                return URGENCY_COLOURS["expired"]
            return URGENCY_COLOURS[urgency(record, self.now)]
        if role == Qt.ItemDataRole.ToolTipRole:  # the whole cell (a narrow column cuts it), then the checks
            return "\n".join([self.cell(record, index.column())] + [c.text for c in record.checks])
        return None
