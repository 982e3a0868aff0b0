"""Background tasks: one cancelled while it reports progress (a newer request superseded it, e.g.
a second "Check all contexts") delivers nothing and no longer counts as running, so the window's
busy indicator goes off and nothing waits for it."""

from __future__ import annotations

import threading

import pytest

pytestmark = pytest.mark.gui


def test_a_task_cancelled_while_reporting_is_forgotten(qtbot):
    from kubewallet.gui.tasks import TaskRunner

    runner = TaskRunner()
    started, go_on = threading.Event(), threading.Event()
    delivered, busy = [], []
    runner.busy_changed.connect(busy.append)

    def slow(*, report):
        started.set()
        go_on.wait(5)
        report(1, 2, "half way")   # raises TaskCancelled: the task was cancelled meanwhile
        return "late answer"

    task = runner.start(slow, report=True, on_done=delivered.append, on_error=delivered.append)
    assert started.wait(5)
    task.cancel()
    go_on.set()
    assert runner.wait(5), "a cancelled task kept the runner busy"
    assert delivered == [] and busy == [True, False]
    runner.shutdown()
