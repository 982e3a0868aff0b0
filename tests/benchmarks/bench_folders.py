"""Listing a folder of kubeconfig files: what `kubewallet use` pays, against parsing everything.

Workspace: a main ~/.kube/config (5 contexts) and ~/.kube/config.d with 200 files of 5 contexts
each, every user with certificate data and every cluster with CA data (about 4.5 MB in all),
as one-file-per-customer setups look.

In-process (median of several runs, one core):
- *parse everything, full checks*: `read_kubeconfig` of every file (the engine's load: YAML plus
  kubectl's schema walk) — what a naive "load each file as a workspace" would cost;
- *parse everything, YAML only*: libyaml over every file;
- *catalog, cold*: `load_catalog` with no index (each folder file parsed once, checks limited
  to what the listing needs);
- *catalog, warm*: `load_catalog` with the index (unchanged files are only stat'ed).

Whole processes under hyperfine: `kubewallet use` (the listing) against `kubectl config
get-contexts -o name` over the same 201 files merged into one KUBECONFIG list (what a user
would otherwise run; note kubectl *merges*, so it hides the duplicate names we qualify); and a
switch to a context of one folder file against `kubectl --kubeconfig FILE config use-context`
(kubectl alone cannot find which file holds the name: the user must know it).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

KUBECTL = os.environ.get("KUBECTL", str(ROOT / ".cache" / "kubectl" / "kubectl"))
KUBEWALLET = str(Path(sys.executable).parent / "kubewallet")
RUNS = int(os.environ.get("BENCH_RUNS", "7"))
FILES, PER_FILE = 200, 5


def make_world(home: Path) -> list[Path]:
    import yaml

    from tests.support.certs import Pki

    pki = Pki("bench-ca", key_kind="rsa")
    leaf = pki.issue("bench-user", ["bench-group"], key_kind="rsa")
    folder = home / ".kube" / "config.d"
    folder.mkdir(parents=True)

    def doc(prefix: str) -> dict:
        names = [f"{prefix}-{i}" for i in range(PER_FILE)]
        return {"apiVersion": "v1", "kind": "Config", "current-context": names[0],
                "clusters": [{"name": n, "cluster": {"server": f"https://{n}.example:6443",
                                                     "certificate-authority-data": pki.cert_b64}}
                             for n in names],
                "users": [{"name": n, "user": {"client-certificate-data": leaf.cert_b64,
                                               "client-key-data": leaf.key_b64}} for n in names],
                "contexts": [{"name": n, "context": {"cluster": n, "user": n, "namespace": "default"}}
                             for n in names]}

    (home / ".kube" / "config").write_text(yaml.safe_dump(doc("main"), width=1 << 20))
    paths = []
    for f in range(FILES):
        path = folder / f"customer-{f:03d}.yaml"
        path.write_text(yaml.safe_dump(doc(f"customer-{f:03d}"), width=1 << 20))
        old = time.time() - 60  # settled files, as a folder is between two edits
        os.utime(path, (old, old))
        paths.append(path)
    return paths


def median_time(fn, runs: int = RUNS) -> float:
    fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def hyperfine(commands: list[str], env: dict, prepare: str | None = None) -> list[float]:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        extra = ["--prepare", prepare] if prepare else []
        subprocess.run(["hyperfine", "-N", "--warmup", "2", "--runs", str(max(RUNS, 10)), *extra,
                        "--export-json", out.name, *commands], env=env, check=True, capture_output=True)
        return [r["median"] for r in json.loads(Path(out.name).read_text())["results"]]


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench-folders-"))
    try:
        home = tmp / "home"
        paths = make_world(home)
        env = {k: v for k, v in os.environ.items() if k not in ("KUBECONFIG", "KUBEWALLET_KUBECONFIG_DIRS")}
        env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), XDG_CACHE_HOME=str(home / ".cache"),
                   XDG_STATE_HOME=str(home / ".state"))
        os.environ.clear()
        os.environ.update(env)
        size = sum(p.stat().st_size for p in paths) / 1e6

        from kubewallet.kubeconfig import folders, read_kubeconfig
        from kubewallet.kubeconfig.yamlio import parse_yaml

        full = median_time(lambda: [read_kubeconfig(str(p)) for p in paths])
        yaml_only = median_time(lambda: [parse_yaml(p.read_bytes(), str(p)) for p in paths])
        cold = median_time(lambda: folders.load_catalog(None, env, use_index=False))
        index = Path(folders._index_file(env))
        index.unlink(missing_ok=True)
        folders.load_catalog(None, env)
        warm = median_time(lambda: folders.load_catalog(None, env))
        count = len(folders.load_catalog(None, env).contexts)

        print(f"{FILES} files x {PER_FILE} contexts ({size:.1f} MB) + a 5-context main kubeconfig; "
              f"{count} contexts listed\n")
        print("| in-process | median | vs parse everything (full checks) |")
        print("|---|---|---|")
        for label, t in (("parse everything, full checks (`read_kubeconfig` each)", full),
                         ("parse everything, YAML only (libyaml)", yaml_only),
                         ("`load_catalog`, cold (no index)", cold),
                         ("`load_catalog`, warm (index: stat only)", warm)):
            print(f"| {label} | {t * 1000:.1f} ms | {t / full:.3f} |")

        merged = os.pathsep.join([str(home / ".kube" / "config")] + [str(p) for p in paths])
        kenv = dict(env, KUBECONFIG=merged)
        kw_runs, kc_runs = [], []
        for _ in range(3):  # alternate the two tools, so both see the same machine state
            kw_runs += hyperfine([f"{KUBEWALLET} use"], env)
            kc_runs += hyperfine([f"{KUBECTL} config get-contexts -o name"], kenv)
        kw, kc = statistics.median(kw_runs), statistics.median(kc_runs)
        kw_cold = hyperfine([f"{KUBEWALLET} use"], env, prepare=f"rm -f {index}")[0]
        bare = hyperfine([f"{sys.executable} -c pass"], env)[0]
        # switching to a context of one folder file (it is written every run: the prepare step
        # sets the file back to another context, unmeasured)
        target = paths[100]
        reset = f"{KUBECTL} --kubeconfig {target} config use-context customer-100-0"
        sw_kw = hyperfine([f"{KUBEWALLET} use customer-100-2"], env, prepare=reset)[0]
        sw_kc = hyperfine([f"{KUBECTL} --kubeconfig {target} config use-context customer-100-2"], env,
                          prepare=reset)[0]
        sw_pe = hyperfine([f"{KUBEWALLET} use customer-100-2 --print-env"], env, prepare=reset)[0]
        print("\n| whole process | kubewallet | kubectl 1.35 | ratio (kubewallet/kubectl) |")
        print("|---|---|---|---|")
        print(f"| `kubewallet use` (list, warm index) vs `kubectl config get-contexts -o name` "
              f"on the 201 files merged | {kw * 1000:.0f} ms | {kc * 1000:.0f} ms | {kw / kc:.2f} |")
        print(f"| the same, cold (index removed before each run) | {kw_cold * 1000:.0f} ms | "
              f"{kc * 1000:.0f} ms | {kw_cold / kc:.2f} |")
        print(f"| `kubewallet use customer-100-2` (a folder file's context, written in place) vs "
              f"`kubectl --kubeconfig FILE config use-context customer-100-2` | {sw_kw * 1000:.0f} ms | "
              f"{sw_kc * 1000:.0f} ms | {sw_kw / sw_kc:.2f} |")
        print(f"| the same with `--print-env` (what `kw` runs) | {sw_pe * 1000:.0f} ms | "
              f"{sw_kc * 1000:.0f} ms | {sw_pe / sw_kc:.2f} |")
        print(f"\nvenv `python -c pass`: {bare * 1000:.0f} ms (the floor for any Python command).")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
