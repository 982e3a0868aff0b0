"""kubewallet next to the real kubectl on one kubeconfig.

What kubewallet promises: it never writes while kubectl's `<file>.lock` exists (it waits
briefly, then says so; a lock left by a crash is reported, not waited on forever), it never
overwrites an edit kubectl made, and every kubewallet call succeeds even while kubectl writes
the file in place. What kubectl does to others is measured, not asserted: it reads the file
before taking its lock (so its write can drop an edit made in between), and it fails at once
when the lock exists at its moment of writing.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import time
from pathlib import Path

import yaml

from tests.integration.kubeconfig_safety.helpers import (KUBEWALLET, big_kubeconfig, context_names,
                                                         kubectl_lock_file, kubewallet, small_kubeconfig,
                                                         temp_files, wait_stopped)


def _kw_env(**extra: str) -> dict:
    return dict(os.environ, **extra)


def _start_edit(path: Path, name: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen([KUBEWALLET, "config", "--kubeconfig", str(path), "set-context", name,
                             "--cluster", "c", "--user", "u"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=_kw_env(**env))


def test_kubewallet_waits_while_kubectls_lock_exists_then_writes(tmp_path):
    path = tmp_path / "config"
    path.write_bytes(small_kubeconfig())
    before = path.read_bytes()
    lock = kubectl_lock_file(path)
    proc = _start_edit(path, "after-lock", KUBEWALLET_LOCK_WAIT="30")
    time.sleep(1.0)
    assert proc.poll() is None, proc.communicate()  # still waiting ...
    assert path.read_bytes() == before               # ... and nothing written
    lock.unlink()
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert 'Context "after-lock" created.' in out
    assert "after-lock" in context_names(path.read_bytes())
    assert not lock.exists() and temp_files(tmp_path, "config") == []


def test_a_lock_that_stays_is_reported_after_the_wait(tmp_path):
    path = tmp_path / "config"
    path.write_bytes(small_kubeconfig())
    before = path.read_bytes()
    lock = kubectl_lock_file(path)
    started = time.monotonic()
    proc = _start_edit(path, "never", KUBEWALLET_LOCK_WAIT="0.5")
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 1
    assert time.monotonic() - started >= 0.5
    assert f"{lock} is held by another program (kubectl?) and was not released within 0.5 s" in err
    assert "Traceback" not in err
    assert path.read_bytes() == before and lock.exists()


def test_a_stale_kubectl_lock_is_reported_at_once_not_waited_on(tmp_path):
    path = tmp_path / "config"
    path.write_bytes(small_kubeconfig())
    before = path.read_bytes()
    lock = kubectl_lock_file(path)
    old = time.time() - 600
    os.utime(lock, (old, old))
    started = time.monotonic()
    proc = _start_edit(path, "never", KUBEWALLET_LOCK_WAIT="60")
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 1
    assert time.monotonic() - started < 10  # not the 60 s wait
    assert f"the lock file {lock} was left behind: it is 600 s old" in err
    assert f"remove it: rm {lock}" in err
    assert path.read_bytes() == before


def test_kubectls_lock_on_a_symlinks_name_is_honoured(tmp_path):
    """client-go locks the name it was given; for a symlinked kubeconfig that is the link."""
    real = tmp_path / "real" / "config"
    real.parent.mkdir()
    real.write_bytes(small_kubeconfig())
    link = tmp_path / "config"
    link.symlink_to(real)
    lock = kubectl_lock_file(link)
    proc = _start_edit(link, "never", KUBEWALLET_LOCK_WAIT="0.3")
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 1 and str(lock) in err
    lock.unlink()
    kubewallet("config", "--kubeconfig", str(link), "set-context", "through-link", "--cluster", "c")
    assert link.is_symlink() and "through-link" in context_names(real.read_bytes())


def test_an_edit_never_acts_on_a_file_kubectl_is_half_way_through_writing(tmp_path, kubectl):
    """kubectl truncates and rewrites the file in place under its lock. We freeze the real
    kubectl (SIGSTOP) in the middle of that write, file cut short, and start a kubewallet
    `use-context` of a context that lies past the cut: kubewallet must wait for the write to
    finish and then succeed, rather than decide on the torn file ("no context exists")."""
    path = tmp_path / "config"
    original = big_kubeconfig(300)  # 1.5 MB: kubectl's write of it is visible half-done
    lock = tmp_path / "config.lock"
    for attempt in range(10):  # the torn state lasts a few ms; catch it within a few runs
        path.write_bytes(original)
        writer = subprocess.Popen([kubectl, "--kubeconfig", str(path), "config", "set-context",
                                   "by-kubectl", "--cluster", "c"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        while writer.poll() is None and not (lock.exists() and path.stat().st_size < len(original)):
            pass
        if writer.poll() is None:
            writer.send_signal(signal.SIGSTOP)
            wait_stopped(writer.pid)  # kill() returns before every thread has stopped
            torn = path.stat().st_size
            if torn < len(original) and lock.exists():
                break  # frozen with the file cut short
            writer.send_signal(signal.SIGCONT)
        assert writer.wait(timeout=30) == 0
    else:
        raise AssertionError("kubectl was never caught in the middle of its write")
    full = len(original)
    try:
        edit = subprocess.Popen([KUBEWALLET, "config", "--kubeconfig", str(path), "use-context",
                                 "ctx-00299"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env=_kw_env(KUBEWALLET_LOCK_WAIT="30"))
        time.sleep(0.8)
        assert edit.poll() is None, edit.communicate()  # waiting for kubectl, not acting
    finally:
        writer.send_signal(signal.SIGCONT)
    assert writer.wait(timeout=30) == 0
    out, err = edit.communicate(timeout=30)
    assert edit.returncode == 0, err
    assert out.strip() == 'Switched to context "ctx-00299".'
    doc = yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
    assert doc["current-context"] == "ctx-00299"
    assert len(doc["contexts"]) == 301  # kubectl's edit is kept
    print(f"\ntorn read: kubectl frozen with {torn} of {full} bytes written; kubewallet waited and succeeded")


def test_alternating_kubectl_and_kubewallet_edits_all_land(tmp_path, kubectl):
    path = tmp_path / "config"
    path.write_bytes(small_kubeconfig())
    for i in range(8):
        subprocess.run([kubectl, "--kubeconfig", str(path), "config", "set-context", f"k-{i}",
                        "--cluster", "c", "--namespace", f"k{i}"], check=True, capture_output=True)
        kubewallet("config", "--kubeconfig", str(path), "set-context", f"w-{i}", "--cluster", "c",
                   "--namespace", f"w{i}")
    view = subprocess.run([kubectl, "--kubeconfig", str(path), "config", "get-contexts", "-o", "name"],
                          check=True, capture_output=True, text=True)
    expected = {"base"} | {f"k-{i}" for i in range(8)} | {f"w-{i}" for i in range(8)}
    assert set(view.stdout.split()) == expected
    assert set(context_names(path.read_bytes())) == expected


def _loop(commands: list[tuple[str, list[str]]], log: Path) -> subprocess.Popen:
    """A shell running the commands one after the other, logging `ok NAME` or `fail NAME: err`."""
    lines = ['run() { n=$1; shift; if err=$("$@" 2>&1 >/dev/null); then echo "ok $n"; '
             'else echo "fail $n: $err"; fi; }']
    lines += [shlex.join(["run", name, *argv]) for name, argv in commands]
    return subprocess.Popen(["bash", "-c", "\n".join(lines) + "\n", "loop"],
                            stdout=open(log, "w"))


def _results(log: Path) -> tuple[list[str], list[str]]:
    ok, failed = [], []
    for line in log.read_text().splitlines():
        word, _, rest = line.partition(" ")
        (ok if word == "ok" else failed).append(rest)
    return ok, failed


def test_concurrent_kubectl_and_kubewallet_edits(tmp_path, kubectl):
    """One kubectl loop and two kubewallet loops on a 300 kB file (so kubectl's in-place write
    takes long enough to be caught half-done); kubewallet also switches context, which fails
    if it decides on a torn read that lacks the context."""
    path = tmp_path / "config"
    path.write_bytes(big_kubeconfig(60))
    cfg = str(path)
    k_cmds = [(f"k-{i}", [kubectl, "--kubeconfig", cfg, "config", "set-context", f"k-{i}",
                          "--cluster", "c", "--user", "u"]) for i in range(40)]
    kw = [KUBEWALLET, "config", "--kubeconfig", cfg]
    w_cmds = [[(f"w{p}-{i}", kw + ["set-context", f"w{p}-{i}", "--cluster", "c", "--user", "u"])
               for i in range(12)] for p in range(2)]
    switches = [(f"use-{i}", kw + ["use-context", f"ctx-{i:05}"]) for i in range(10)]
    loops = [_loop(k_cmds, tmp_path / "kubectl.log"), _loop(w_cmds[0], tmp_path / "kw0.log"),
             _loop([c for pair in zip(w_cmds[1], switches) for c in pair] + w_cmds[1][10:],
                   tmp_path / "kw1.log")]
    for loop in loops:
        assert loop.wait(timeout=120) == 0

    k_ok, k_failed = _results(tmp_path / "kubectl.log")
    w_ok, w_failed = [], []
    for p in range(2):
        ok, failed = _results(tmp_path / f"kw{p}.log")
        w_ok += ok
        w_failed += failed
    assert w_failed == []                                  # every kubewallet call succeeded
    w_edits = [n for n in w_ok if n.startswith("w")]
    assert len(w_edits) == 24 and len(w_ok) == 34

    # The file is valid for kubectl and for us.
    view = subprocess.run([kubectl, "--kubeconfig", cfg, "config", "view", "-o", "json"],
                          capture_output=True, text=True)
    assert view.returncode == 0, view.stderr
    present = set(context_names(path.read_bytes()))
    assert {f"ctx-{i:05}" for i in range(60)} <= present
    # kubewallet never overwrote a kubectl edit: every kubectl call that succeeded is there
    # (only kubewallet and this one sequential kubectl loop write, so nothing else could drop it).
    assert set(k_ok) - present == set()
    kubectl_lock_failures = [f for f in k_failed if "file exists" in f]
    assert len(kubectl_lock_failures) == len(k_failed), k_failed  # kubectl fails only on the lock
    lost_by_kubectl = sorted(set(w_edits) - present)
    print(f"\ninterop: kubectl {len(k_ok)}/{len(k_cmds)} edits succeeded, {len(k_failed)} failed "
          f"at once on the lock; kubewallet {len(w_ok)}/34 calls succeeded, {len(lost_by_kubectl)} "
          f"of its 24 edits later dropped by a kubectl write based on an older read; "
          f"0 kubectl edits dropped by kubewallet")
    assert temp_files(tmp_path, "config") == []
