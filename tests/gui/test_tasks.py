"""Background work: a superseded task (a second manifest load asked for while the first runs)
delivers nothing and is forgotten, so the window does not stay busy forever."""

from __future__ import annotations

import threading


def test_a_cancelled_task_that_reports_progress_is_forgotten(qtbot):
    from kubewallet.gui.tasks import TaskRunner

    runner = TaskRunner()
    started, delivered = threading.Event(), []

    def slow(*, report):
        started.set()
        for i in range(10_000):
            report(i, 10_000, "working")  # raises once cancelled
            threading.Event().wait(0.001)
        return "done"

    busy: list[bool] = []
    runner.busy_changed.connect(busy.append)
    task = runner.start(slow, report=True, on_done=delivered.append, on_error=delivered.append)
    assert started.wait(5)
    task.cancel()
    assert runner.wait(5) and not runner.busy
    assert delivered == [] and busy == [True, False]
    runner.shutdown()
