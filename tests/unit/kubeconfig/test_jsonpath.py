"""The JSONPath engine on its own: the parser fuzzed with random text (a template parses or is
refused with client-go's words, never a traceback), and Go's number printing, whose expected
strings were measured with kubectl 1.35 (`config view -o jsonpath=` over an extension holding
these numbers; the differential suite checks the same through kubectl)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
import pytest

from kubewallet.kubeconfig.gofmt import go_float, json_float
from kubewallet.kubeconfig.jsonpath import (JsonPathRuntimeError, JsonPathSyntaxError,
                                            parse, printer, view_object)

OBJECT = view_object("""{"kind": "Config", "apiVersion": "v1",
  "clusters": [{"name": "dev", "cluster": {"server": "https://dev", "insecure-skip-tls-verify": true}},
               {"name": "prod", "cluster": {"server": "https://prod", "extensions": [{"name": "e", "extension": {"n": 3, "l": [1, null, "x"]}}]}}],
  "users": [{"name": "bob", "user": {"token": "REDACTED", "exec": {"command": "c", "args": null, "env": null}}}],
  "contexts": [{"name": "dev", "context": {"cluster": "dev", "user": "bob", "namespace": "a"}}],
  "current-context": "dev"}""")

JSONPATH_TEXT = st.lists(st.sampled_from(list("{}[]().,*@$?:'\"\\=!<>-+ 0129ab\n\t_é") +
                                         ["range ", "end", "name", ".clusters", "true", "..", "[?(@.", "\\n"]),
                         max_size=25).map("".join)


@settings(max_examples=400, deadline=None)
@given(text=JSONPATH_TEXT | st.text(max_size=30))
def test_any_text_parses_or_is_refused_in_clients_words(text):
    try:
        template = parse(text)
    except JsonPathSyntaxError as exc:
        assert exc.message and "\n" not in exc.message
        return
    for allow_missing in (True, False):
        for as_json in (True, False):
            try:
                out = template.render(OBJECT, allow_missing=allow_missing, as_json=as_json)
            except JsonPathRuntimeError as exc:
                assert exc.message
            else:
                assert isinstance(out, str)


@settings(max_examples=200, deadline=None)
@given(text=JSONPATH_TEXT)
def test_the_printer_wraps_every_error_in_kubectls_message(text):
    try:
        run = printer(f"jsonpath={text}")
    except JsonPathSyntaxError as exc:
        assert exc.message.startswith("error parsing jsonpath ")
        return
    except Exception as exc:  # only kubectl's flag errors are allowed besides a syntax error
        assert str(exc) == "template format specified but no template given" and not text
        return
    try:
        run('{"kind": "Config", "users": [{"name": "u", "user": {"token": "t"}}]}')
    except JsonPathRuntimeError as exc:
        assert exc.message.startswith("error executing jsonpath ") and exc.message.endswith("\n\n\n")


@pytest.mark.parametrize("value, text, as_json", [
    (1.0, "1", "1"), (1000000.0, "1e+06", "1000000"), (0.5, "0.5", "0.5"), (1.5e-7, "1.5e-07", "1.5e-7"),
    (123456789012.0, "1.23456789012e+11", "123456789012"), (1e21, "1e+21", "1e+21"), (-0.0001, "-0.0001", "-0.0001"),
])
def test_numbers_print_as_go_prints_them(value, text, as_json):
    assert go_float(value) == text
    assert json_float(value) == as_json


def test_range_and_unterminated_range():
    assert parse('{range .contexts[*]}{.name}{"\\n"}{end}').render(OBJECT) == "dev\n"
    assert parse("{range .clusters[*]}{.name},").render(OBJECT) == "dev,prod,,"


def test_comparing_a_json_number_with_an_int_literal_fails_as_in_kubectl():
    template = parse("{.clusters[1].cluster.extensions[?(@.extension.n==3)].name}")
    with pytest.raises(JsonPathRuntimeError, match="incompatible types for comparison"):
        template.render(OBJECT)
    assert parse("{.clusters[1].cluster.extensions[?(@.extension.n==3.0)].name}").render(OBJECT) == "e"
