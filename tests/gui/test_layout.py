"""Every page fits a small laptop screen: at 1024×640 no page needs horizontal scrolling and the
window does not grow past the screen; server URLs are shown whole at the default size. Each page
is saved to artifacts/screenshots at both sizes, on the demo workspace (long names, many kinds)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QAbstractScrollArea, QTableView


@pytest.fixture
def demo_window(qtbot, tmp_path, monkeypatch, gui_settings, wait_tasks):
    from kubewallet.demo import build
    from kubewallet.gui.state import AppState
    from kubewallet.gui.window import MainWindow
    from kubewallet.kubeconfig import LoadingRules

    demo = build(tmp_path / "demo")
    for key, value in demo.env.items():
        monkeypatch.setenv(key, value)
    state = AppState(LoadingRules.from_env(), settings=gui_settings)
    win = MainWindow(state)
    win.show()
    state.load_now()
    wait_tasks(state)
    yield win
    state.undo_stack.setClean()
    state.tasks.shutdown()
    win.hide()


def scrolled_sideways(page) -> list[str]:
    """The scroll areas of the page in view that would need a horizontal scroll bar."""
    out = []
    for area in page.findChildren(QAbstractScrollArea):
        if area.isVisible() and area.horizontalScrollBar().maximum() > 0:
            out.append(area.accessibleName() or type(area).__name__)
    return out


def visit(qtbot, win, index: int) -> None:
    win.show_page(index)
    win.state.tasks.wait(10)
    qtbot.wait(30)  # layouts settle after the page's data arrived


@pytest.mark.parametrize("size", [(1024, 640), (1180, 720)])
def test_no_page_needs_horizontal_scrolling(qtbot, demo_window, size, artifacts_dir):
    win = demo_window
    win.resize(*size)
    problems = []
    for index, cls in enumerate(win.page_classes):
        visit(qtbot, win, index)
        page = win.page(index)
        win.grab().save(str(artifacts_dir / f"page-{cls.title.lower().replace(' ', '-')}-{size[0]}.png"))
        if win.width() > size[0]:
            problems.append(f"{cls.title}: the window grew to {win.width()} px")
        problems += [f"{cls.title}: {name}" for name in scrolled_sideways(page)]
    assert problems == [], "\n".join(problems)


def test_server_urls_are_shown_whole_at_the_default_size(qtbot, demo_window):
    win = demo_window
    win.resize(1180, 720)
    visit(qtbot, win, [c.title for c in win.page_classes].index("Clusters"))
    page = win.page("Clusters")
    table: QTableView = page.table
    column = page.model.headers.index("Server")
    metrics = table.fontMetrics()
    for row in range(page.proxy.rowCount()):
        url = page.proxy.index(row, column).data()
        assert metrics.horizontalAdvance(url) <= table.columnWidth(column) - 8, url
        assert url in page.proxy.index(row, column).data(3)  # the tooltip has the whole value too
    page.select(page.proxy.index(0, 0).data(page.model.headers.index("Name") + 257))
    assert page.editor.server.cursorPosition() == 0  # the field shows where the URL starts
