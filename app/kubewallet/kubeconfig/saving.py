"""Safe saving: kubectl's lock for interoperability, our own lock across read-modify-write,
an atomic replace, the file's mode kept, and a rotating backup of what is replaced.

Why both locks. client-go creates `<file>.lock` with O_EXCL just around its write (and fails at
once when it exists); it reads the file *before* taking it, so two kubectl processes can drop
each other's edits. We honour its lock — never writing while it exists — but hold it only for
the instant of our own write, as kubectl does, so a concurrent kubectl is not made to fail for
longer than kubectl would make itself fail. Across our whole read-modify-write we hold an
`flock` on the kubeconfig's *directory* (a lock on the file itself would be lost when
`os.replace` swaps its inode), which serialises kubewallet processes; and just before replacing
we check that the bytes on disk are still those we read, so an edit kubectl made in between is
never overwritten: the caller reloads and applies its edit again.

A crash at any moment leaves the old file or the new one: the new content is written to a
temporary file in the same directory, flushed and fsynced, then `os.replace`d over the target,
then the directory is fsynced. A symlinked kubeconfig is written through to its target.
"""

from __future__ import annotations

import errno
import fcntl
import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from kubewallet.errors import KubeconfigError, LockError

LOCK_WAIT_SECONDS = float(os.environ.get("KUBEWALLET_LOCK_WAIT", "5"))
STALE_LOCK_SECONDS = 30.0  # kubectl holds its lock for milliseconds; older means a crash
BACKUPS_KEPT = 10


def real_target(path: str | Path) -> Path:
    """The file to replace: a symlink's final target, so the link itself survives."""
    return Path(os.path.realpath(os.path.abspath(path)))


def kubectl_lock_name(target: Path) -> Path:
    return target.with_name(target.name + ".lock")


@contextmanager
def directory_lock(directories: list[Path], wait: float = 30.0) -> Iterator[None]:
    """Exclusive flocks on the given directories (sorted, so two processes never deadlock)."""
    fds: list[int] = []
    try:
        for directory in sorted(set(directories)):
            directory.mkdir(parents=True, exist_ok=True)
            fd = os.open(directory, os.O_RDONLY)
            fds.append(fd)
            deadline = time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise LockError(f"another kubewallet process has been editing files in "
                                        f"{directory} for over {wait:.0f} s",
                                        hint="wait for it to finish, or stop it") from None
                    time.sleep(0.005)
        yield
    finally:
        for fd in fds:
            os.close(fd)  # closing releases the flock


def _lock_is_stale(lock: Path) -> str | None:
    """Why a kubectl-style lock file looks abandoned, or None if it may be live."""
    try:
        st = lock.stat()
        content = lock.read_text(errors="replace").strip()
    except FileNotFoundError:
        return None
    if content.startswith("kubewallet pid "):
        try:
            pid = int(content.split()[2])
            os.kill(pid, 0)
        except (ValueError, IndexError):
            pass
        except ProcessLookupError:
            return f"it names kubewallet process {pid}, which is no longer running"
        except PermissionError:
            pass
    age = time.time() - st.st_mtime
    if age > STALE_LOCK_SECONDS:
        return f"it is {age:.0f} s old, and kubectl holds its lock for milliseconds"
    return None


@contextmanager
def kubectl_lock(target: Path, wait: float | None = None) -> Iterator[None]:
    """client-go's `<file>.lock`: created exclusively; we wait briefly, then fail clearly."""
    lock = kubectl_lock_name(target)
    deadline = time.monotonic() + (LOCK_WAIT_SECONDS if wait is None else wait)
    delay = 0.002
    while True:
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            break
        except FileExistsError:
            stale = _lock_is_stale(lock)
            if stale:
                raise LockError(f"the lock file {lock} was left behind: {stale}",
                                hint=f"if no kubectl or kubewallet is running, remove it: rm {lock}")
            if time.monotonic() > deadline:
                raise LockError(f"{lock} is held by another program (kubectl?) and was not "
                                f"released within {LOCK_WAIT_SECONDS:.0f} s",
                                hint="try again; if it persists, check for a hung kubectl")
            time.sleep(delay)
            delay = min(delay * 2, 0.05)
    try:
        os.write(fd, f"kubewallet pid {os.getpid()}\n".encode())
        os.close(fd)
        yield
    finally:
        try:
            os.unlink(lock)
        except FileNotFoundError:
            pass


def backup_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.environ.get("HOME", "~"), ".local", "state")
    return Path(base) / "kubewallet" / "backups"


def backup_folder_for(target: Path) -> Path:
    import hashlib

    digest = hashlib.sha256(str(target).encode()).hexdigest()[:12]
    return backup_dir() / f"{target.name}-{digest}"


def _write_backup(target: Path, content: bytes) -> Path:
    folder = backup_folder_for(target)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(folder, 0o700)
    (folder / "ORIGIN").write_text(str(target) + "\n")
    from datetime import datetime, timezone

    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
    path = folder / f"{stamp}.yaml"
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(content)
    backups = sorted(folder.glob("*.yaml"))
    for old in backups[:-BACKUPS_KEPT]:
        old.unlink(missing_ok=True)
    return path


class Backup:
    """One kept copy of a kubeconfig as it was before a write."""

    __slots__ = ("origin", "path", "taken", "size")

    def __init__(self, origin: Path, path: Path, taken, size: int) -> None:
        self.origin, self.path, self.taken, self.size = origin, path, taken, size

    def __repr__(self) -> str:
        return f"Backup({str(self.path)!r})"


def list_backups(target: Path | None = None) -> list[Backup]:
    """Every backup kept (newest first), for one file or for all."""
    from datetime import datetime, timezone

    root = backup_dir()
    folders = [backup_folder_for(real_target(target))] if target else sorted(root.glob("*"))
    found: list[Backup] = []
    for folder in folders:
        origin_file = folder / "ORIGIN"
        if not origin_file.exists():
            continue
        origin = Path(origin_file.read_text().strip())
        for path in folder.glob("*.yaml"):
            stamp = datetime.strptime(path.stem, "%Y%m%dT%H%M%S.%fZ").replace(tzinfo=timezone.utc)
            found.append(Backup(origin, path, stamp, path.stat().st_size))
    return sorted(found, key=lambda b: b.taken, reverse=True)


def atomic_write(target: Path, content: bytes, *, expected: bytes | None,
                 backup: bool = True) -> None:
    """Replace `target` with `content`, atomically, under kubectl's lock.

    `expected` is what the caller read (None when the file did not exist): if the file now
    holds something else, another program changed it since, and `ConcurrentChange` is raised
    so the caller can reload and redo its edit instead of overwriting that change.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    with kubectl_lock(target):
        try:
            current: bytes | None = target.read_bytes()
            mode = target.stat().st_mode & 0o7777
        except FileNotFoundError:
            current, mode = None, 0o600
        if current != expected:
            raise ConcurrentChange(target)
        if backup and current is not None:
            _write_backup(target, current)
        tmp = target.with_name(f".{target.name}.kubewallet-{os.getpid()}-{time.monotonic_ns()}.tmp")
        fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(content)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, mode)
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        _fsync_dir(target.parent)


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError as exc:  # some filesystems refuse fsync on a directory
        if exc.errno not in (errno.EINVAL, errno.EBADF):
            raise
    finally:
        os.close(fd)


class ConcurrentChange(KubeconfigError):
    """The file changed on disk between our read and our write (kubectl wrote it)."""

    def __init__(self, target: Path) -> None:
        super().__init__(f"{target} was changed by another program while it was being edited",
                         hint="run the command again")
        self.target = target
