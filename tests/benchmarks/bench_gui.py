"""The desktop window on the 1,000-context / 3-file benchmark KUBECONFIG (tests/benchmarks/genconfig.py,
about 5 MB with certificate data), offscreen.

1. Cold start: a fresh `kubewallet gui` process, timed from spawn to the first painted window and
   to the contexts being on screen (the workspace is read off the GUI thread, so the window paints
   before the files are parsed). Side by side: `kubectl config get-contexts -o name` on the same
   files, the quickest way to merely *list* them on the command line. Goal: first paint < 1.5 s.
2. Filter per keystroke: typing `context-0999` into the Contexts filter (and deleting it again),
   each keystroke timed from the key to the repainted table (`processEvents` included). Goal: < 16 ms.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
KUBEWALLET = str(Path(sys.executable).parent / "kubewallet")
KUBECTL = os.environ.get("KUBECTL") or str(ROOT / ".cache" / "kubectl" / "kubectl")
RUNS = int(os.environ.get("BENCH_RUNS", "10"))


def cold_start(env: dict) -> tuple[list[float], list[float]]:
    paint, shown = [], []
    for _ in range(RUNS):
        spawned = time.time()
        out = subprocess.run([KUBEWALLET, "gui", "--report-startup"], capture_output=True, text=True,
                             env=env, timeout=60, check=True)
        fields = dict(item.split("=") for item in out.stdout.split())
        assert int(fields["rows"]) == 1000, fields
        paint.append(float(fields["first_paint_epoch"]) - spawned)
        shown.append(float(fields["contexts_shown_epoch"]) - spawned)
    return paint, shown


def kubectl_list(env: dict) -> list[float]:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run([KUBECTL, "config", "get-contexts", "-o", "name"], capture_output=True, env=env,
                       timeout=60, check=True)
        times.append(time.perf_counter() - start)
    return times


def filter_keystrokes(kubeconfig: str) -> list[float]:
    os.environ["KUBECONFIG"] = kubeconfig
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings

    from kubewallet.gui.app import make_app
    from kubewallet.gui.state import AppState
    from kubewallet.gui.window import MainWindow
    from kubewallet.kubeconfig import LoadingRules

    app = make_app()
    settings = QSettings(tempfile.mktemp(suffix=".ini"), QSettings.Format.IniFormat)
    state = AppState(LoadingRules.from_env(), settings=settings)
    state.load_now()
    window = MainWindow(state)
    window.resize(1180, 720)
    window.show()
    app.processEvents()
    page = window.page("Contexts")
    query = "context-0999"
    times = []
    for round_ in range(3):
        for i in range(1, len(query) + 1):            # typing
            start = time.perf_counter()
            page.filter.setText(query[:i])
            app.processEvents()
            times.append(time.perf_counter() - start)
        assert page.proxy.rowCount() == 1
        for i in range(len(query) - 1, -1, -1):       # deleting, back to all 1,000 rows
            start = time.perf_counter()
            page.filter.setText(query[:i])
            app.processEvents()
            times.append(time.perf_counter() - start)
        assert page.proxy.rowCount() == 1000
    state.tasks.shutdown()
    return times


def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.0f} ms"


def main() -> None:
    from tests.benchmarks.genconfig import generate

    with tempfile.TemporaryDirectory() as tmp:
        files = generate(Path(tmp) / "kube")
        kubeconfig = os.pathsep.join(map(str, files))
        env = dict(os.environ, KUBECONFIG=kubeconfig, QT_QPA_PLATFORM="offscreen", HOME=tmp)
        paint, shown = cold_start(env)
        listing = kubectl_list(env)
        keys = filter_keystrokes(kubeconfig)

    print(f"\n1,000 contexts in 3 files, offscreen, median of {RUNS} runs\n")
    print("| measurement | kubewallet | kubectl config get-contexts -o name | ratio | goal |")
    print("|---|---|---|---|---|")
    print(f"| cold start to first painted window | {ms(paint)} | {ms(listing)} | "
          f"{statistics.median(paint) / statistics.median(listing):.1f}x | < 1.5 s |")
    print(f"| cold start to 1,000 contexts on screen | {ms(shown)} | {ms(listing)} | "
          f"{statistics.median(shown) / statistics.median(listing):.1f}x | — |")
    keys_sorted = sorted(keys)
    p95 = keys_sorted[int(len(keys_sorted) * 0.95) - 1]
    print(f"| filter, one keystroke (median / p95 / max of {len(keys)}) | "
          f"{statistics.median(keys) * 1000:.1f} / {p95 * 1000:.1f} / {max(keys) * 1000:.1f} ms | — | — | < 16 ms |")


if __name__ == "__main__":
    main()
