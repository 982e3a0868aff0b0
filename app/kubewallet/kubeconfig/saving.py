"""Safe saving: kubectl's lock for interoperability, our own lock across read-modify-write,
an atomic replace, the file's mode and owner kept, and a rotating backup of what is replaced.

Why both locks. client-go (`clientcmd.ModifyConfig` → `lockFile`) creates `<file>.lock` with
O_EXCL just around its write, naming the file as it was given (a symlink's own name, not its
target), and fails at once when the lock exists; it reads the file *before* taking it, so two
kubectl processes can drop each other's edits. We honour its lock — never writing while it
exists, under the name kubectl uses and under the resolved target's name — but hold it only for
the instant of our own write, as kubectl does, so a concurrent kubectl is not made to fail for
longer than kubectl would make itself fail. Across our whole read-modify-write we hold an
`flock` on the kubeconfig's *directory* (a lock on the file itself would be lost when
`os.replace` swaps its inode), which serialises kubewallet processes; and just before replacing
we check that the bytes on disk are still those we read, so an edit kubectl made in between is
never overwritten: the caller reloads and applies its edit again.

kubectl writes in place (`os.WriteFile`: truncate, then write), so a reader can catch its file
half-written. `load_settled` treats a parse error seen while kubectl may be writing as a torn
read: it waits for kubectl's lock to go and reads again before reporting the file as broken.

A crash at any moment leaves the old file or the new one: the new content is written to a
temporary file in the same directory, flushed and fsynced, then `os.replace`d over the target,
then the directory is fsynced. A killed writer can leave its temporary file and its lock
behind: the next writer removes temporary files of processes that no longer run. Our lock names
our process (pid and start time, so a reused pid is told apart); the next kubewallet removes
such a lock once that process is gone, and says so on stderr, so a crashed kubewallet never
leaves kubectl refusing every edit. A lock anyone else holds -- kubectl's, which is empty, or
one naming a live process -- is only waited on and reported, never removed.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import sys
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from kubewallet.errors import KubeconfigError, KubeconfigParseError, LockError

# Every switch (`kubewallet use`) imports this module: no typing, dataclasses or re here
# (together they cost more than half of kubectl's whole use-context run).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

    from kubewallet.kubeconfig.loading import LoadingRules
    from kubewallet.kubeconfig.workspace import Workspace

LOCK_WAIT_SECONDS = float(os.environ.get("KUBEWALLET_LOCK_WAIT", "5"))
STALE_LOCK_SECONDS = 30.0  # kubectl holds its lock for milliseconds; older means a crash
BACKUPS_KEPT = 10
_STAMP = "%Y%m%dT%H%M%S.%fZ"


def real_target(path: str | Path) -> Path:
    """The file to replace: a symlink's final target, so the link itself survives."""
    return Path(os.path.realpath(os.path.abspath(path)))


def kubectl_lock_name(target: Path) -> Path:
    return target.with_name(target.name + ".lock")


def lock_names(path: str | Path) -> list[Path]:
    """Every lock file a writer of `path` must hold: kubectl's (on the name as given, which is
    what client-go locks) and, for a symlink, the target's (what a kubectl pointed at the target
    directly locks). Sorted, so two writers always take them in the same order."""
    named = Path(os.path.abspath(path))
    return sorted({kubectl_lock_name(named), kubectl_lock_name(real_target(path))})


@contextmanager
def directory_lock(directories: list[Path], wait: float = 30.0) -> Iterator[None]:
    """Exclusive flocks on the given directories (sorted, so two processes never deadlock)."""
    fds: list[int] = []
    try:
        for directory in sorted(set(directories)):
            try:
                directory.mkdir(parents=True, exist_ok=True)
                fd = os.open(directory, os.O_RDONLY)
            except OSError as exc:
                raise KubeconfigError(f"cannot use the directory {directory}: "
                                      f"{exc.strerror or exc}") from None
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


def _pid_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True




