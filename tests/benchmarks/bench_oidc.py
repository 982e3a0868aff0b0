"""`kubewallet oidc-login get-token` as kubectl runs it — a fresh process per call — side by side.

Whole processes in one hyperfine run (interleaved, same machine state):
- the venv's own `python -c pass`: the floor for any Python plugin (RECIPES.md);
- `kubewallet credential get` served by the agent: the plugin path of the credentials issue,
  the bar the issue sets ("as fast as the credential plugin");
- `get-token` serving a cached id_token (what nearly every kubectl call hits): stdlib only;
- `get-token --force-refresh`: a silent refresh against the real provider on loopback
  (discovery, the token endpoint, the JWKS, the signature check; refresh token from the vault on
  a real Secret Service), the path taken once per id_token lifetime.
Then the `python -X importtime` profile of the cached path. The provider is panva's oidc-provider
(tests/oidc_provider), so the refresh figure includes a real provider's work on this machine.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks.harness import hyperfine  # noqa: E402
from tests.support.secretservice import start_secret_service  # noqa: E402
PYTHON = sys.executable
KUBEWALLET = str(Path(sys.executable).parent / "kubewallet")
RUNS = int(os.environ.get("BENCH_RUNS", "40"))
EXEC_INFO = ('{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",'
             '"spec":{"interactive":false}}')


def importtime(args: list[str], env: dict) -> tuple[float, list[tuple[float, str]], set[str]]:
    """(total ms of top-level imports, the 8 largest top-level ones, every module name)."""
    err = subprocess.run([PYTHON, "-X", "importtime", "-m", "kubewallet", *args], env=env,
                         capture_output=True, text=True).stderr
    top, names = [], set()
    for line in err.splitlines():
        if not line.startswith("import time:"):
            continue
        parts = line[len("import time:"):].split("|")
        if len(parts) != 3 or not parts[1].strip().isdigit():
            continue
        name = parts[2][1:]
        names.add(name.strip())
        if not name.startswith(" "):
            top.append((int(parts[1]) / 1000, name))
    return sum(ms for ms, _ in top), sorted(top, reverse=True)[:8], names


def main() -> int:
    from tests.oidc_provider.harness import start_provider

    tmp = Path(tempfile.mkdtemp(prefix="bench-oidc-"))
    env, bus_pid = start_secret_service(tmp, XDG_CACHE_HOME=str(tmp / "cache"), KUBEWALLET_KEYRING_SERVICE="kubewallet-bench-oidc")
    provider = start_provider()
    try:
        person = f"{PYTHON} {ROOT / 'tests' / 'oidc_provider' / 'person.py'}"
        flags = [f"--oidc-issuer-url={provider.issuer}", "--oidc-client-id=kubewallet",
                 "--oidc-extra-scope=email,groups"]
        login = subprocess.run([KUBEWALLET, "oidc-login", "get-token", *flags,
                                f"--browser-command={person}",
                                # any free port: kubelogin's 8000/18000 may be held by a test run
                                "--listen-address=127.0.0.1:0"], env=env, cwd=ROOT,
                               capture_output=True, text=True, timeout=60)
        if login.returncode != 0:
            print(login.stderr, file=sys.stderr)
            return 1
        env["KUBERNETES_EXEC_INFO"] = EXEC_INFO
        env["KUBEWALLET_NO_AGENT_AUTOSTART"] = "1"
        subprocess.run([PYTHON, "-m", "compileall", "-q", str(ROOT / "app" / "kubewallet")], env=env)
        token = "eyJhbGciOiJub25lIn0.eyJleHAiOjQxMDI0NDQ4MDAsInN1YiI6ImJlbmNoIn0.c2ln"
        subprocess.run([PYTHON, "-c", "import json, sys; from kubewallet.vault import open_vault; "
                        "open_vault().put('users/bench', json.dumps({'token': sys.argv[1]}), "
                        "meta={'kind': 'token', 'user': 'bench', 'expires': '2100-01-01T00:00:00Z'})",
                        token], env=env, check=True)
        subprocess.run([KUBEWALLET, "agent", "start"], env=env, check=True, capture_output=True)
        credential = f"{KUBEWALLET} credential get --user bench --ref users/bench"
        cached = " ".join([KUBEWALLET, "oidc-login", "get-token", *flags])
        try:
            results = hyperfine([f"{PYTHON} -c pass", credential, cached, cached + " --force-refresh"],
                                ["python -c pass (venv)", "credential get (agent)",
                                 "oidc-login get-token, cached id_token",
                                 "oidc-login get-token --force-refresh (real provider)"], env, runs=RUNS, warmup=3)
        finally:
            subprocess.run([KUBEWALLET, "agent", "stop"], env=env, capture_output=True)
        floor, plugin = results[0]["median"], results[1]["median"]
        print(f"### OIDC get-token, whole process (median of {RUNS}, hyperfine -N)\n")
        print("| command | median | mean ± σ | × python -c pass | × credential get |")
        print("|---|---:|---:|---:|---:|")
        for r in results:
            print(f"| {r['command']} | {r['median'] * 1000:.1f} ms | {r['mean'] * 1000:.1f} ± "
                  f"{r['stddev'] * 1000:.1f} ms | {r['median'] / floor:.2f}× | "
                  f"{r['median'] / plugin:.2f}× |")
        print(f"\n(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs while measuring)")
        total, top, names = importtime(["oidc-login", "get-token", *flags], env)
        print(f"\n`python -X importtime` of the cached path: {total:.1f} ms of imports in all; "
              "the largest top-level ones:\n")
        print("| module | cumulative |")
        print("|---|---|")
        for ms, name in top:
            print(f"| {name} | {ms:.1f} ms |")
        heavy = sorted(n for n in names if n.split(".")[0] in (
            "jwt", "authlib", "cryptography", "yaml", "ssl", "keyring", "PySide6", "http")
            or n == "urllib.request")
        print(f"\nheavy modules on the cached path: {', '.join(heavy) or 'none'}")
    finally:
        provider.stop()
        os.kill(bus_pid, signal.SIGTERM)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
