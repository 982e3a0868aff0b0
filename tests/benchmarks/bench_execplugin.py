"""The exec credential plugin as kubectl runs it — a fresh process per call — side by side.

Four whole processes in one hyperfine run (interleaved, same machine state):
- the venv's own `python -c pass`: the floor for any Python plugin (RECIPES.md: the system
  python3 pays a .pth import on every start, so it is not the fair floor);
- `kubewallet credential get` served by the agent (`kubewallet agent start`);
- `kubewallet credential get --no-agent`: the vault read by the plugin itself, its data key from the
  real Secret Service (gnome-keyring on a private D-Bus started here);
- `aws eks get-token` (awscli from PyPI, installed into .cache/bench-awscli; dummy credentials;
  it signs a URL locally, no network): a well-known Python exec plugin.
Goals (issue 5): agent path <= 2x the bare interpreter and >= 10x faster than aws; no agent < 0.1 s.
Then the `python -X importtime` profile of both kubewallet paths (top imports by cumulative time).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks.harness import end_session, hyperfine, print_goals  # noqa: E402
from tests.support.secretservice import start_secret_service  # noqa: E402
PYTHON = sys.executable
KUBEWALLET = str(Path(sys.executable).parent / "kubewallet")
RUNS = int(os.environ.get("BENCH_RUNS", "40"))
AWS_VENV = ROOT / ".cache" / "bench-awscli"
EXEC_INFO = '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":false}}'


def ensure_awscli() -> str:
    aws = AWS_VENV / "bin" / "aws"
    if not aws.exists():
        print("installing awscli into .cache/bench-awscli (once)", file=sys.stderr)
        subprocess.run([PYTHON, "-m", "venv", str(AWS_VENV)], check=True)
        subprocess.run([str(AWS_VENV / "bin" / "python"), "-m", "pip", "install", "-q", "awscli"],
                       check=True)
    return str(aws)


def importtime(args: list[str], env: dict, top: int = 12) -> str:
    out = subprocess.run([PYTHON, "-X", "importtime", *args], env=env, capture_output=True, text=True)
    rows = []
    for line in out.stderr.splitlines():
        if not line.startswith("import time:") or "imported package" in line:
            continue
        head, cum_us, name = line.split("|", 2)
        rows.append((int(cum_us), int(head.split(":")[1]), name.strip()))
    total = sum(s for _, s, _ in rows)
    modules = len(rows)
    lines = [f"    {modules} modules imported, {total / 1000:.1f} ms of import time in total; "
             f"top by cumulative time:"]
    for cum, _self, name in sorted(rows, reverse=True)[:top]:
        lines.append(f"    {cum / 1000:7.1f} ms  {name}")
    return "\n".join(lines)


def main() -> None:
    for tool in ("hyperfine", "dbus-daemon", "gnome-keyring-daemon"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing: run scripts/bootstrap.sh")
    aws = ensure_awscli()
    tmp = Path(tempfile.mkdtemp(prefix="kw-bench-plugin-"))
    env, bus_pid = start_secret_service(tmp)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # measure with bytecode caches, as users run it
    env.update(KUBEWALLET_KEYRING_SERVICE="kubewallet-bench", KUBERNETES_EXEC_INFO=EXEC_INFO,
               KUBEWALLET_NO_AGENT_AUTOSTART="1",
               AWS_ACCESS_KEY_ID="AKIAIOSFODNN7EXAMPLE",
               AWS_SECRET_ACCESS_KEY="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
               AWS_DEFAULT_REGION="eu-west-1", AWS_CONFIG_FILE="/dev/null",
               AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_EC2_METADATA_DISABLED="true")
    subprocess.run([PYTHON, "-m", "compileall", "-q", str(ROOT / "app" / "kubewallet")], env=env)
    token = "eyJhbGciOiJub25lIn0." + "eyJleHAiOjQxMDI0NDQ4MDAsInN1YiI6ImJlbmNoIn0" + ".c2ln"
    subprocess.run([PYTHON, "-c", "import json, sys; from kubewallet.vault import open_vault; "
                    "open_vault().put('users/bench', json.dumps({'token': sys.argv[1]}), "
                    "meta={'kind': 'token', 'user': 'bench', 'expires': '2100-01-01T00:00:00Z'})",
                    token], env=env, check=True)
    subprocess.run([KUBEWALLET, "agent", "start"], env=env, check=True, capture_output=True)
    try:
        get = f"{KUBEWALLET} credential get --user bench --ref users/bench"
        check = subprocess.run(get.split(), env=env, capture_output=True, text=True)
        assert token in check.stdout, check.stderr
        names = ["python -c pass (venv)", "kubewallet credential get (agent)",
                 "kubewallet credential get (no agent, Secret Service)", "aws eks get-token"]
        results = hyperfine([f"{PYTHON} -c pass", get, get + " --no-agent",
                             f"{aws} eks get-token --cluster-name bench"], names, env, runs=RUNS, warmup=5)
        med = [r["median"] for r in results]
        print(f"\n### Exec credential plugin: one kubectl credential request, whole process "
              f"(median of {RUNS}, hyperfine -N)\n")
        print("| command | median | mean ± σ | × python -c pass | aws eks get-token ÷ this |")
        print("|---|---:|---:|---:|---:|")
        for r, m in zip(results, med):
            print(f"| {r['command']} | {m * 1000:.1f} ms | {r['mean'] * 1000:.1f} ± {r['stddev'] * 1000:.1f} ms "
                  f"| {m / med[0]:.2f}× | {med[3] / m:.1f}× |")
        load = os.getloadavg()[0]
        print(f"\n(load average {load:.1f} on {os.cpu_count()} CPUs while measuring: on a busy machine "
              "every row slows down; the ratios hold better than the absolute times)\n")
        goals = [("agent path ≤ 2× bare interpreter", med[1] <= 2 * med[0], f"{med[1] / med[0]:.2f}×"),
                 ("agent path ≥ 10× faster than aws eks get-token", med[3] >= 10 * med[1],
                  f"{med[3] / med[1]:.1f}×"),
                 ("no-agent path < 0.1 s", med[2] < 0.1, f"{med[2] * 1000:.0f} ms")]
        print_goals(goals)
        print("\nImport profile (`python -X importtime`), through the agent:\n")
        print(importtime([KUBEWALLET, "credential", "get", "--ref", "users/bench"], env))
        print("\nImport profile without the agent (vault read by the plugin):\n")
        print(importtime([KUBEWALLET, "credential", "get", "--ref", "users/bench", "--no-agent"], env))
    finally:
        end_session(KUBEWALLET, env, bus_pid, tmp)


if __name__ == "__main__":
    main()
