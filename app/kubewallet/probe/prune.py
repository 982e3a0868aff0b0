"""`check --prune`: drop the contexts that cannot be reached, and what only they used.

Only a context that failed at **connect** or **tls** because of the network or the server is a
candidate (nothing listens, no answer, a certificate the kubeconfig does not trust); one that
reached the server and was refused at auth needs a new credential, not deletion; one whose own
entry is at fault (a CA file missing, a cluster name that does not exist) needs fixing, not
deletion; and one that works is never touched. With each context go
the cluster and user entries that no remaining context names (kubecm's `clear` removes the
context alone and leaves the rest behind). The edit is a `run_edit` edit: applied under the lock
to a fresh read, saved atomically with a backup; the caller shows `pending_diff()` of the same
edit first and asks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kubewallet.probe.result import CheckResult
from kubewallet.probe.transport import CONNECT, TLS, TLS_PROBLEM, UNREACHABLE


@dataclass(frozen=True)
class Pruned:
    contexts: tuple[str, ...]
    clusters: tuple[str, ...]
    users: tuple[str, ...]
    current_removed: bool

    def lines(self) -> list[str]:
        out = [f"context {n}" for n in self.contexts]
        out += [f"cluster {n} (no other context uses it)" for n in self.clusters]
        out += [f"user {n} (no other context uses it)" for n in self.users]
        return out


def candidates(results: Iterable[CheckResult]) -> list[str]:
    """Contexts whose server could not be reached, or not trusted."""
    return [r.context for r in results
            if not r.ok and r.stage in (CONNECT, TLS) and r.reason in (UNREACHABLE, TLS_PROBLEM)]


def prune_edit(contexts: Iterable[str]):
    """The edit removing `contexts` (those still present) and the entries only they use."""
    wanted = list(contexts)

    def edit(ws) -> Pruned:
        gone = [c for c in wanted if c in ws.contexts]
        staying = [e.body or {} for n, e in ws.contexts.items() if n not in gone]
        used = {kind: {str(b.get(kind) or "") for b in staying} for kind in ("cluster", "user")}
        orphans: dict[str, list[str]] = {"cluster": [], "user": []}
        for name in gone:
            body = ws.contexts[name].body or {}
            for kind in ("cluster", "user"):
                ref = str(body.get(kind) or "")
                table = ws.clusters if kind == "cluster" else ws.users
                if ref and ref in table and ref not in used[kind] and ref not in orphans[kind]:
                    orphans[kind].append(ref)
        current_removed = ws.current_context in gone
        for name in gone:
            ws.delete_entry("contexts", name)
        for name in orphans["cluster"]:
            ws.delete_entry("clusters", name)
        for name in orphans["user"]:
            ws.delete_entry("users", name)
        return Pruned(tuple(gone), tuple(orphans["cluster"]), tuple(orphans["user"]), current_removed)

    return edit
