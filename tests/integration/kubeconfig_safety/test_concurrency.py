"""Several kubewallet processes edit one kubeconfig at once: no update is lost (our lock covers
the whole read-modify-write), and a reader polling the file never sees a partial one."""

from __future__ import annotations

import os
import subprocess
import threading

import yaml

from tests.integration.kubeconfig_safety.helpers import KUBEWALLET, small_kubeconfig, temp_files

PROCESSES = 6
EDITS_EACH = 15


def _worker(path, proc: int) -> subprocess.Popen:
    """One shell loop: EDITS_EACH separate `kubewallet config set-context` processes in a row."""
    script = (f'for i in $(seq 0 {EDITS_EACH - 1}); do '
              f'"$KW" config --kubeconfig "$CFG" set-context "ctx-{proc}-$i" --cluster c --user u '
              f'--namespace "ns-{proc}" >/dev/null || {{ echo "edit $i failed" >&2; exit 1; }}; done')
    return subprocess.Popen(["bash", "-c", script], stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ, KW=KUBEWALLET, CFG=str(path)))


def test_parallel_kubewallet_edits_lose_nothing_and_reader_never_sees_partial_file(tmp_path):
    path = tmp_path / "config"
    path.write_bytes(small_kubeconfig())
    stop = threading.Event()
    reads: list[int] = []
    bad: list[str] = []

    def reader():
        while not stop.is_set():
            raw = path.read_bytes()
            try:
                doc = yaml.load(raw, Loader=yaml.CSafeLoader)
                reads.append(len(doc["contexts"]))
            except Exception as exc:  # a partial file is exactly what this test looks for
                bad.append(f"{type(exc).__name__}: {exc} ({len(raw)} bytes)")
            stop.wait(0.002)

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        workers = [_worker(path, p) for p in range(PROCESSES)]
        errors = [w.communicate(timeout=120)[1] for w in workers]
    finally:
        stop.set()
        thread.join()

    assert [w.returncode for w in workers] == [0] * PROCESSES, errors
    doc = yaml.safe_load(path.read_text())
    names = {c["name"]: c["context"] for c in doc["contexts"]}
    expected = {f"ctx-{p}-{i}" for p in range(PROCESSES) for i in range(EDITS_EACH)}
    assert expected - names.keys() == set(), "lost updates"
    assert len(names) == PROCESSES * EDITS_EACH + 1  # plus the one we started with
    assert all(names[f"ctx-{p}-{i}"]["namespace"] == f"ns-{p}" for p in range(PROCESSES)
               for i in range(EDITS_EACH))
    assert bad == []
    assert len(reads) > 50 and reads == sorted(reads)  # the count only ever grows
    assert temp_files(tmp_path, "config") == [] and not (tmp_path / "config.lock").exists()
    print(f"\nconcurrency: {PROCESSES}x{EDITS_EACH} edits, all kept; the reader parsed the file "
          f"{len(reads)} times, never a partial one")
