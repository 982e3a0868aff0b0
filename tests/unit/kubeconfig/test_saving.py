"""The safe write, piece by piece: mode and owner kept, symlinks followed, backups rotated,
kubectl's lock honoured and reported, a changed file never overwritten, leftovers of killed
writers cleaned."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from kubewallet.errors import KubeconfigError, KubeconfigParseError, LockError
from kubewallet.kubeconfig import LoadingRules, run_edit
from kubewallet.kubeconfig.saving import (BACKUPS_KEPT, ConcurrentChange, atomic_write,
                                          backup_folder_for, clean_stale_temps, directory_lock,
                                          kubectl_lock, list_backups, load_settled, restore_backup)

DOC = b"apiVersion: v1\nkind: Config\ncontexts:\n- name: a\n  context:\n    cluster: c\n    user: u\n"


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_new_file_is_created_user_only(tmp_path):
    path = tmp_path / "sub" / "config"
    atomic_write(path, DOC, expected=None)
    assert path.read_bytes() == DOC
    assert path.stat().st_mode & 0o777 == 0o600
    assert list_backups(path) == []  # nothing was replaced


def test_the_mode_and_owner_of_an_existing_file_are_kept(tmp_path):
    path = tmp_path / "config"
    path.write_bytes(DOC)
    os.chmod(path, 0o640)
    if os.geteuid() == 0:  # as root (`sudo kubewallet`), the user's file stays the user's
        os.chown(path, 4321, 4321)
    atomic_write(path, DOC + b"current-context: a\n", expected=DOC)
    st = path.stat()
    assert st.st_mode & 0o777 == 0o640
    if os.geteuid() == 0:
        assert (st.st_uid, st.st_gid) == (4321, 4321)


def test_a_file_changed_since_it_was_read_is_not_overwritten(tmp_path):
    path = tmp_path / "config"
    path.write_bytes(DOC + b"# kubectl wrote this meanwhile\n")
    with pytest.raises(ConcurrentChange) as info:
        atomic_write(path, b"ours", expected=DOC)
    assert str(path) in str(info.value)
    assert path.read_bytes().endswith(b"meanwhile\n")
    assert list_backups(path) == [] and not (tmp_path / "config.lock").exists()


def test_a_symlinked_kubeconfig_is_written_through_to_its_target(tmp_path):
    real = tmp_path / "dotfiles" / "kubeconfig"
    real.parent.mkdir()
    real.write_bytes(DOC)
    link = tmp_path / "config"
    link.symlink_to(real)
    atomic_write(link, DOC + b"current-context: a\n", expected=DOC)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_bytes().endswith(b"current-context: a\n")
    [backup] = list_backups(link)
    assert backup.origin == real and backup.path.read_bytes() == DOC


def test_every_write_keeps_a_user_only_backup_of_the_last_ten(tmp_path):
    path = tmp_path / "config"
    path.write_bytes(b"version: 0\n")
    for i in range(1, 13):
        atomic_write(path, f"version: {i}\n".encode(), expected=f"version: {i - 1}\n".encode())
    backups = list_backups(path)
    assert len(backups) == BACKUPS_KEPT
    # newest first: the content each write replaced, 11 down to 2
    assert [b.path.read_text() for b in backups] == [f"version: {i}\n" for i in range(11, 1, -1)]
    assert all(b.path.stat().st_mode & 0o777 == 0o600 for b in backups)
    assert backup_folder_for(path).stat().st_mode & 0o777 == 0o700
    assert backups == sorted(backups, key=lambda b: b.taken, reverse=True)


def test_restoring_a_backup_backs_up_what_it_replaces(tmp_path):
    path = tmp_path / "config"
    path.write_bytes(DOC)
    atomic_write(path, DOC + b"current-context: a\n", expected=DOC)
    [backup] = list_backups(path)
    restore_backup(backup, path)
    assert path.read_bytes() == DOC
    newest = list_backups(path)[0]
    assert newest.path.read_bytes() == DOC + b"current-context: a\n"


def test_a_backup_that_no_longer_parses_is_not_restored(tmp_path):
    path = tmp_path / "config"
    path.write_bytes(b"clusters: [unclosed\n")
    atomic_write(path, DOC, expected=b"clusters: [unclosed\n")
    [backup] = list_backups(path)
    with pytest.raises(KubeconfigParseError) as info:
        restore_backup(backup, path)
    assert str(backup.path) in str(info.value)
    assert path.read_bytes() == DOC


def test_temp_files_of_killed_writers_are_removed_and_live_ones_kept(tmp_path):
    path = tmp_path / "config"
    dead = dead_pid()
    leftovers = [tmp_path / f".config.kubewallet-{dead}-123.tmp",
                 tmp_path / f".config.lock.kubewallet-{dead}-456.tmp"]
    live = tmp_path / f".config.kubewallet-{os.getppid()}-789.tmp"
    other = tmp_path / f".other.kubewallet-{dead}-1.tmp"
    for p in leftovers + [live, other]:
        p.write_bytes(b"partial")
    assert sorted(clean_stale_temps(path)) == sorted(leftovers)
    assert live.exists() and other.exists()
    assert not any(p.exists() for p in leftovers)


def test_the_lock_names_our_process_and_is_released(tmp_path):
    path = tmp_path / "config"
    start = Path(f"/proc/{os.getpid()}/stat").read_text().rsplit(")", 1)[1].split()[19]
    with kubectl_lock(path):
        assert (tmp_path / "config.lock").read_text() == f"kubewallet pid {os.getpid()} start {start}\n"
        assert [p.name for p in tmp_path.iterdir()] == ["config.lock"]  # no private file left
    assert list(tmp_path.iterdir()) == []


def test_a_symlink_is_locked_under_both_names(tmp_path):
    real = tmp_path / "real"
    link = tmp_path / "link"
    link.symlink_to(real)
    with kubectl_lock(link):
        assert (tmp_path / "link.lock").exists() and (tmp_path / "real.lock").exists()


def test_a_lock_naming_a_dead_kubewallet_is_removed_at_once_and_said_so(tmp_path, capsys):
    path = tmp_path / "config"
    pid = dead_pid()
    for owner in (f"kubewallet pid {pid}\n", f"kubewallet pid {pid} start 4242\n"):  # older and newer form
        (tmp_path / "config.lock").write_text(owner)
        started = time.monotonic()
        with kubectl_lock(path, wait=10):
            assert (tmp_path / "config.lock").read_text().startswith(f"kubewallet pid {os.getpid()} ")
        assert time.monotonic() - started < 1
        err = capsys.readouterr().err
        assert err.count(f"removed the lock file {tmp_path / 'config.lock'}") == 1
        assert f"kubewallet process {pid}, which is no longer running" in err
    assert list(tmp_path.iterdir()) == []


def test_a_live_kubectl_lock_is_waited_for_then_reported(tmp_path):
    path = tmp_path / "config"
    lock = tmp_path / "config.lock"
    os.close(os.open(lock, os.O_CREAT | os.O_EXCL, 0))  # kubectl's: empty, mode 0
    started = time.monotonic()
    with pytest.raises(LockError) as info:
        with kubectl_lock(path, wait=0.3):
            pass
    assert time.monotonic() - started >= 0.3
    assert str(lock) in str(info.value) and "held by another program" in str(info.value)
    assert lock.exists()  # never removed by us


def test_a_kubectl_lock_released_while_waiting_is_then_taken(tmp_path):
    path = tmp_path / "config"
    lock = tmp_path / "config.lock"
    os.close(os.open(lock, os.O_CREAT | os.O_EXCL, 0))
    threading.Timer(0.2, lock.unlink).start()
    with kubectl_lock(path, wait=5):
        assert lock.read_text().startswith("kubewallet pid ")


def test_our_directory_lock_excludes_a_second_editor(tmp_path):
    with directory_lock([tmp_path]):
        with pytest.raises(LockError) as info:
            with directory_lock([tmp_path], wait=0.2):
                pass
    assert str(tmp_path) in str(info.value)


def test_a_broken_file_is_reported_promptly_with_line_and_column(tmp_path):
    path = tmp_path / "config"
    path.write_bytes(b"apiVersion: v1\nclusters: [unclosed\n")
    started = time.monotonic()
    with pytest.raises(KubeconfigParseError) as info:
        load_settled(LoadingRules.from_env(str(path)))
    assert time.monotonic() - started < 1
    assert info.value.path == str(path) and info.value.line is not None


def test_run_edit_redoes_the_edit_when_the_file_changed_under_it(tmp_path):
    """Another program (kubectl) writes between our read and our write: we read again and
    apply the edit on top of its change instead of overwriting it."""
    path = tmp_path / "config"
    path.write_bytes(DOC)
    calls = []

    def edit(ws):
        calls.append(len(ws.contexts))
        if len(calls) == 1:  # kubectl's write lands after our read
            path.write_bytes(DOC + b"- name: by-kubectl\n  context:\n    cluster: c\n    user: u\n")
        ws.set_entry("contexts", "ours", {"cluster": "c", "user": "u"})

    run_edit(LoadingRules.from_env(str(path)), edit)
    assert calls == [1, 2]
    text = path.read_text()
    assert "by-kubectl" in text and "ours" in text


def test_a_file_system_that_refuses_gives_a_clear_error_and_changes_nothing(tmp_path, monkeypatch):
    path = tmp_path / "config"
    path.write_bytes(DOC)
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocker))  # the backup cannot be written
    with pytest.raises(KubeconfigError) as info:
        atomic_write(path, b"new", expected=DOC)
    assert f"cannot write {path}" in str(info.value)
    assert path.read_bytes() == DOC
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config", "not-a-directory"]
    with pytest.raises(KubeconfigError) as info:
        run_edit(LoadingRules.from_env(str(blocker / "config")), lambda ws: ws.use_context("a"))
    assert str(blocker) in str(info.value)


def test_paths_that_cannot_be_opened_get_kubectls_words_not_a_traceback(tmp_path):
    (tmp_path / "file").write_text("")
    (tmp_path / "loop1").symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(tmp_path / "loop1")
    for path, words in ((tmp_path / "file" / "config", "not a directory"),
                        (tmp_path / "loop1", "too many levels of symbolic links")):
        with pytest.raises(KubeconfigError) as info:
            run_edit(LoadingRules.from_env(str(path)), lambda ws: ws.use_context("a"))
        assert str(info.value) == f'error loading config file "{path}": open {path}: {words}' \
            or str(path.parent) in str(info.value)
