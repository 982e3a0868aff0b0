"""The live fuzzy picker of `kubewallet use` and `kubewallet ns` on a terminal, as kubectx and
kubens give their users through fzf: every keystroke re-filters and re-ranks (the palette's own
ranking, kubeconfig/fuzzy.py), the arrows move, Enter takes the highlighted row, Esc or Ctrl+C
cancels and nothing is written.

With `fzf` on PATH it is used instead (kubectx's rule), unless `KUBEWALLET_IGNORE_FZF` is set
(kubectx's `KUBECTX_IGNORE_FZF`, under our name). Keys are read from stdin and the picker is
drawn on stderr -- the same terminal -- so `kubewallet use --print-env` keeps stdout for the
shell code its caller evaluates. Only the standard library (termios), and only when a picker
opens.
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
from dataclasses import dataclass
from typing import Callable

from kubewallet.kubeconfig.fuzzy import fuzzy_filter

IGNORE_FZF = "KUBEWALLET_IGNORE_FZF"
_SHOWN = 12  # rows drawn under the prompt


@dataclass(frozen=True)
class Row:
    """One choice: `name` is matched, shown and returned; `detail` is shown after it."""

    name: str
    detail: str = ""
    current: bool = False


def pick(rows: list[Row], *, prompt: str, query: str = "", select_one: bool = False,
         new: Callable[[str], Row | None] | None = None) -> str | None:
    """The name the person picked, or None when they cancelled. `new(query)` may offer a row
    for a name that is not in the list yet (a new namespace). With `select_one`, a query that
    matches one row only takes it without asking (fzf's --select-1): `use tea` when only
    team-a matches."""
    if select_one and query:
        matches = fuzzy_filter(query, [r.name for r in rows], limit=2)
        if len(matches) == 1:
            return rows[matches[0][0]].name
    fzf = shutil.which("fzf")
    if fzf and not os.environ.get(IGNORE_FZF):
        return _pick_with_fzf(fzf, rows, prompt, query)
    return _LivePicker(rows, prompt, query, new).run()


def _pick_with_fzf(fzf: str, rows: list[Row], prompt: str, query: str) -> str | None:
    """fzf reads the rows on stdin, draws on /dev/tty and prints the chosen row; it exits 130
    on Esc/Ctrl+C and 1 when nothing matched (both: cancelled). It matches the name column only,
    so a cluster or file name does not pull in rows."""
    width = max((len(r.name) for r in rows), default=0)
    lines = "".join(f"{r.name.ljust(width)}\t{'*' if r.current else ' '} {r.detail}\n" for r in rows)
    done = subprocess.run([fzf, "--ansi", "--no-multi", "--delimiter", "\t", "--nth", "1",
                           "--prompt", f"{prompt}> ", "--query", query],
                          input=lines, stdout=subprocess.PIPE, text=True)
    if done.returncode != 0 or not done.stdout.strip():
        return None
    chosen = done.stdout.split("\t", 1)[0].rstrip()
    return next((r.name for r in rows if r.name == chosen), chosen or None)


class _LivePicker:
    def __init__(self, rows: list[Row], prompt: str, query: str,
                 new: Callable[[str], Row | None] | None) -> None:
        self.rows, self.prompt, self.query, self.new = rows, prompt, query, new
        self.names = [r.name for r in rows]
        self.cursor = 0
        self.drawn = 0
        self.fd = sys.stdin.fileno()
        self.out = sys.stderr
        self.shown = self._filter()

    def _filter(self) -> list[Row]:
        if self.query:
            shown = [self.rows[i] for i, _ in fuzzy_filter(self.query, self.names, limit=len(self.rows))]
        else:
            shown = list(self.rows)
        if self.new is not None and self.query and self.query not in self.names:
            extra = self.new(self.query)
            if extra is not None:
                shown.append(extra)
        return shown

    # ----- the terminal --------------------------------------------------------------------------
    def run(self) -> str | None:
        import termios

        saved = termios.tcgetattr(self.fd)
        raw = termios.tcgetattr(self.fd)
        raw[0] &= ~(termios.ICRNL | termios.IXON)
        raw[3] &= ~(termios.ICANON | termios.ECHO | termios.ISIG)  # Ctrl+C arrives as a key
        raw[6][termios.VMIN], raw[6][termios.VTIME] = 1, 0
        termios.tcsetattr(self.fd, termios.TCSAFLUSH, raw)
        try:
            self._draw()
            while True:
                for key in self._keys():
                    done, value = self._press(key)
                    if done:
                        return value
                self._draw()
        finally:
            self.out.write("\r\x1b[J")
            self.out.flush()
            termios.tcsetattr(self.fd, termios.TCSAFLUSH, saved)

    def _keys(self) -> list[str]:
        """The keys in what the terminal sent (several when typed fast or pasted): a character,
        or a name for Enter, Esc, Backspace, the arrows and the control keys we use."""
        data = os.read(self.fd, 1024)
        if data.endswith(b"\x1b") and select.select([self.fd], [], [], 0.05)[0]:
            data += os.read(self.fd, 1024)  # an arrow key's sequence split across reads
        text = data.decode(errors="ignore")
        keys, i = [], 0
        while i < len(text):
            ch = text[i]
            if ch == "\x1b" and text[i + 1:i + 2] in ("[", "O") and i + 2 < len(text):
                keys.append({"A": "up", "B": "down"}.get(text[i + 2], "ignored"))
                i += 3
                continue
            keys.append({"\r": "enter", "\n": "enter", "\x1b": "esc", "\x03": "cancel", "\x04": "cancel",
                         "\x7f": "backspace", "\x08": "backspace", "\x15": "clear",
                         "\x10": "up", "\x0e": "down"}.get(ch, ch))
            i += 1
        return keys

    def _press(self, key: str) -> tuple[bool, str | None]:
        if key in ("esc", "cancel"):
            return True, None
        if key == "enter":
            return (True, self.shown[self.cursor].name) if self.shown else (False, None)
        if key == "up":
            self.cursor = max(0, self.cursor - 1)
        elif key == "down":
            self.cursor = min(max(0, len(self.shown) - 1), self.cursor + 1)
        elif key in ("backspace", "clear"):
            self.query = self.query[:-1] if key == "backspace" else ""
            self.shown, self.cursor = self._filter(), 0
        elif len(key) == 1 and key.isprintable():
            self.query += key
            self.shown, self.cursor = self._filter(), 0
        return False, None

    def _draw(self) -> None:
        try:
            width = os.get_terminal_size(self.out.fileno()).columns or 80  # 0: a pty never sized
        except OSError:
            width = 80
        top = max(0, self.cursor - _SHOWN + 1)
        visible = self.shown[top:top + _SHOWN]
        name_width = min(max((len(r.name) for r in visible), default=0), width // 2)
        count = f"  {len(self.shown)}/{len(self.rows)}"
        lines = [f"{self.prompt}> {self.query}"[:width - len(count)] + count]
        for n, row in enumerate(visible, top):
            text = f"{'*' if row.current else ' '} {row.name.ljust(name_width)}  {row.detail}"
            text = ("> " if n == self.cursor else "  ") + text
            text = text[:width - 1]
            lines.append(f"\x1b[7m{text}\x1b[0m" if n == self.cursor else text)
        if not self.shown:
            lines.append("  (no match)")
        column = min(len(f"{self.prompt}> {self.query}"), width - 1)
        self.out.write("\r\x1b[J" + "\r\n".join(lines) + f"\x1b[{len(lines) - 1}A\r"
                       + (f"\x1b[{column}C" if column else ""))
        self.out.flush()
