"""The Certificates page: a timeline of every certificate's validity, the table beside it, and
the selected certificate's detail with Renew and Import for client certificates.

The timeline is painted with QPainter (no chart dependency): one bar per certificate from
not-before to not-after, a "now" line, and the colour of the remaining time (expired, under 14
days, under 60 days, fine). The report itself (`inspect.report`) reads files and possibly the
vault, so it runs off the GUI thread.
"""

from __future__ import annotations

import datetime as dt
import html

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QAction, QFontMetrics, QKeySequence, QPainter, QPalette, QPen
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QDialog, QDialogButtonBox, QFileDialog,
                               QHBoxLayout, QLabel, QPlainTextEdit, QPushButton,
                               QScrollArea, QSpinBox, QSplitter, QTableView, QTextBrowser,
                               QVBoxLayout, QWidget)

from kubewallet.gui.models.certificates import (URGENCY_COLOURS, URGENCY_WORDS, CertificateTableModel,
                                                urgency)
from kubewallet.gui.pages.base import Page
from kubewallet.gui.widgets.columns import ColumnFitter
from kubewallet.inspect.report import CertRecord
from kubewallet.inspect.timewords import local_time, now_utc

DAY = dt.timedelta(days=1)


class TimelineChart(QWidget):
    """Bars of validity on a shared time axis. `rowClicked(int)` when a bar's row is clicked."""

    rowClicked = Signal(int)
    LABEL_WIDTH = 210
    ROW = 24
    TOP = 22
    BOTTOM = 30

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.records: list[CertRecord] = []
        self.now = now_utc()
        self.selected = -1
        self.setAccessibleName("Certificate validity timeline")
        self.setMinimumHeight(self.TOP + self.BOTTOM + self.ROW)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def set_records(self, records: list[CertRecord], now: dt.datetime) -> None:
        self.records, self.now = list(records), now
        self.selected = -1 if self.selected >= len(records) else self.selected
        self.setMinimumHeight(self.TOP + self.BOTTOM + self.ROW * max(1, len(records)))
        self.updateGeometry()
        self.update()

    def set_selected(self, row: int) -> None:
        self.selected = row
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(800, self.TOP + self.BOTTOM + self.ROW * max(1, len(self.records)))

    # -- geometry

    def time_range(self) -> tuple[dt.datetime, dt.datetime]:
        """From the earliest not-before to the latest not-after (and now), padded by 3 %; a span
        beyond six years is cut to two years back and four ahead, so days stay visible."""
        infos = [r.info for r in self.records if r.info is not None]
        lo = min([i.not_before for i in infos] + [self.now - 7 * DAY])
        hi = max([i.not_after for i in infos] + [self.now + 7 * DAY])
        if hi - lo > 6 * 365 * DAY:
            lo = max(lo, self.now - 2 * 365 * DAY)
            hi = min(hi, self.now + 4 * 365 * DAY)
        pad = (hi - lo) * 0.03
        return lo - pad, hi + pad

    def plot_rect(self) -> QRectF:
        return QRectF(self.LABEL_WIDTH, self.TOP, max(10, self.width() - self.LABEL_WIDTH - 12),
                      self.ROW * max(1, len(self.records)))

    def x_of(self, when: dt.datetime, lo: dt.datetime, hi: dt.datetime, rect: QRectF) -> float:
        span = (hi - lo).total_seconds() or 1.0
        frac = (when - lo).total_seconds() / span
        return rect.left() + max(-0.02, min(1.02, frac)) * rect.width()

    def bar_rect(self, row: int) -> QRectF | None:
        record = self.records[row]
        if record.info is None:
            return None
        lo, hi = self.time_range()
        rect = self.plot_rect()
        x0 = max(rect.left(), self.x_of(record.info.not_before, lo, hi, rect))
        x1 = min(rect.right(), self.x_of(record.info.not_after, lo, hi, rect))
        y = rect.top() + row * self.ROW + 5
        return QRectF(x0, y, max(3.0, x1 - x0), self.ROW - 10)

    # -- painting

    @staticmethod
    def ticks(lo: dt.datetime, hi: dt.datetime) -> list[tuple[dt.datetime, str]]:
        """Month boundaries on a grid of 1, 2, 3, 6, 12... months (at most about 8 of them),
        aligned on January so that yearly ticks fall on New Year."""
        months = (hi - lo).days / 30.4
        step = next((s for s in (1, 2, 3, 6, 12, 24, 60, 120) if months / s <= 8), 240)
        index = lo.year * 12 + (lo.month - 1)       # months since year 0, zero-based
        index += (-index) % step
        out = []
        while True:
            year, month0 = divmod(index, 12)
            when = dt.datetime(year, month0 + 1, 1, tzinfo=dt.timezone.utc)
            if when > hi:
                break
            if when >= lo:
                out.append((when, f"{year}" if step >= 12 else f"{year}-{month0 + 1:02d}"))
            index += step
        return out

    def paintEvent(self, _event) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        p.fillRect(self.rect(), pal.color(QPalette.ColorRole.Base))
        text = pal.color(QPalette.ColorRole.Text)
        faint = pal.color(QPalette.ColorRole.Mid)
        rect = self.plot_rect()
        metrics = QFontMetrics(self.font())
        if not self.records:
            p.setPen(text)
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "no certificates")
            return
        lo, hi = self.time_range()
        # grid and axis labels
        p.setPen(QPen(faint, 1, Qt.PenStyle.DotLine))
        for when, label in self.ticks(lo, hi):
            x = self.x_of(when, lo, hi, rect)
            p.drawLine(QPointF(x, rect.top()), QPointF(x, rect.bottom()))
            p.save()
            p.setPen(text)
            p.drawText(QRectF(x - 40, rect.bottom() + 4, 80, 18), Qt.AlignmentFlag.AlignHCenter, label)
            p.restore()
        # rows
        for row, record in enumerate(self.records):
            y = rect.top() + row * self.ROW
            if row == self.selected:
                p.fillRect(QRectF(0, y, self.width(), self.ROW), pal.color(QPalette.ColorRole.AlternateBase))
            p.setPen(text)
            short = record.owner if record.role == "client" else record.label
            label = metrics.elidedText(short, Qt.TextElideMode.ElideMiddle, self.LABEL_WIDTH - 12)
            p.drawText(QRectF(6, y, self.LABEL_WIDTH - 10, self.ROW),
                       Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, label)
            bar = self.bar_rect(row)
            colour = URGENCY_COLOURS[urgency(record, self.now)]
            if bar is None:
                p.setPen(colour)
                p.drawText(QRectF(rect.left() + 4, y, rect.width(), self.ROW),
                           Qt.AlignmentFlag.AlignVCenter, f"unreadable: {record.error}")
                continue
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(colour)
            p.drawRoundedRect(bar, 3, 3)
            # a bar cut by the axis's range gets an arrow on the cut side
            p.setBrush(text)
            if self.x_of(record.info.not_after, lo, hi, rect) > rect.right():
                r = bar.right()
                p.drawPolygon([QPointF(r - 7, bar.top() + 1), QPointF(r - 1, bar.center().y()),
                               QPointF(r - 7, bar.bottom() - 1)])
            if self.x_of(record.info.not_before, lo, hi, rect) < rect.left():
                left = bar.left()
                p.drawPolygon([QPointF(left + 7, bar.top() + 1), QPointF(left + 1, bar.center().y()),
                               QPointF(left + 7, bar.bottom() - 1)])
            if row == self.selected:
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.setPen(QPen(pal.color(QPalette.ColorRole.Highlight), 2))
                p.drawRoundedRect(bar.adjusted(-2, -2, 2, 2), 4, 4)
            words = record.info.expiry_words(self.now)
            width = metrics.horizontalAdvance(words) + 8
            p.setPen(text)
            if bar.right() + width < rect.right():
                p.drawText(QRectF(bar.right() + 6, y, width, self.ROW), Qt.AlignmentFlag.AlignVCenter, words)
            elif bar.left() - width > rect.left():
                p.drawText(QRectF(bar.left() - width - 2, y, width, self.ROW),
                           Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, words)
        # the "now" line
        x = self.x_of(self.now, lo, hi, rect)
        p.setPen(QPen(pal.color(QPalette.ColorRole.Highlight), 2, Qt.PenStyle.DashLine))
        p.drawLine(QPointF(x, rect.top() - 4), QPointF(x, rect.bottom()))
        p.setPen(pal.color(QPalette.ColorRole.Highlight))
        p.drawText(QRectF(x - 30, 2, 60, self.TOP - 4), Qt.AlignmentFlag.AlignCenter, "now")
        p.end()

    def mousePressEvent(self, event) -> None:  # noqa: N802
        row = int((event.position().y() - self.TOP) // self.ROW)
        if 0 <= row < len(self.records):
            self.set_selected(row)
            self.rowClicked.emit(row)


class ManifestDialog(QDialog):
    """Shows the CSR manifest of a renewal, with Copy and Save (the key itself stays in the vault)."""

    def __init__(self, request, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.request = request
        self.setWindowTitle(f"Certificate signing request for {request.user}")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(
            f"A new {request.key_type} key is kept in the vault as <b>{html.escape(request.key_ref)}</b>. "
            f"Apply this request (or hand it to an admin), approve it with "
            f"<code>kubectl certificate approve {html.escape(request.name)}</code>, then import the "
            f"issued certificate from the certificate's detail."))
        self.text = QPlainTextEdit(request.manifest, self)
        self.text.setReadOnly(True)
        self.text.setAccessibleName("CertificateSigningRequest manifest")
        layout.addWidget(self.text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Close, self)
        copy = buttons.addButton("Copy", QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(self.copy)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(720, 460)

    def copy(self) -> None:
        from PySide6.QtGui import QGuiApplication

        QGuiApplication.clipboard().setText(self.request.manifest)

    def save(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save the CSR manifest", f"{self.request.name}.yaml",
                                              "YAML (*.yaml *.yml)")
        if path:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(self.request.manifest)
            self.accept()


def _detail_html(record: CertRecord, now: dt.datetime, warn: dt.timedelta) -> str:
    esc = html.escape
    rows = [("Certificate", record.label), ("From", record.source),
            ("Contexts", ", ".join(record.contexts) or "-")]
    info = record.info
    if info is not None:
        rows += [("Status", f"{record.status(now, warn)} — {info.expiry_words(now)}"),
                 ("Subject", info.subject), ("Issuer", info.issuer), ("Serial", info.serial),
                 ("Not before", local_time(info.not_before)), ("Not after", local_time(info.not_after)),
                 ("Key", str(info.key)), ("Signature", info.signature_algorithm),
                 ("SANs", ", ".join(info.sans) or "-"), ("SHA-256", info.sha256)]
        if record.role == "client":
            rows += [("User name (CN)", info.common_name or "-"),
                     ("Groups (O)", ", ".join(info.organizations) or "-")]
    else:
        rows.append(("Error", record.error))
    body = "".join(f"<tr><td><b>{esc(k)}</b></td><td>{esc(v)}</td></tr>" for k, v in rows)
    marks = {"error": "✖", "warning": "⚠", "ok": "✔"}
    checks = "".join(f"<li>{marks.get(c.level, '')} {esc(c.text)}</li>" for c in record.checks)
    loud = ""
    if info is not None and info.masters and record.role == "client":
        loud = f"<p style='color:#d63031'><b>system:masters</b> — {esc(info.masters_warning)}</p>"
    return f"{loud}<table cellspacing='4'>{body}</table>" + (f"<ul>{checks}</ul>" if checks else "")


class CertificatesPage(Page):
    title = "Certificates"
    icon = "certificates"
    shortcut = "Ctrl+5"
    order = 50
    abstract = False

    def __init__(self, state, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        from kubewallet.inspect import renewal

        self.store_factory = renewal.vault_store   # where renewal keys go (the user's vault)
        self.vault_reader_factory = None           # None: the default vault reader
        self.last_dialog: ManifestDialog | None = None
        self.now = now_utc()
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)

        bar = QHBoxLayout()
        bar.addWidget(QLabel("Warn within"))
        self.warn_days = QSpinBox(self)
        self.warn_days.setRange(1, 3650)
        self.warn_days.setSuffix(" days")
        # 14 days: the window's expiry warning and the legend's "under 14 days" say the same
        self.warn_days.setValue(int(self.state.settings.value("certificates/warn_days", 14)))
        self.warn_days.setAccessibleName("Warning window in days")
        self.warn_days.valueChanged.connect(self._warn_changed)
        bar.addWidget(self.warn_days)
        self.all_contexts = QCheckBox("All contexts", self)
        self.all_contexts.setChecked(True)
        self.all_contexts.setAccessibleName("Show the certificates of all contexts")
        self.all_contexts.toggled.connect(self.refresh)
        bar.addWidget(self.all_contexts)
        self.summary = QLabel(self)
        self.summary.setAccessibleName("Certificate summary")
        bar.addWidget(self.summary, 1)
        legend = "  ".join(f"<span style='color:{URGENCY_COLOURS[k].name()}'>■</span> {v}"
                           for k, v in URGENCY_WORDS.items() if k != "unreadable")
        bar.addWidget(QLabel(legend, self))
        layout.addLayout(bar)

        self.chart = TimelineChart(self)
        self.scroll = scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.chart)
        self.model = CertificateTableModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAccessibleName("Certificates table")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.columns = ColumnFitter(self.table, important=3)
        self.table.selectionModel().currentRowChanged.connect(lambda cur, _prev: self._select(cur.row()))
        self.chart.rowClicked.connect(self.table.selectRow)

        self.detail = QTextBrowser(self)
        self.detail.setAccessibleName("Certificate detail")
        self.renew_button = QPushButton("Renew…", self)
        self.renew_button.setAccessibleName("Renew the client certificate")
        self.renew_button.setToolTip("New key in the vault + a CertificateSigningRequest (Ctrl+R)")
        self.renew_button.clicked.connect(self.renew_selected)
        self.import_button = QPushButton("Import signed…", self)
        self.import_button.setAccessibleName("Import the signed certificate")
        self.import_button.clicked.connect(self._import_clicked)
        detail_box = QWidget(self)
        detail_layout = QVBoxLayout(detail_box)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.addWidget(self.detail, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.renew_button)
        buttons.addWidget(self.import_button)
        buttons.addStretch(1)
        detail_layout.addLayout(buttons)

        lower = QSplitter(Qt.Orientation.Horizontal, self)
        lower.addWidget(self.table)
        lower.addWidget(detail_box)
        lower.setStretchFactor(0, 3)
        lower.setStretchFactor(1, 2)
        lower.setSizes([720, 440])
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(scroll)
        split.addWidget(lower)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        layout.addWidget(split, 1)

        self._renew_action = QAction("Renew certificate…", self)
        self._renew_action.setShortcut(QKeySequence("Ctrl+R"))
        self._renew_action.triggered.connect(self.renew_selected)
        self._select(-1)
        self.refresh()

    # -- data

    @property
    def warn(self) -> dt.timedelta:
        return dt.timedelta(days=self.warn_days.value())

    def page_actions(self) -> list[QAction]:
        return [self._renew_action]

    def _warn_changed(self, days: int) -> None:
        self.state.settings.setValue("certificates/warn_days", days)
        self.refresh()

    def refresh(self) -> None:
        ws = self.state.workspace
        if ws is None:
            return
        from kubewallet.inspect import report
        from kubewallet.inspect.sources import default_vault_reader

        now = now_utc()
        names = report.select_contexts(ws, None, self.all_contexts.isChecked())
        reader = (self.vault_reader_factory or default_vault_reader)()
        self.run_task(report.certificate_report, ws, names, now=now, warn=self.warn,
                      vault_reader=reader, on_done=lambda records: self._show(records, now),
                      key="certificates")

    def _show(self, records: list[CertRecord], now: dt.datetime) -> None:
        self.now = now
        self.model.set_records(records, now, self.warn)
        self.chart.set_records(records, now)
        self.scroll.setMinimumHeight(min(self.chart.sizeHint().height() + 6, 340))
        counts: dict[str, int] = {}
        for r in records:
            counts[r.status(now, self.warn)] = counts.get(r.status(now, self.warn), 0) + 1
        parts = [f"{n} {s}" for s, n in sorted(counts.items())]
        self.summary.setText(f"{len(records)} certificates: " + ", ".join(parts) if records else "no certificates")
        if records:
            self.table.selectRow(0)
        else:
            self._select(-1)

    def selected_record(self) -> CertRecord | None:
        row = self.table.currentIndex().row()
        return self.model.records[row] if 0 <= row < len(self.model.records) else None

    def _select(self, row: int) -> None:
        self.chart.set_selected(row)
        record = self.model.records[row] if 0 <= row < len(self.model.records) else None
        is_client = record is not None and record.role == "client"
        self.renew_button.setEnabled(is_client and record.info is not None)
        self.import_button.setEnabled(is_client)
        self.detail.setHtml(_detail_html(record, self.now, self.warn) if record else
                            "<i>Select a certificate.</i>")

    # -- renewal

    def renew_selected(self) -> None:
        record = self.selected_record()
        if record is None or record.role != "client" or self.state.workspace is None:
            return
        from kubewallet.inspect import renewal

        user = record.owner.split("/", 1)[1]
        self.run_task(lambda: renewal.start_renewal(self.state.workspace, user, store=self.store_factory()),
                      on_done=self._renewed, key="renew")

    def _renewed(self, request) -> None:
        self.last_dialog = ManifestDialog(request, self)
        self.last_dialog.show()
        self.banner.show_message(f"new key for {request.user} kept in the vault; CSR {request.name} ready",
                                 level="info")

    def _import_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "The signed certificate", "",
                                              "Certificates (*.crt *.pem *.cer *.der);;All files (*)")
        if path:
            self.import_file(path)

    def import_file(self, path: str) -> None:
        record = self.selected_record()
        if record is None or record.role != "client":
            return
        from kubewallet.inspect import renewal

        user = record.owner.split("/", 1)[1]
        with open(path, "rb") as fh:
            data = fh.read()
        self.run_task(lambda: renewal.import_certificate(self.state.rules, user, data,
                                                         store=self.store_factory()),
                      on_done=self._imported, key="import")

    def _imported(self, result) -> None:
        self.banner.show_message(result.summary, level="info")
        self.state.reload()
