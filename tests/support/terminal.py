"""Running a command with a pseudo-terminal as its stdin/stdout/stderr, as a person at a shell.

The command sees a terminal (so pickers and prompts appear); when `prompt` shows on the screen,
`answer` is typed once, followed by `end` (Enter by default; "" to type only the answer, e.g.
an Esc). `then` continues the conversation: each (prompt, keys) is typed when its prompt shows
after the previous typing (to see a live picker redraw between keystrokes). Returns everything
the screen showed.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import time


def run_on_a_terminal(cmd: list[str], env: dict, *, prompt: bytes, answer: str,
                      timeout: float = 30.0, end: str = "\n",
                      then: tuple[tuple[bytes, str], ...] = ()) -> str:
    master, slave = pty.openpty()
    proc = subprocess.Popen(cmd, env=env, stdin=slave, stdout=slave, stderr=slave, close_fds=True)
    os.close(slave)
    steps = [(prompt, answer + end), *then]
    screen, seen, deadline = b"", 0, time.monotonic() + timeout
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
        if steps and steps[0][0] in screen[seen:]:
            seen = len(screen)
            os.write(master, steps.pop(0)[1].encode())
        if proc.poll() is not None and not ready:
            break
    proc.wait(timeout=5)
    os.close(master)
    return screen.decode(errors="replace")
