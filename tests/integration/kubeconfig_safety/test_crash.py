"""SIGKILL a kubewallet writer at random moments, early and late in its run: the kubeconfig is
always the old file or the new one, never a torn one; what a killed writer leaves behind (its
temporary file, its lock) is cleaned up by the next run."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time

from tests.integration.kubeconfig_safety.helpers import (KUBEWALLET, big_kubeconfig,
                                                         context_names, kubewallet, temp_files)

KILLS = 36


def _start_writer(path, name):
    return subprocess.Popen([KUBEWALLET, "config", "--kubeconfig", str(path), "set-context", name,
                             "--cluster", "cluster-00001", "--user", "user-00001"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _kill_when_writing(proc, lock, extra: float) -> bool:
    """Kill once kubectl's lock appears (the write is under way), after `extra` seconds.
    Returns False when the writer finished before the lock was seen."""
    while not lock.exists():
        if proc.poll() is not None:
            return False
        time.sleep(0.0002)
    if extra:
        time.sleep(extra)
    proc.send_signal(signal.SIGKILL)
    return True


def test_sigkill_at_random_moments_leaves_old_or_new_file(tmp_path):
    rng = random.Random(os.environ.get("KUBEWALLET_CRASH_SEED", "20261123"))
    path = tmp_path / "config"
    lock = tmp_path / "config.lock"
    path.write_bytes(big_kubeconfig(400))
    os.chmod(path, 0o640)

    # How long one undisturbed write takes, so random kills spread over the whole run.
    started = time.monotonic()
    kubewallet("config", "--kubeconfig", str(path), "set-context", "warm-up", "--cluster", "c")
    run_time = time.monotonic() - started

    outcomes = {"old": 0, "new": 0}
    late_kills = locks_left = temps_left = 0
    for i in range(KILLS):
        before = path.read_bytes()
        name = f"crash-{i}"
        proc = _start_writer(path, name)
        if i % 2 == 0:  # anywhere in the run: start-up, reading, rendering, writing
            time.sleep(rng.uniform(0, 1.3 * run_time))
            proc.send_signal(signal.SIGKILL)
        else:  # late: while the lock is held (compare, backup, temp file, fsync, replace)
            late_kills += _kill_when_writing(proc, lock, rng.choice([0, 0, 0.001, 0.003, 0.008]))
        proc.wait()  # reap it, so its pid is really gone

        after = path.read_bytes()
        if after == before:
            outcomes["old"] += 1
        else:
            names_before, names_after = context_names(before), context_names(after)
            assert sorted(names_after) == sorted(names_before + [name]), f"kill {i}: torn or wrong file"
            outcomes["new"] += 1
        assert os.stat(path).st_mode & 0o777 == 0o640

        temps_left += bool(temp_files(tmp_path, "config"))
        if lock.exists():
            locks_left += 1
            assert lock.read_text().startswith(f"kubewallet pid {proc.pid} start ")
            nxt = kubewallet("config", "--kubeconfig", str(path), "set-context", f"probe-{i}",
                             "--cluster", "c")
            assert nxt.stderr.count(f"removed the lock file {lock}") == 1
            assert f"kubewallet process {proc.pid}, which is no longer running" in nxt.stderr
            assert f"probe-{i}" in context_names(path.read_bytes()) and not lock.exists()

    # The next run cleans the temporary files of killed writers, and succeeds.
    kubewallet("config", "--kubeconfig", str(path), "set-context", "after-crashes", "--cluster", "c")
    assert temp_files(tmp_path, "config") == []
    assert not lock.exists()
    assert "after-crashes" in context_names(path.read_bytes())
    print(f"\ncrash test: {KILLS} kills ({late_kills} while the lock was held; writer run "
          f"{run_time * 1000:.0f} ms): {outcomes['old']} old file, {outcomes['new']} new file, "
          f"0 torn; {temps_left} left a temp file, {locks_left} left a lock (removed by the next run)")
    assert late_kills >= KILLS // 4
