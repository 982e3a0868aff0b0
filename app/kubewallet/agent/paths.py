"""Where the agent's socket lives, and making that place private. Standard library only.

`$KUBEWALLET_AGENT_SOCKET`, else `$XDG_RUNTIME_DIR/kubewallet/agent.sock` (the per-user runtime
directory the XDG spec reserves for sockets: owned by the user, mode 0700), else
`/tmp/kubewallet-UID/agent.sock` in a directory we create 0700 and refuse to use when another
user owns it (the precaution against a planted directory; clients check the same, see `trust`).
"""

from __future__ import annotations

import os
import stat

from kubewallet.errors import AgentError


def socket_path() -> str:
    """A string, not a Path: pathlib costs the plugin's hot path a few milliseconds."""
    explicit = os.environ.get("KUBEWALLET_AGENT_SOCKET")
    if explicit:
        return explicit
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and os.path.isdir(runtime):
        return os.path.join(runtime, "kubewallet", "agent.sock")
    return os.path.join("/tmp", f"kubewallet-{os.getuid()}", "agent.sock")


def ensure_private_dir(directory) -> None:
    """Create the socket's directory 0700, or check that an existing one is ours (then close it
    to others if it is open); the rule is `trust.folder_problem`, the one the clients apply."""
    from kubewallet.agent.trust import folder_problem

    directory = os.fspath(directory)
    os.makedirs(directory, mode=0o700, exist_ok=True)
    st = os.lstat(directory)
    if stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and st.st_mode & 0o077:
        os.chmod(directory, 0o700)
    problem = folder_problem(directory)
    if problem is not None:
        raise AgentError(f"{problem}: the agent will not put its socket there (another user may "
                         "have planted it)", hint="remove it, or set KUBEWALLET_AGENT_SOCKET to a "
                                                  "path in a folder of your own")
