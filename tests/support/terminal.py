"""Running a command with a pseudo-terminal as its stdin/stdout/stderr, as a person at a shell.

The command sees a terminal (so pickers and prompts appear); when `prompt` shows on the screen,
`answer` is typed once. Returns everything the screen showed.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import time


def run_on_a_terminal(cmd: list[str], env: dict, *, prompt: bytes, answer: str,
                      timeout: float = 30.0) -> str:
    master, slave = pty.openpty()
    proc = subprocess.Popen(cmd, env=env, stdin=slave, stdout=slave, stderr=slave, close_fds=True)
    os.close(slave)
    screen, typed, deadline = b"", False, time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the command closed the terminal
                break
            if not chunk:
                break
            screen += chunk
        if not typed and prompt in screen:
            os.write(master, answer.encode() + b"\n")
            typed = True
        if proc.poll() is not None and not ready:
            break
    proc.wait(timeout=5)
    os.close(master)
    return screen.decode(errors="replace")
