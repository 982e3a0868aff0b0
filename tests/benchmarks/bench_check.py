"""`kubewallet check --all-contexts` against what a person does without it, as whole processes.

Workspace: 100 contexts, all on loopback (no traffic leaves this machine). Half work (token users
of the API-server stand-in, tests/support/apiserver.py, answering SelfSubjectReview); of the
other half, 25 point at closed ports and 25 at listeners that accept the connection and never
answer (a black-holed load balancer, a VPN that dropped the route mid-way). `--timeout 3`.

Without kubewallet a person runs `kubectl auth whoami` per context (the same SelfSubjectReview),
one after the other, each stuck context waiting out `--request-timeout=3s`; or, knowing shell
well, the same fanned out with `xargs -P 32`. Both are timed beside `kubewallet check`.
Medians from hyperfine; the sequential loop runs once (it takes over a minute).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks.harness import hyperfine  # noqa: E402
from tests.support.apiserver import ApiServer  # noqa: E402
from tests.support.certs import Pki  # noqa: E402
from tests.support.listeners import Silent, closed_port  # noqa: E402

KUBECTL = os.environ.get("KUBECTL", str(ROOT / ".cache" / "kubectl" / "kubectl"))
KUBEWALLET = str(Path(sys.executable).parent / "kubewallet")
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
CONTEXTS, TIMEOUT = 100, 3


def workspace(path: Path, api: ApiServer, pki: Pki, unreachable: list[int]) -> Path:
    from kubewallet.kubeconfig import LoadingRules, run_edit

    path.write_text("apiVersion: v1\nkind: Config\n")
    path.chmod(0o600)
    half = CONTEXTS // 2
    servers = [api.url] * half + [f"https://127.0.0.1:{p}" for p in unreachable]

    def edit(ws):
        for i, server in enumerate(servers):
            ws.set_entry("clusters", f"c{i:03}", {"server": server, "certificate-authority-data": pki.cert_b64})
            ws.set_entry("users", f"u{i:03}", {"token": f"token-{i:03}"})
            ws.set_entry("contexts", f"ctx{i:03}", {"cluster": f"c{i:03}", "user": f"u{i:03}"})
        ws.use_context("ctx000")

    run_edit(LoadingRules.from_env(str(path)), edit)
    return path


def main() -> None:
    for tool in ("hyperfine", "xargs"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing: run scripts/bootstrap.sh")
    work = Path(tempfile.mkdtemp(prefix="kw-bench-check-"))
    pki = Pki()
    quarter = CONTEXTS // 4
    silent = [Silent() for _ in range(quarter)]
    unreachable = [closed_port() for _ in range(quarter)] + [listener.port for listener in silent]
    tokens = {f"token-{i:03}": f"user-{i:03}" for i in range(CONTEXTS // 2)}
    with ApiServer(pki, tokens=tokens) as api:
        config = workspace(work / "config", api, pki, unreachable)
        env = dict(os.environ, KUBECONFIG=str(config), HOME=str(work))
        names = " ".join(f"ctx{i:03}" for i in range(CONTEXTS))
        kw = f"{KUBEWALLET} check --all-contexts --no-vault -o json --timeout {TIMEOUT}"
        per = f"{KUBECTL} --context {{}} --request-timeout={TIMEOUT}s auth whoami -o name"
        fan = f"sh -c 'printf \"%s\\n\" {names} | xargs -P 32 -I{{}} {per} >/dev/null 2>&1; true'"
        loop = f"sh -c 'for c in {names}; do {per.replace('{}', '$c')} >/dev/null 2>&1; done; true'"
        fast = hyperfine([kw, fan], ["kubewallet check", "kubectl auth whoami, xargs -P 32"], env,
                         runs=RUNS, warmup=1, ignore_failure=True)
        slow = hyperfine([loop], ["kubectl auth whoami, one by one"], env, runs=1, warmup=0, ignore_failure=True)
    for listener in silent:
        listener.close()
    kw_s, fan_s, loop_s = fast[0]["median"], fast[1]["median"], slow[0]["median"]
    print(f"{CONTEXTS} contexts (50 working, 25 closed ports, 25 silent listeners), --timeout {TIMEOUT}:")
    print("| command | median | ratio to kubewallet |")
    print("|---|---|---|")
    print(f"| `kubewallet check --all-contexts --timeout {TIMEOUT}` | {kw_s:.2f} s | 1.00 |")
    print(f"| `kubectl auth whoami` per context, `xargs -P 32` | {fan_s:.2f} s | {fan_s / kw_s:.2f} |")
    print(f"| `kubectl auth whoami` per context, one by one | {loop_s:.1f} s | {loop_s / kw_s:.1f} |")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
