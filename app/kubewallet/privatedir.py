"""A folder only this user can write: the rule for every place a secret or a token is read from.

Standard library only (the token cache checks it on every kubectl call: one `lstat`). A folder
another user created first — `/tmp/kubewallet-UID/`, a `--token-cache-dir` under a shared path —
could hold a planted socket or a planted token; the ssh-agent rule answers that: use a folder
only when `lstat` shows a real directory (not a symlink), owned by our uid, with no access for
group or others (0700). Our own folder with looser bits is tightened, never trusted as it is.
"""

from __future__ import annotations

import os
import stat


def private_dir_problem(directory: str) -> str | None:
    """Why `directory` is not private to us (None when it is, or when it does not exist)."""
    try:
        st = os.lstat(directory)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"cannot be examined ({exc.strerror})"
    if stat.S_ISLNK(st.st_mode):
        return "is a symbolic link"
    if not stat.S_ISDIR(st.st_mode):
        return "is not a directory"
    if st.st_uid != os.getuid():
        return f"belongs to uid {st.st_uid}, not to you (uid {os.getuid()})"
    if st.st_mode & 0o077:
        return f"is open to other users (mode {stat.S_IMODE(st.st_mode):04o}, not 0700)"
    return None


def ensure_private_dir(directory: str) -> str | None:
    """Create `directory` 0700 or make sure an existing one is ours (tightening its mode to 0700
    when it is ours and merely loose). Returns why it cannot be used, or None."""
    os.makedirs(directory, mode=0o700, exist_ok=True)
    problem = private_dir_problem(directory)
    if problem and problem.startswith("is open to other users"):
        os.chmod(directory, 0o700, follow_symlinks=False)
        problem = private_dir_problem(directory)
    return problem
