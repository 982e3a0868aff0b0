"""`check --prune`'s choice and edit, on a real kubeconfig through the engine: which results are
candidates, and which clusters and users go with their contexts."""

from __future__ import annotations

from kubewallet.kubeconfig import LoadingRules, load_workspace, run_edit
from kubewallet.probe.prune import candidates, prune_edit
from kubewallet.probe.result import CheckResult


def _result(name: str, stage: str, reason: str) -> CheckResult:
    return CheckResult(name, stage == "ok", stage, reason, "", 0.1)


def test_only_network_and_trust_failures_are_candidates():
    results = [_result("works", "ok", "ok"), _result("refused", "auth", "unauthorized"),
               _result("login", "auth", "needs-login"), _result("gone", "connect", "unreachable"),
               _result("silent", "tls", "unreachable"), _result("rotated", "tls", "tls"),
               _result("ca-file-missing", "tls", "error"), _result("no-cluster", "connect", "error")]
    assert candidates(results) == ["gone", "silent", "rotated"]


def test_the_edit_takes_what_only_the_pruned_contexts_use_and_says_so_for_the_current_one(tmp_path):
    path = tmp_path / "config"
    path.write_text("apiVersion: v1\nkind: Config\n")
    rules = LoadingRules.from_env(str(path))

    def setup(ws):
        for cluster in ("shared", "lonely", "unused"):
            ws.set_entry("clusters", cluster, {"server": f"https://{cluster}.invalid"})
        for user in ("alice", "bot", "idle"):
            ws.set_entry("users", user, {"token": "t"})
        ws.set_entry("contexts", "a", {"cluster": "shared", "user": "alice"})
        ws.set_entry("contexts", "b", {"cluster": "shared", "user": "bot"})
        ws.set_entry("contexts", "c", {"cluster": "lonely", "user": "alice"})
        ws.use_context("c")

    run_edit(rules, setup)
    done = run_edit(rules, prune_edit(["b", "c", "not-there"]))
    assert (done.contexts, done.clusters, done.users, done.current_removed) == (("b", "c"), ("lonely",), ("bot",), True)
    ws = load_workspace(rules)
    assert list(ws.contexts) == ["a"]
    assert sorted(ws.clusters) == ["shared", "unused"]   # never used by a pruned context: not ours to drop
    assert sorted(ws.users) == ["alice", "idle"]
