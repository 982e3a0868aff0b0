"""Table columns sized to their content and fitted to the width the table has.

Why not Qt's own modes: `ResizeToContents` on every column makes a table wider than a 1024-pixel
screen leaves it (a horizontal scroll bar, the last columns out of sight), and caps per column
cut the one value a person came for (a server URL elided in the middle) while others waste room.
Here each column gets its content width; when they do not all fit, the *other* columns give way
first (down to their header), the important one last; when there is room to spare, the important
column takes it. An elided cell keeps its whole value in the tooltip (the models provide it).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QTableView

_PADDING = 24   # cell margins and the sort arrow
_FLOOR = 48     # the narrowest a column is squeezed to (its header still hints at what it holds)


def fit_widths(content: list[int], floors: list[int], important: int, available: int) -> list[int]:
    """Widths that sum to at most `available`: content widths when they fit (the important column
    taking what is left over); else the other columns are capped at one common width (the widest
    give way first, short ones stay whole; none below its floor), and the important column shrinks
    only once all the others are at their floors."""
    widths = list(content)
    spare = available - sum(widths)
    if spare >= 0:
        widths[important] += spare
        return widths
    others = [i for i in range(len(widths)) if i != important]
    room = available - widths[important]  # what the other columns may use together
    if sum(floors[i] for i in others) >= room:
        for i in others:
            widths[i] = floors[i]
        widths[important] = max(available - sum(widths[i] for i in others), floors[important])
        return widths
    low, high = 0, max(content)  # the largest cap at which the others fit in `room`
    while low < high:
        cap = (low + high + 1) // 2
        if sum(max(min(content[i], cap), floors[i]) for i in others) <= room:
            low = cap
        else:
            high = cap - 1
    for i in others:
        widths[i] = max(min(content[i], low), floors[i])
    return widths


class ColumnFitter(QObject):
    """Keeps a table's visible columns fitted (see the module docstring): call `refit(measure=True)`
    after the rows changed; resizing the table refits on its own.

    `measure(column)` returns a column's content width in pixels; by default Qt's own
    `sizeHintForColumn` (fine for tens of rows; a page with thousands passes a sampled measure).
    """

    def __init__(self, table: QTableView, important: int,
                 measure: Callable[[int], int] | None = None, follow_model: bool = True) -> None:
        super().__init__(table)
        self.table, self.important = table, important
        self._measure = measure or table.sizeHintForColumn
        self._content: dict[int, int] = {}
        header = table.horizontalHeader()
        header.setStretchLastSection(False)
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        table.viewport().installEventFilter(self)
        if follow_model and table.model() is not None:  # rows replaced: measure them again
            table.model().modelReset.connect(self._remeasure)
            table.model().layoutChanged.connect(self._remeasure)

    def _remeasure(self, *_args) -> None:
        self.refit(measure=True)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Resize:
            self.refit()
        return False

    def refit(self, measure: bool = False) -> None:
        model = self.table.model()
        if model is None:
            return
        columns = [c for c in range(model.columnCount()) if not self.table.isColumnHidden(c)]
        if not columns:
            return
        header = self.table.horizontalHeader()
        if measure or any(c not in self._content for c in columns):
            self._content = {c: max(self._measure(c), header.sectionSizeHint(c)) + _PADDING // 2
                             for c in columns}
        floors = [min(max(header.sectionSizeHint(c), _FLOOR), self._content[c]) for c in columns]
        important = columns.index(self.important) if self.important in columns else 0
        available = self.table.viewport().width() - 1
        widths = fit_widths([self._content[c] for c in columns], floors, important, available)
        for column, width in zip(columns, widths):
            if self.table.columnWidth(column) != width:
                self.table.setColumnWidth(column, width)
