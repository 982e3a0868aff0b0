"""Offline RBAC at cluster scale: kubewallet's indexed evaluator next to the naive linear scan.

A generated policy of 10,000 bindings (9,000 RoleBindings, 1,000 ClusterRoleBindings) and 2,000
roles (1,800 Roles, 200 ClusterRoles) across 200 namespaces, written as one `kind: List` dump
(what `kubectl get roles,rolebindings,clusterroles,clusterrolebindings -A -o yaml` gives), is
loaded and indexed; then questions drawn from the subjects the bindings name are asked:
- one can-i in-process (indexed: first question for an identity, and repeated ones; naive scan);
- `--list` for one subject and namespace; `who-can` for one request;
- the whole `kubewallet can-i` process on a small policy file, next to the venv's bare
  interpreter and `python -c "import yaml"` (hyperfine -N), and kubectl auth can-i 1.35 against a
  loopback stand-in API server (tests/unit/rbac/fakeapi.py: kubectl needs a server to ask).
Goals (issue 8): load+index < 2 s; can-i < 50 µs median; --list < 20 ms; who-can < 100 ms;
whole process < 0.1 s.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "app"))

from kubewallet.rbac.authorizer import Authorizer  # noqa: E402
from kubewallet.rbac.listing import render_list, review_rules  # noqa: E402
from kubewallet.rbac.loading import load_paths  # noqa: E402
from kubewallet.rbac.impersonation import impersonate  # noqa: E402
from kubewallet.rbac.model import Identity, Request  # noqa: E402
from kubewallet.rbac.naive import NaiveAuthorizer  # noqa: E402

PYTHON = sys.executable
KUBEWALLET = str(Path(sys.executable).parent / "kubewallet")
KUBECTL = os.environ.get("KUBECTL", str(ROOT / ".cache" / "kubectl" / "kubectl"))
RUNS = int(os.environ.get("BENCH_RUNS", "30"))
RBAC = "rbac.authorization.k8s.io/v1"
VERBS = ["get", "list", "watch", "create", "update", "patch", "delete"]
RESOURCES = [("", "pods"), ("", "services"), ("", "configmaps"), ("", "secrets"), ("apps", "deployments"),
             ("apps", "statefulsets"), ("batch", "jobs"), ("", "pods/log"), ("networking.k8s.io", "ingresses"),
             ("example.com", "widgets")]


def generate(seed: int = 8) -> tuple[list[dict], list[tuple[Identity, str]]]:
    rnd = random.Random(seed)
    namespaces = [f"ns-{i:03d}" for i in range(200)]
    users = [f"user-{i:04d}" for i in range(3000)]
    groups = [f"team-{i:03d}" for i in range(100)]

    def rules() -> list[dict]:
        out = []
        for _ in range(rnd.randint(2, 6)):
            picked = rnd.sample(RESOURCES, rnd.randint(1, 3))
            groups_ = sorted({g for g, _ in picked})
            rule = {"apiGroups": groups_, "resources": [r for _, r in picked],
                    "verbs": rnd.sample(VERBS, rnd.randint(1, 4))}
            if rnd.random() < 0.1:
                rule["resourceNames"] = [f"obj-{rnd.randint(0, 9)}"]
            out.append(rule)
        return out

    def subject() -> dict:
        x = rnd.random()
        if x < 0.6:
            return {"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": rnd.choice(users)}
        if x < 0.85:
            return {"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": rnd.choice(groups)}
        return {"kind": "ServiceAccount", "name": f"sa-{rnd.randint(0, 4)}", "namespace": rnd.choice(namespaces)}

    items: list[dict] = []
    for i in range(200):
        items.append({"apiVersion": RBAC, "kind": "ClusterRole", "metadata": {"name": f"cr-{i:03d}"}, "rules": rules()})
    for ns in namespaces:
        for j in range(9):
            items.append({"apiVersion": RBAC, "kind": "Role", "metadata": {"name": f"role-{j}", "namespace": ns},
                          "rules": rules()})
    for i in range(1000):
        items.append({"apiVersion": RBAC, "kind": "ClusterRoleBinding", "metadata": {"name": f"crb-{i:04d}"},
                      "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                                  "name": f"cr-{rnd.randint(0, 199):03d}"},
                      "subjects": [subject() for _ in range(rnd.randint(1, 3))]})
    for ns in namespaces:
        for j in range(45):
            cluster = rnd.random() < 0.3
            ref = {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole" if cluster else "Role",
                   "name": f"cr-{rnd.randint(0, 199):03d}" if cluster else f"role-{rnd.randint(0, 8)}"}
            items.append({"apiVersion": RBAC, "kind": "RoleBinding", "metadata": {"name": f"rb-{j}", "namespace": ns},
                          "roleRef": ref, "subjects": [subject() for _ in range(rnd.randint(1, 3))]})
    askers: list[tuple[Identity, str]] = []
    for _ in range(3000):
        b = rnd.choice(items[2000:])
        s = rnd.choice(b["subjects"])
        ns = b["metadata"].get("namespace") or rnd.choice(namespaces)
        if s["kind"] == "User":
            ident = impersonate(s["name"], rnd.sample(groups, rnd.randint(0, 3)))
        elif s["kind"] == "Group":
            ident = impersonate(rnd.choice(users), [s["name"], *rnd.sample(groups, rnd.randint(0, 2))])
        else:
            ident = impersonate(f"system:serviceaccount:{s['namespace']}:{s['name']}")
        askers.append((ident, ns))
    return items, askers


def requests_for(askers, seed: int = 9) -> list[tuple[Identity, Request]]:
    rnd = random.Random(seed)
    out = []
    for ident, ns in askers:
        g, r = rnd.choice(RESOURCES)
        res, _, sub = r.partition("/")
        out.append((ident, Request(rnd.choice(VERBS), res, g, sub, rnd.choice(["", "", "obj-1"]), ns)))
    return out


def per_call(fn, items, repeat: int = 1) -> list[float]:
    times = []
    for x in items:
        t0 = time.perf_counter()
        for _ in range(repeat):
            fn(x)
        times.append((time.perf_counter() - t0) / repeat)
    return times


def fmt(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def hyperfine(commands: list[str]) -> list[dict]:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run(["hyperfine", "-N", "--warmup", "3", "--runs", str(RUNS), "--export-json", out.name,
                        *commands], check=True, capture_output=True)
        return json.loads(Path(out.name).read_text())["results"]


def main() -> None:
    items, askers = generate()
    tmp = Path(tempfile.mkdtemp(prefix="bench-rbac-"))
    import yaml

    dump_yaml = tmp / "dump.yaml"
    dump_yaml.write_text(yaml.dump({"apiVersion": "v1", "kind": "List", "items": items}, Dumper=yaml.CSafeDumper))
    dump_json = tmp / "dump.json"
    dump_json.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": items}))

    rows: list[tuple[str, str, str, str]] = []
    os.environ["XDG_CACHE_HOME"] = str(tmp / "cache")  # a cold parse cache for the first YAML row
    for label, path, runs in (("YAML, first read", dump_yaml, 1), ("YAML, parse cached", dump_yaml, 3),
                              ("JSON", dump_json, 3)):
        loads, indexes = [], []
        for _ in range(runs):
            t0 = time.perf_counter()
            policy, _ = load_paths([path])
            t1 = time.perf_counter()
            authz = Authorizer(policy)
            indexes.append(time.perf_counter() - t1)
            loads.append(t1 - t0)
        total = statistics.median(loads) + statistics.median(indexes)
        rows.append((f"load + index, {label} dump ({path.stat().st_size / 1e6:.1f} MB)",
                     f"{fmt(statistics.median(loads))} + {fmt(statistics.median(indexes))} = {fmt(total)}",
                     "—", "< 2 s"))
    naive = NaiveAuthorizer(policy)
    qs = requests_for(askers)

    def cold(q):
        authz._cache.clear()
        authz.allowed(*q)

    cold_t = per_call(cold, qs)
    for q in qs:
        authz.allowed(*q)
    warm_t = per_call(lambda q: authz.allowed(*q), qs, repeat=5)
    naive_t = per_call(lambda q: naive.decide(*q), qs[:150])
    yes = sum(authz.allowed(*q) for q in qs)
    assert all(authz.allowed(*q) == naive.decide(*q).allowed for q in qs[:300]), "indexed and naive disagree"
    rows.append((f"one can-i, new identity ({len(qs)} questions, {yes} yes)", fmt(statistics.median(cold_t)),
                 fmt(statistics.median(naive_t)), "< 50 µs"))
    rows.append(("one can-i, identity asked before", fmt(statistics.median(warm_t)), fmt(statistics.median(naive_t)),
                 "< 50 µs"))
    decide_t = per_call(lambda q: authz.decide(*q), qs[:1000])
    rows.append(("one can-i with the deciding rule (decide)", fmt(statistics.median(decide_t)),
                 fmt(statistics.median(naive_t)), "—"))

    def listing(a):
        authz._cache.clear()
        render_list(review_rules(authz, *a))

    list_t = per_call(listing, askers[:300])
    rows.append(("--list, one subject and namespace", fmt(statistics.median(list_t)), "—", "< 20 ms"))
    who_t = per_call(lambda q: authz.who_can(q[1]), qs[:100])
    rows.append(("who-can, one request in one namespace", fmt(statistics.median(who_t)), "—", "< 100 ms"))

    print(f"\nGenerated policy: {len(policy.bindings)} bindings, {len(policy.roles)} roles, 200 namespaces "
          f"(median times; naive = linear scan over every binding per question)\n")
    print("| measurement | kubewallet (indexed) | naive scan | goal |")
    print("|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    speedup = statistics.median(naive_t) / statistics.median(cold_t)
    print(f"\nindexed vs naive, one can-i: {speedup:.0f}x faster\n")

    small = ROOT / "tests" / "unit" / "rbac" / "policies.py"
    sys.path.insert(0, str(small.parent))
    from tests.unit.rbac.policies import SAMPLE

    small_yaml = tmp / "small.yaml"
    small_yaml.write_text(SAMPLE)
    can_i = f"{KUBEWALLET} can-i get pods -n dev --as alice --rbac {small_yaml}"
    commands = [f"{PYTHON} -c pass", f"{PYTHON} -c 'import yaml'", can_i,
                f"{KUBEWALLET} can-i get pods -n dev --as alice --rbac {small_yaml} --with-defaults"]
    names = ["venv python -c pass", "python -c 'import yaml'", "kubewallet can-i (small file)",
             "kubewallet can-i --with-defaults"]
    fake = None
    if Path(KUBECTL).exists():
        from kubewallet.rbac.loading import load_text
        from tests.unit.rbac.fakeapi import FakeApiServer

        small_authz = Authorizer(load_text(SAMPLE)[0])
        fake = FakeApiServer(lambda spec: {"allowed": small_authz.allowed(impersonate("alice"), Request(
            spec["resourceAttributes"]["verb"], spec["resourceAttributes"]["resource"],
            namespace=spec["resourceAttributes"].get("namespace", "")))}, lambda spec: {}).__enter__()
        kc = fake.kubeconfig(tmp / "kubeconfig")
        subprocess.run([KUBECTL, "--kubeconfig", kc, "--cache-dir", str(tmp / "cache"), "auth", "can-i", "get",
                        "pods", "-n", "dev"], capture_output=True)
        commands.append(f"{KUBECTL} --kubeconfig {kc} --cache-dir {tmp / 'cache'} auth can-i get pods -n dev")
        names.append("kubectl auth can-i (loopback stand-in server, cached discovery)")
    results = hyperfine(commands)
    base = results[0]["median"]
    print(f"Whole process (median of {RUNS}, hyperfine -N; goal for kubewallet can-i: < 0.1 s)\n")
    print("| command | median | vs bare interpreter |")
    print("|---|---|---|")
    for n, r in zip(names, results):
        print(f"| {n} | {fmt(r['median'])} | {r['median'] / base:.1f}x |")
    if fake is not None:
        fake.__exit__(None, None, None)
    prof = subprocess.run([PYTHON, "-X", "importtime", "-m", "kubewallet", "can-i", "get", "pods", "-n", "dev",
                           "--as", "alice", "--rbac", str(small_yaml)], capture_output=True, text=True)
    entries = []
    for line in prof.stderr.splitlines():
        if line.startswith("import time:") and "|" in line and "cumulative" not in line:
            _, cum, name = (x.strip() for x in line[len("import time:"):].split("|"))
            entries.append((int(cum), name))
    print("\nkubewallet can-i imports, top cumulative (python -X importtime, µs):\n")
    for cum, name in sorted(entries, reverse=True)[:8]:
        print(f"    {cum:>8}  {name.strip()}")


if __name__ == "__main__":
    main()
