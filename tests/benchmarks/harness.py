"""What the whole-process benchmarks share: hyperfine's medians as JSON."""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path


def hyperfine(commands: list[str], names: list[str], env: dict, *, runs: int, warmup: int = 3,
              ignore_failure: bool = False) -> list[dict]:
    """hyperfine's result records (mean, median, stddev...) of `commands`, run side by side;
    `ignore_failure` for commands whose non-zero exit is the expected answer."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        cmd = ["hyperfine", "-N", "--warmup", str(warmup), "--runs", str(runs), "--export-json", out.name]
        if ignore_failure:
            cmd.append("-i")
        for name in names:
            cmd += ["-n", name]
        subprocess.run(cmd + commands, env=env, check=True, capture_output=True)
        return json.loads(Path(out.name).read_text())["results"]


def print_goals(goals: list[tuple[str, bool, str]]) -> None:
    """One line per goal of the issue: met or MISSED, with the measured figure."""
    for text, ok, figure in goals:
        print(f"- {'met' if ok else 'MISSED'}: {text} ({figure})")


def end_session(kubewallet: str, env: dict, bus_pid: int, tmp) -> None:
    """Stop the agent a benchmark started, its private D-Bus (and keyring), and remove its files."""
    import os
    import shutil
    import signal

    subprocess.run([kubewallet, "agent", "stop"], env=env, capture_output=True)
    os.kill(bus_pid, signal.SIGTERM)
    shutil.rmtree(tmp, ignore_errors=True)
