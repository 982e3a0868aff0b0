"""kubewallet vs kubectl on the everyday kubeconfig commands, as whole processes, side by side.

Workspace: 3 files holding 1,000 contexts, 1,000 users (with certificate data) and 1,000
clusters (tests/benchmarks/genconfig.py), and an ordinary 20-context kubeconfig for `use`.
Each pair runs under hyperfine in one invocation (interleaved warm-ups, same machine state), and
the table reports medians and the ratio kubewallet/kubectl (below 1.0: kubewallet is faster).
Commands that write alternate between two contexts so every run really writes the file.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks.genconfig import generate  # noqa: E402

KUBECTL = os.environ.get("KUBECTL", str(ROOT / ".cache" / "kubectl" / "kubectl"))
KUBEWALLET = str(Path(sys.executable).parent / "kubewallet")
PYTHON = sys.executable
RUNS = int(os.environ.get("BENCH_RUNS", "15"))


def hyperfine(commands: list[str], env: dict, prepare: str | None = None) -> list[float]:
    """Median seconds of each command."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        cmd = ["hyperfine", "-N", "--warmup", "2", "--runs", str(RUNS), "--export-json", out.name]
        if prepare:
            cmd += ["--prepare", prepare]
        subprocess.run(cmd + commands, env=env, check=True, capture_output=True)
        results = json.loads(Path(out.name).read_text())["results"]
    return [r["median"] for r in results]


def main() -> None:
    if not shutil.which("hyperfine"):
        sys.exit("hyperfine is missing: run scripts/bootstrap.sh")
    work = Path(tempfile.mkdtemp(prefix="kw-bench-"))
    big = generate(work / "big", 1000, 3)
    small = generate(work / "small", 20, 1)
    env_big = dict(os.environ, KUBECONFIG=os.pathsep.join(map(str, big)))
    env_small = dict(os.environ, KUBECONFIG=str(small[0]))
    size = sum(p.stat().st_size for p in big) / 1e6
    rows = []
    pairs = [
        ("config view -o json", "config view -o json", "config view -o json"),
        ("config get-contexts -o name", "config get-contexts -o name", "config get-contexts -o name"),
        ("config view -o jsonpath={.contexts[*].context.cluster}", "config view -o jsonpath={.contexts[*].context.cluster}",
         "config view -o jsonpath={.contexts[*].context.cluster}"),
        ("config use-context (writes)", "config use-context context-0001", "config use-context context-0001"),
        ("use (writes)", "use context-0001", "config use-context context-0001"),
    ]
    # Writing commands: a prepare step switches back first, so each timed run writes.
    reset = f"{KUBECTL} config use-context context-0000"
    for label, ours, theirs in pairs:
        prepare = reset if "writes" in label else None
        kw, kc = hyperfine([f"{KUBEWALLET} {ours}", f"{KUBECTL} {theirs}"], env_big, prepare)
        rows.append((f"{label}, 1,000 contexts ({size:.1f} MB, 3 files)", kw, kc))
    reset_small = f"{KUBECTL} config use-context context-0000"
    kw, kc, bare = hyperfine([f"{KUBEWALLET} use context-0001", f"{KUBECTL} config use-context context-0001",
                              f"{PYTHON} -c pass"], env_small, reset_small)
    rows.append(("use (writes), 20 contexts", kw, kc))
    print("| command | kubewallet | kubectl 1.35 | ratio (kubewallet/kubectl) |")
    print("|---|---|---|---|")
    for label, kw_s, kc_s in rows:
        print(f"| `{label}` | {kw_s * 1000:.0f} ms | {kc_s * 1000:.0f} ms | {kw_s / kc_s:.2f} |")
    print(f"\nvenv `python -c pass`: {bare * 1000:.0f} ms (the floor for any Python command). "
          f"Goal for `use` on 20 contexts: under 80 ms wall; measured {rows[-1][1] * 1000:.0f} ms.")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
