"""Hypothesis drives the two parsers kubectl applies to `config set` input — property paths
(`newNavigationSteps` + `modifyConfig`) and base64 values (Go's StdEncoding and its error
offsets) — and the real kubectl is the oracle for every generated case."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.kubeconfig_diff.configs import DOTS, SINGLE
from tests.integration.kubeconfig_diff.harness import EXACT, Scenario

FUZZ = settings(max_examples=20, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

PARTS = ["clusters", "users", "contexts", "preferences", "current-context", "dev", "prod", "bob", "new",
         "api", "prod.example.com", "server", "namespace", "cluster", "user", "token", "exec", "command",
         "auth-provider", "name", "config", "colors", "act-as", "as", "act-as-groups",
         "insecure-skip-tls-verify", "certificate-authority-data", "kind", ""]
paths = st.lists(st.sampled_from(PARTS), min_size=1, max_size=5).map(".".join)
values = st.sampled_from(["x", "true", "False", "YWJj", "T", "0"])
# A value starting with `-` is a flag to pflag (see test_errors' unknown-flags and double-dash).
base64ish = st.text(alphabet="AZaz09+/=\n -_", min_size=1, max_size=12).filter(lambda v: not v.startswith("-"))

# kubectl prints Go pointers and struct dumps for a few of these errors, and points at its own
# help for an unknown flag (a value starting with `-`): compare the status and output then.
GO_DUMPS = ("0xc", "map[", "{", "panic", "unknown shorthand flag")


def check(differ, commands: tuple[tuple[str, ...], ...], files: dict) -> None:
    scenario = Scenario("fuzz", files, commands, None, EXACT)
    try:
        differ(scenario)
    except AssertionError as exc:
        text = str(exc)
        if "stderr differs" in text and any(d in text.split("kubectl:", 1)[-1].split("\n")[0]
                                            for d in GO_DUMPS):
            return  # kubectl's text is a Go value dump; status, stdout and files matched before it
        raise


@FUZZ
@given(path=paths, value=values, unset=st.booleans())
def test_property_paths_match_kubectl(differ, path, value, unset):
    command = ("unset", path) if unset else ("set", path, value)
    check(differ, (command, ("view", "--raw")), {"home/.kube/config": SINGLE if "api" not in path else DOTS})


@FUZZ
@given(value=base64ish, raw=st.booleans())
def test_base64_values_match_kubectl(differ, value, raw):
    command = ("set", "users.bob.client-key-data", value) + (("--set-raw-bytes",) if raw else ())
    check(differ, (command, ("view", "--raw", "-o", "json")), {"home/.kube/config": SINGLE})
