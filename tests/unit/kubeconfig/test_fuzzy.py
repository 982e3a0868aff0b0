"""The fuzzy ranking shared by the window's palette and the terminal pickers."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from kubewallet.kubeconfig.fuzzy import fuzzy_filter, fuzzy_score


def test_fuzzy_prefers_substrings_then_word_starts():
    names = ["prod-eu-west", "staging", "preprod", "payments-dev", "p-r-o-d"]
    ranked = [names[i] for i, _ in fuzzy_filter("prod", names)]
    assert ranked[0] == "prod-eu-west" and set(ranked) == {"prod-eu-west", "preprod", "p-r-o-d"}
    assert fuzzy_score("stg", "staging") is not None and fuzzy_score("gts", "staging") is None
    assert fuzzy_score("", "anything") == 0


@given(st.text(max_size=20), st.text(max_size=60))
@settings(max_examples=200)
def test_fuzzy_never_crashes(query, candidate):
    score = fuzzy_score(query, candidate)
    assert score is None or isinstance(score, int)
