"""`kubewallet certs` against what a person does without it, as whole processes, side by side.

Without kubewallet, checking client-certificate expiry over a kubeconfig is the well-known
pipeline: `kubectl config view --raw` to pull every `client-certificate-data`, then `base64 -d`
and `openssl x509 -noout -enddate` per certificate (and it still checks neither the CAs, nor the
keys, nor the identities). Workspace: tests/benchmarks/genconfig.py (1,000 contexts over 3 files,
4.6 MB, and a 20-context file). Medians from hyperfine; ratio below 1.0: kubewallet is faster.
`kubewallet lint` and `kubewallet whoami` are timed on their own (no tool does the same).
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
RUNS = int(os.environ.get("BENCH_RUNS", "10"))


def hyperfine(commands: list[str], env: dict, runs: int = RUNS) -> list[float]:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run(["hyperfine", "--warmup", "1", "--runs", str(runs), "--export-json", out.name,
                        "-i", *commands], env=env, check=True, capture_output=True)
        return [r["median"] for r in json.loads(Path(out.name).read_text())["results"]]


def pipeline() -> str:
    jsonpath = '{range .users[*]}{.user.client-certificate-data}{"\\n"}{end}'
    return (f"{KUBECTL} config view --raw -o jsonpath='{jsonpath}' | "
            "while read -r c; do printf %s \"$c\" | base64 -d | openssl x509 -noout -enddate; done")


def main() -> None:
    for tool in ("hyperfine", "openssl"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing: run scripts/bootstrap.sh")
    work = Path(tempfile.mkdtemp(prefix="kw-bench-inspect-"))
    big = generate(work / "big", 1000, 3)
    small = generate(work / "small", 20, 1)
    rows = []
    for label, files, runs in (("20 contexts", small, RUNS), ("1,000 contexts, 3 files", big, 3)):
        env = dict(os.environ, KUBECONFIG=os.pathsep.join(map(str, files)))
        # hyperfine runs through a shell here (the pipeline needs one); both sides pay it.
        kw, sh = hyperfine([f"{KUBEWALLET} certs --all-contexts -o json --no-vault", pipeline()], env, runs)
        rows.append((f"certs --all-contexts, {label}", kw, sh))
    env_big = dict(os.environ, KUBECONFIG=os.pathsep.join(map(str, big)))
    lint_s, whoami_s = hyperfine([f"{KUBEWALLET} lint --no-vault", f"{KUBEWALLET} whoami --no-vault"],
                                 env_big, 5)
    print("| command | kubewallet | kubectl + base64 + openssl per cert | ratio |")
    print("|---|---|---|---|")
    for label, kw_s, sh_s in rows:
        print(f"| `{label}` | {kw_s * 1000:.0f} ms | {sh_s * 1000:.0f} ms | {kw_s / sh_s:.2f} |")
    print(f"\n`kubewallet lint` over 1,000 contexts: {lint_s * 1000:.0f} ms; "
          f"`kubewallet whoami` on the same files: {whoami_s * 1000:.0f} ms.")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
