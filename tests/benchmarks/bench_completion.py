"""What a TAB costs, and what the desktop bundle costs at start, side by side (whole processes).

A TAB on a context name runs one process; kubectl's own completion for
`kubectl config use-context <TAB>` runs `kubectl __complete config use-context ""`, so that is the
fair comparison for `kubewallet completion --list contexts` (what our bash/zsh/fish scripts run)
and for `kubectl_complete-wallet use ""` (what `kubectl wallet <TAB>` runs; its command tables come
from a cache in $XDG_CACHE_HOME, warmed by the first call). Workspace: 3 files, N contexts with certificate data
(genconfig.py), N = 100 (a heavy user) and 1,000.

Then start-up: `kubewallet --version` from the venv (as pipx installs it) and from the PyInstaller
bundle (dist/bundle, built by packaging/build-bundle.sh; skipped with a note when absent),
next to `kubectl version --client`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
KUBECTL = os.environ.get("KUBECTL") or str(ROOT / ".cache" / "kubectl" / "kubectl")
RUNS = int(os.environ.get("BENCH_RUNS", "20"))


def hyperfine(commands: dict[str, str], env: dict) -> dict[str, float]:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        argv = ["hyperfine", "-N", "--warmup", "3", "--runs", str(RUNS), "--export-json", out.name]
        for name, cmd in commands.items():
            argv += ["-n", name, cmd]
        subprocess.run(argv, env=env, check=True, capture_output=True)
        results = json.load(open(out.name))["results"]
    return {r["command"]: r["median"] for r in results}


def main() -> int:
    from tests.benchmarks.genconfig import generate

    print("| what one TAB runs (median wall) | contexts | kubewallet | kubectl | kubectl ÷ kubewallet |")
    print("|---|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for n in (100, 1000):
            paths = generate(Path(tmp) / f"ws{n}", contexts=n, files=3)
            env = dict(os.environ, KUBECONFIG=os.pathsep.join(map(str, paths)), PATH=f"{BIN}:{os.environ['PATH']}")
            t = hyperfine({
                "list": f"{BIN}/kubewallet completion --list contexts",
                "plugin": f"{BIN}/kubectl_complete-wallet use ''",
                "kubectl": f"{KUBECTL} __complete config use-context ''",
            }, env)
            print(f"| `kubewallet completion --list contexts` vs `kubectl __complete config use-context` | {n:,} | "
                  f"{t['list']:.3f} s | {t['kubectl']:.3f} s | {t['kubectl'] / t['list']:.2f} |")
            print(f"| `kubectl_complete-wallet use ''` (kubectl wallet <TAB>) vs the same | {n:,} | "
                  f"{t['plugin']:.3f} s | {t['kubectl']:.3f} s | {t['kubectl'] / t['plugin']:.2f} |")
    bundle = next((ROOT / "dist" / "bundle").glob("kubewallet-*-linux-*/kubewallet"), None)
    commands = {"venv": f"{BIN}/kubewallet --version", "kubectl": f"{KUBECTL} version --client"}
    if bundle:
        commands["bundle"] = f"{bundle} --version"
    t = hyperfine(commands, dict(os.environ))
    print()
    print("| start-up (`--version`, median wall) | seconds |")
    print("|---|---:|")
    print(f"| kubewallet from the venv / pipx | {t['venv']:.3f} |")
    if bundle:
        print(f"| kubewallet from the PyInstaller bundle | {t['bundle']:.3f} |")
    else:
        print("| kubewallet from the PyInstaller bundle | (not built: packaging/build-bundle.sh) |")
    print(f"| kubectl version --client | {t['kubectl']:.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
