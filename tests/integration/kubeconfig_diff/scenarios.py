"""Shorthand for writing scenario tables."""

from __future__ import annotations

import shlex

from tests.integration.kubeconfig_diff.harness import EXACT, Scenario


def S(id: str, files: dict, *commands: str, kc: tuple[str, ...] | None = None, stderr: str = EXACT,
      named: str = "", kc_raw: str | None = None) -> Scenario:
    """One scenario: `commands` are `config` argument strings (shell-quoted)."""
    return Scenario(id, dict(files), tuple(tuple(shlex.split(c)) for c in commands), kc, stderr,
                    named, kc_raw)


def ids(scenarios: list[Scenario]) -> list[str]:
    seen = set()
    for s in scenarios:
        assert s.id not in seen, f"duplicate scenario id {s.id}"
        seen.add(s.id)
    return [s.id for s in scenarios]
