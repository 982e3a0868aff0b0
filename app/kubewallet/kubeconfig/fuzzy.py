"""Fuzzy matching of what a person types against names (no Qt): the one ranking behind the
window's command palette and the terminal pickers of `kubewallet use` and `kubewallet ns`,
so a query picks the same context in both. The query's characters must appear in order.

Scoring follows what people expect from editors' palettes (Sublime, VS Code): consecutive runs,
matches at word starts (after `-`, `_`, `.`, `/`, `:`, space) and at the very start score high;
gaps cost a little; among equal scores the shorter candidate wins.
"""

from __future__ import annotations

_SEPARATORS = frozenset("-_./: @")


def fuzzy_score(query: str, candidate: str) -> int | None:
    """A score (higher is better) if every character of `query` appears in order in
    `candidate` (case-insensitive), else None. An empty query matches everything with 0."""
    if not query:
        return 0
    q = query.lower()
    c = candidate.lower()
    if q in c:  # a plain substring: the best kind of match, earlier is better
        at = c.index(q)
        start_bonus = 30 if at == 0 or c[at - 1] in _SEPARATORS else 0
        return 1000 + start_bonus - at - len(c) // 8
    score = 0
    pos = 0
    prev = -2
    for ch in q:
        found = c.find(ch, pos)
        if found < 0:
            return None
        if found == prev + 1:
            score += 15
        if found == 0 or c[found - 1] in _SEPARATORS:
            score += 10
        score -= min(found - pos, 10)
        prev = found
        pos = found + 1
    return score - len(c) // 8


def fuzzy_filter(query: str, candidates: list[str], limit: int = 50) -> list[tuple[int, int]]:
    """(index, score) of the best `limit` matches, best first."""
    scored = []
    for i, text in enumerate(candidates):
        s = fuzzy_score(query, text)
        if s is not None:
            scored.append((i, s))
    scored.sort(key=lambda item: (-item[1], len(candidates[item[0]]), item[0]))
    return scored[:limit]
