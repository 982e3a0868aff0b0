"""The page contract: background tasks deliver on the GUI thread, failures show inline, and the
registry keeps the window working while page modules are missing or broken."""

from __future__ import annotations

import sys
import threading
import types

import pytest

from kubewallet.errors import KubeconfigError


@pytest.fixture
def bare_state(qtbot, gui_settings):
    from kubewallet.gui.state import AppState

    state = AppState(settings=gui_settings)
    yield state
    state.tasks.shutdown()


def test_task_result_and_progress_arrive_on_the_gui_thread(bare_state, qtbot):
    gui_thread = threading.get_ident()
    seen: list = []

    def work(n, *, report):
        worker = threading.get_ident()
        for i in range(n):
            report(i + 1, n, f"step {i + 1}")
        return worker

    task = bare_state.run(work, 3, report=True,
                          on_progress=lambda d, t, text: seen.append((threading.get_ident(), d, t, text)))
    with qtbot.waitSignal(task.finished, timeout=5000) as blocker:
        pass
    assert blocker.args[0] != gui_thread  # the work ran on a worker
    assert [s[1:] for s in seen] == [(1, 3, "step 1"), (2, 3, "step 2"), (3, 3, "step 3")]
    assert all(s[0] == gui_thread for s in seen)
    assert bare_state.tasks.wait(2)
    assert not bare_state.tasks.busy


def test_failed_task_shows_inline_on_the_page_and_hides_foreign_messages(bare_state, qtbot, wait_tasks):
    from kubewallet.gui.pages.base import Page

    class Demo(Page):
        title = "Demo"

    page = Demo(bare_state)
    qtbot.addWidget(page)

    def broken():
        raise KubeconfigError("no such cluster 'x'", hint="run kubewallet config get-clusters")

    page.run_task(broken)
    wait_tasks(bare_state)
    assert page.banner.level == "error"
    assert "no such cluster 'x'" in page.banner.text and "get-clusters" in page.banner.text

    def leaky():
        raise ValueError("password=hunter2")

    page.run_task(leaky)
    wait_tasks(bare_state)
    assert "hunter2" not in page.banner.text and "ValueError" in page.banner.text


def test_a_superseded_keyed_task_delivers_nothing(bare_state, qtbot, wait_tasks):
    from kubewallet.gui.pages.base import Page

    class Demo(Page):
        title = "Demo"

    page = Demo(bare_state)
    qtbot.addWidget(page)
    gate = threading.Event()
    got: list = []
    page.run_task(lambda: gate.wait(5) and "old", on_done=got.append, key="search")
    page.run_task(lambda: "new", on_done=got.append, key="search")
    gate.set()
    wait_tasks(bare_state)
    assert got == ["new"]


def test_registry_skips_missing_pages_and_reports_broken_ones(monkeypatch, tmp_path):
    from kubewallet.gui import pages
    from kubewallet.gui.pages.base import Page

    good = types.ModuleType("kw_test_good_page")

    class Good(Page):
        title = "Good"
        order = 5

    Good.__module__ = good.__name__
    good.Good = Good
    monkeypatch.setitem(sys.modules, good.__name__, good)
    found, problems = pages.discover(("kw_test_missing_page", good.__name__, "kubewallet.gui.pages.base"))
    assert found == [Good]
    assert problems == []

    (tmp_path / "kw_test_broken_page.py").write_text("raise RuntimeError('half written')\n")
    (tmp_path / "kw_test_needs_dep.py").write_text("import kw_test_no_such_dependency\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    found, problems = pages.discover(("kw_test_broken_page", "kw_test_needs_dep"))
    assert found == []
    assert [p.module for p in problems] == ["kw_test_broken_page", "kw_test_needs_dep"]
    assert "half written" in problems[0].reason


def test_the_qt_binding_does_not_leak_references_to_none(qtbot):
    """PySide6 6.12.0 dropped a reference to None on every `data()` that returns None, which every
    model does for roles it does not serve; a 1,000-row view then drained None's count and the
    interpreter aborted ("none_dealloc"). pyproject excludes that release; this catches any other
    binding with the same bug before a person meets it."""
    from PySide6.QtCore import QAbstractListModel, QModelIndex

    class Empty(QAbstractListModel):
        def rowCount(self, parent=QModelIndex()):  # noqa: N802
            return 1

        def data(self, index, role=0):
            return None

    model = Empty()
    before = sys.getrefcount(None)
    for _ in range(20_000):
        model.index(0).data(0)
    assert sys.getrefcount(None) >= before - 100