def _proc_stat(pid: int) -> list[bytes] | None:
    """`/proc/PID/stat` from field 3 (state) on, or None where it cannot be read."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
    except OSError:
        return None
    fields = stat[stat.rindex(b")") + 2:].split()  # the command name may hold spaces and ')'
    return fields if len(fields) > 19 else None


def process_start(pid: int) -> str | None:
    """When process `pid` started (`/proc/PID/stat` field 22, clock ticks since boot), or None
    where that cannot be read. With the pid it names one process for the machine's uptime:
    a pid alone is reused once its process is gone."""
    fields = _proc_stat(pid)
    return fields[19].decode() if fields else None


def _lock_owner_text() -> str:
    start = process_start(os.getpid())
    return f"kubewallet pid {os.getpid()}" + (f" start {start}" if start else "") + "\n"


def _read_lock(lock: Path) -> str | None:
    try:
        return lock.read_text(errors="replace")
    except FileNotFoundError:
        return None
    except OSError:  # kubectl creates it with mode 0: unreadable, and so not ours
        return ""


def _abandoned_by_us(content: str) -> int | None:
    """The pid of the kubewallet that wrote this lock content, if that process is gone (not
    running, or its pid now belongs to a process that started at another time)."""
    words = content.split()  # "kubewallet pid PID [start TICKS]"
    if words[:2] != ["kubewallet", "pid"] or len(words) not in (3, 5) or not words[2].isdigit():
        return None
    if len(words) == 5 and (words[3] != "start" or not words[4].isdigit()):
        return None
    pid, start = int(words[2]), (words[4] if len(words) == 5 else None)
    if pid == os.getpid() or not _pid_running(pid):
        return None if pid == os.getpid() else pid
    fields = _proc_stat(pid)
    if fields is not None and fields[0] in (b"Z", b"X"):  # killed, not yet reaped by its parent
        return pid
    if start is not None and fields is not None and fields[19].decode() != start:
        return pid  # the pid now belongs to another process
    return None


def _remove_abandoned(lock: Path) -> bool:
    """Remove `lock` if it is ours and its writer is gone; say so on stderr. The lock is first
    renamed to a private name and checked again there, so a lock taken meanwhile by a live
    writer is put back, never deleted."""
    content = _read_lock(lock)
    pid = _abandoned_by_us(content or "")
    if pid is None:
        return False
    private = lock.with_name(f".{lock.name}.kubewallet-{os.getpid()}-{time.monotonic_ns()}.tmp")
    try:
        os.rename(lock, private)
    except FileNotFoundError:
        return True  # gone meanwhile: nothing blocks any more
    if _read_lock(private) != content:
        try:
            os.link(private, lock)
        except FileExistsError:
            pass
        os.unlink(private)
        return False
    os.unlink(private)
    sys.stderr.write(f"kubewallet: removed the lock file {lock} left by kubewallet process {pid}, "
                     "which is no longer running\n")
    return True


def _lock_is_stale(lock: Path) -> str | None:
    """Why a kubectl-style lock file looks abandoned, or None if it may be live.

    kubectl's own lock is empty (and mode 0, unreadable to anyone but root): only its age can
    tell, and it is reported, never removed (kubectl may be stopped, not gone).
    """
    try:
        st = lock.stat()
    except FileNotFoundError:
        return None
    age = time.time() - st.st_mtime
    if age > STALE_LOCK_SECONDS:
        return (f"it is {age:.0f} s old, and kubectl and kubewallet hold it for milliseconds "
                f"(a process that held it was probably killed)")
    return None


def _take_one(lock: Path) -> bool:
    """Create `lock` exclusively, already naming our process.

    Creating it empty and then writing the owner would leave an empty lock — indistinguishable
    from kubectl's — if we were killed in between. So the owner goes into a private file first,
    which is then hard-linked to the lock name (as exclusive as O_EXCL: link fails if the name
    exists). Filesystems without hard links get O_EXCL and a write.
    """
    owner = _lock_owner_text().encode()
    private = lock.with_name(f".{lock.name}.kubewallet-{os.getpid()}-{time.monotonic_ns()}.tmp")
    fd = os.open(private, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    try:
        os.write(fd, owner)
    finally:
        os.close(fd)
    try:
        os.link(private, lock)
        return True
    except FileExistsError:
        return False
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.EXDEV):
            raise
    finally:
        os.unlink(private)
    try:
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return False
    try:
        os.write(fd, owner)
    finally:
        os.close(fd)
    return True


def _blocked(lock: Path, deadline: float, limit: float) -> None:
    """Raise the error for a lock we cannot take: at once if it looks abandoned, else once the
    wait is over; return (so the caller waits on, or tries again) while a live kubectl may
    still release it, or once a lock of a kubewallet that is gone has been removed."""
    if _remove_abandoned(lock):
        return
    stale = _lock_is_stale(lock)
    if stale:
        raise LockError(f"the lock file {lock} was left behind: {stale}",
                        hint=f"if no kubectl or kubewallet is running, remove it: rm {lock}")
    if time.monotonic() > deadline:
        raise LockError(f"{lock} is held by another program (kubectl?) and was not "
                        f"released within {limit:g} s",
                        hint="try again; if it persists, check for a hung kubectl")


@contextmanager
def kubectl_lock(path: str | Path, wait: float | None = None) -> Iterator[None]:
    """client-go's `<file>.lock`, created exclusively (for a symlink: on the link's name and on
    the target's). We wait briefly while kubectl holds it, then fail clearly; a lock that looks
    abandoned is reported at once, not waited on."""
    limit = LOCK_WAIT_SECONDS if wait is None else wait
    locks = lock_names(path)
    deadline = time.monotonic() + limit
    delay = 0.002
    while True:
        taken: list[Path] = []
        busy: Path | None = None
        for lock in locks:
            if _take_one(lock):
                taken.append(lock)
            else:
                busy = lock
                break
        if busy is None:
            break
        for lock in taken:  # all or nothing, so two writers never hold one lock each
            lock.unlink(missing_ok=True)
        _blocked(busy, deadline, limit)
        time.sleep(delay)
        delay = min(delay * 2, 0.05)
    try:
        yield
    finally:
        for lock in taken:
            lock.unlink(missing_ok=True)


def wait_for_writer(paths: list[str], deadline: float, limit: float) -> None:
    """Wait while kubectl holds the lock of one of `paths` (it is writing that file in place);
    raise `LockError` as a write would, for an abandoned lock or at the deadline."""
    while True:
        held = next((lock for p in paths for lock in lock_names(p) if lock.exists()), None)
        if held is None:
            return
        _blocked(held, deadline, limit)
        time.sleep(0.003)


def _signature(paths: list[str]) -> tuple[list, bool]:
    """What changes when any program writes one of the files; and whether kubectl's lock on one
    of them is held."""
    stats: list = []
    for p in paths:
        try:
            st = os.stat(p)
            stats.append((st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns))
        except OSError:
            stats.append(None)
    return stats, any(lock.exists() for p in paths for lock in lock_names(p))


def load_settled(rules: "LoadingRules", tries: int = 8) -> "Workspace":
    """`load_workspace` for an edit: a read that overlapped kubectl's in-place write is made again.

    kubectl truncates the file and then writes it while holding its lock, so a reader can see
    it empty (measured: 49 of 157 reads taken while kubectl loops over a 1.5 MB file) or cut
    off. Empty parses as an empty kubeconfig, so an edit would act on a file without the entry
    it names ("no context exists"). We therefore wait for kubectl's lock to go, read, and
    accept the read only if no lock appeared and the files were not changed meanwhile. Our own
    writers cannot interfere: the caller holds our directory lock.
    """
    from kubewallet.kubeconfig.workspace import load_workspace

    paths = list(rules.precedence)
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    for attempt in range(tries):
        wait_for_writer(paths, deadline, LOCK_WAIT_SECONDS)
        before = _signature(paths)
        error: KubeconfigParseError | None = None
        try:
            ws = load_workspace(rules)
        except KubeconfigParseError as exc:
            error = exc
        after = _signature(paths)
        settled = after[0] == before[0] and not before[1] and not after[1]
        if settled or attempt == tries - 1:
            if error is not None:
                raise error
            return ws
        time.sleep(0.002 * (attempt + 1))
    raise AssertionError("unreachable")  # pragma: no cover


# ----- temporary files of killed writers --------------------------------------------------------

def temp_name(target: Path) -> Path:
    return target.with_name(f".{target.name}.kubewallet-{os.getpid()}-{time.monotonic_ns()}.tmp")


def _temp_writer(name: str, target: str) -> int | None:
    """The pid in `.<target>[.lock].kubewallet-<pid>-<n>.tmp`, or None for any other name."""
    for prefix in (f".{target}.kubewallet-", f".{target}.lock.kubewallet-"):
        if name.startswith(prefix) and name.endswith(".tmp"):
            pid, dash, n = name[len(prefix):-len(".tmp")].partition("-")
            if pid.isdigit() and dash and n.isdigit():
                return int(pid)
    return None


def clean_stale_temps(target: Path) -> list[Path]:
    """Remove `.<name>.kubewallet-<pid>-*.tmp` (new content) and `.<name>.lock.kubewallet-...`
    (a lock being taken) files whose writer no longer runs: it was killed between creating and
    renaming or unlinking them. Files of live processes are left alone."""
    removed: list[Path] = []
    try:
        names = os.listdir(target.parent)
    except OSError:
        return removed
    for name in names:
        pid = _temp_writer(name, target.name)
        if pid is not None and pid != os.getpid() and not _pid_running(pid):
            try:
                os.unlink(target.parent / name)
                removed.append(target.parent / name)
            except FileNotFoundError:
                pass
    return removed


# ----- backups ----------------------------------------------------------------------------------

def backup_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.environ.get("HOME", "~"), ".local", "state")
    return Path(base) / "kubewallet" / "backups"


def backup_folder_for(target: Path) -> Path:
    digest = hashlib.sha256(str(target).encode()).hexdigest()[:12]
    return backup_dir() / f"{target.name}-{digest}"


def _write_backup(target: Path, content: bytes) -> Path:
    """Keep `content` (what is about to be replaced) as the newest of the last BACKUPS_KEPT
    backups of `target`; user-only, as the kubeconfig holds credentials."""
    folder = backup_folder_for(target)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(folder, 0o700)
    origin = folder / "ORIGIN"
    if not origin.exists() or origin.read_text().strip() != str(target):
        tmp = folder / f".ORIGIN.{os.getpid()}"
        tmp.write_text(str(target) + "\n")
        os.replace(tmp, origin)
    while True:
        stamp = datetime.now(timezone.utc).strftime(_STAMP)
        path = folder / f"{stamp}.yaml"
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            break
        except FileExistsError:  # two writes in the same microsecond
            time.sleep(0.000_01)
    with os.fdopen(fd, "wb") as fh:
        fh.write(content)
    backups = sorted(p for p in folder.glob("*.yaml") if _looks_like_stamp(p.stem))
    for old in backups[:-BACKUPS_KEPT]:
        old.unlink(missing_ok=True)
    return path


def _looks_like_stamp(stem: str) -> bool:
    """`_STAMP`'s shape (20261205T143327.123456Z) without strptime, which imports re and locale
    on every write."""
    return (len(stem) == 23 and stem[8] == "T" and stem[15] == "." and stem[-1] == "Z"
            and (stem[:8] + stem[9:15] + stem[16:22]).isdigit())


def _stamp_of(path: Path) -> datetime | None:
    try:
        return datetime.strptime(path.stem, _STAMP).replace(tzinfo=timezone.utc)
    except ValueError:
        return None


class Backup:
    """One kept backup: of `origin`, stored at `path`, taken at `taken` (UTC), `size` bytes."""

    __slots__ = ("origin", "path", "taken", "size")

    def __init__(self, origin: Path, path: Path, taken: datetime, size: int) -> None:
        self.origin, self.path, self.taken, self.size = origin, path, taken, size

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Backup) and (self.origin, self.path, self.taken, self.size) == (
            other.origin, other.path, other.taken, other.size)

    def __hash__(self) -> int:
        return hash((self.origin, self.path, self.taken, self.size))

    def __repr__(self) -> str:
        return f"Backup({str(self.path)!r}, taken={self.taken.isoformat()}, size={self.size})"


def list_backups(target: str | Path | None = None) -> list[Backup]:
    """Every backup kept (newest first), for one file (a symlink counts as its target) or all."""
    root = backup_dir()
    folders = [backup_folder_for(real_target(target))] if target else sorted(root.glob("*"))
    found: list[Backup] = []
    for folder in folders:
        try:
            origin = Path((folder / "ORIGIN").read_text().strip())
        except OSError:
            continue
        for path in folder.glob("*.yaml"):
            stamp = _stamp_of(path)
            if stamp is None:
                continue
            try:
                size = path.stat().st_size
            except FileNotFoundError:  # rotated away meanwhile
                continue
            found.append(Backup(origin, path, stamp, size))
    return sorted(found, key=lambda b: (b.taken, str(b.path)), reverse=True)


# ----- the write ----------------------------------------------------------------------------------

def atomic_write(path: str | Path, content: bytes, *, expected: bytes | None,
                 backup: bool = True) -> None:
    """Replace the file at `path` (a symlink's target) with `content`, atomically, under
    kubectl's lock.

    `expected` is what the caller read (None when the file did not exist): if the file now
    holds something else, another program changed it since, and `ConcurrentChange` is raised
    so the caller can reload and redo its edit instead of overwriting that change.
    A file system that refuses (permissions, read-only, full) gives a `KubeconfigError`
    naming the file; the file is then unchanged.
    """
    target = real_target(path)
    try:
        _atomic_write(path, target, content, expected, backup)
    except OSError as exc:
        where = exc.filename or target
        raise KubeconfigError(f"cannot write {target}: {exc.strerror or exc} ({where})",
                              hint="kubewallet writes a temporary file and a lock file next to "
                                   "the kubeconfig, and a backup under "
                                   f"{backup_dir()}: all must be writable") from None


def _atomic_write(path: str | Path, target: Path, content: bytes, expected: bytes | None,
                  backup: bool) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    for name in {target, Path(os.path.abspath(path))}:
        clean_stale_temps(name)
    with kubectl_lock(path):
        try:
            current: bytes | None = target.read_bytes()
            st: os.stat_result | None = target.stat()
        except FileNotFoundError:
            current, st = None, None
        if current != expected:
            raise ConcurrentChange(target)
        if backup and current is not None:
            _write_backup(target, current)
        tmp = temp_name(target)
        fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(content)
                fh.flush()
                if st is not None:
                    _keep_owner(fh.fileno(), st)
                    os.fchmod(fh.fileno(), st.st_mode & 0o7777)
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        _fsync_dir(target.parent)


def _keep_owner(fd: int, st: os.stat_result) -> None:
    """kubectl writes in place, so the file keeps its owner; a replace would give it to us.
    `sudo kubewallet ...` on a user's kubeconfig must not leave it owned by root."""
    if (st.st_uid, st.st_gid) == (os.geteuid(), os.getegid()):
        return
    try:
        os.fchown(fd, st.st_uid, st.st_gid)
    except PermissionError:  # not root: the group at most could change; keep what we can
        try:
            os.fchown(fd, -1, st.st_gid)
        except PermissionError:
            pass


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


def restore_backup(backup: Backup, target: str | Path | None = None) -> Path:
    """Put `backup` back in place of its kubeconfig, through the same safe write (so what it
    replaces is itself backed up). The backup must still be a valid kubeconfig."""
    from kubewallet.kubeconfig.workspace import read_kubeconfig

    dest = Path(target) if target is not None else backup.origin
    try:
        content = backup.path.read_bytes()
    except OSError as exc:
        raise KubeconfigError(f"cannot read the backup {backup.path}: {exc.strerror}") from None
    read_kubeconfig(str(backup.path))  # raises KubeconfigParseError naming the backup
    with directory_lock([real_target(dest).parent]):
        try:
            current: bytes | None = real_target(dest).read_bytes()
        except FileNotFoundError:
            current = None
        for _ in range(20):
            try:
                atomic_write(dest, content, expected=current)
                return real_target(dest)
            except ConcurrentChange:
                current = real_target(dest).read_bytes()
    raise ConcurrentChange(real_target(dest))


class ConcurrentChange(KubeconfigError):
    """The file changed on disk between our read and our write (kubectl wrote it)."""

    def __init__(self, target: Path) -> None:
        super().__init__(f"{target} was changed by another program while it was being edited",
                         hint="run the command again")
        self.target = target
