"""kubectl's JSONPath dialect, for `config view -o jsonpath=...` (and `jsonpath-as-json`, `jsonpath-file`).

A port of k8s.io/client-go/util/jsonpath (parser.go, jsonpath.go; kubectl 1.35) and of the
printer around it (k8s.io/cli-runtime/pkg/printers/jsonpath.go), bug for bug, because scripts
depend on the exact output:

- the object is the one `config view -o json` prints, decoded as Go's `encoding/json` decodes
  into `interface{}` (every number a float64);
- `{range X}...{end}` repeats its body per result; an unterminated `{range}` is accepted (the
  text after it then also runs once on the whole object);
- a missing field or key is no error (kubectl's `--allow-missing-template-keys` defaults to true);
- filter comparisons follow Go's text/template rules: `@.n == 1` compares a float64 with an int
  and fails with "incompatible types for comparison", as in kubectl;
- a string is a list of bytes to `*` and `..` (`{.kind.*}` prints `67 111 110 ...`);
- printing: maps and lists as compact JSON (sorted keys, `<>&` escaped), other values as Go's
  `fmt.Print` writes them, the results of one `{}` separated by a space; `jsonpath-as-json`
  prints each `{}`'s results as an indented JSON array.

One difference: Go walks a map (`.*` and `..` over a map) in random order, so kubectl's output
for those varies from run to run; here maps are walked in sorted key order, one of kubectl's
possible outputs.

Pure functions over plain values: `parse` (JsonPathSyntaxError) and `Template.render`
(JsonPathRuntimeError); `printer` does what kubectl's printer does with both. The parser is
jsonpath_parser.py, Go's printing of values gofmt.py.
"""

from __future__ import annotations

import json
from typing import Any, Callable

from kubewallet.errors import KubeconfigError
from kubewallet.kubeconfig.gofmt import (INVALID, GoByte, children, go_quote, go_syntax, go_type_name, go_value,
                                         print_results)
from kubewallet.kubeconfig.jsonpath_parser import (ArrayNode, FieldNode, FilterNode, IdentifierNode, JsonPathSyntaxError,
                                                   ListNode, Node, RecursiveNode, TextNode, UnionNode, ValueNode,
                                                   WildcardNode, parse_template)

__all__ = ["JsonPathSyntaxError", "JsonPathRuntimeError", "Template", "parse", "view_object",
           "printer", "FORMATS"]

FORMATS = ("jsonpath", "jsonpath-as-json", "jsonpath-file")


class JsonPathRuntimeError(KubeconfigError):
    """The template failed on the object (index out of range, incompatible comparison, ...)."""


def parse(text: str) -> "Template":
    """A template, or JsonPathSyntaxError with client-go's words."""
    return Template(text, parse_template(text))


# ----- evaluation (jsonpath.go) -----------------------------------------------------------------

class _BadComparison(Exception):
    pass


def _basic_kind(v: Any) -> str:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, GoByte):
        return "uint"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return "string"
    raise _BadComparison("invalid type for comparison")


def _equal(a: Any, b: Any) -> bool:
    ka, kb = _basic_kind(a), _basic_kind(b)
    if ka != kb:
        if {ka, kb} == {"int", "uint"}:
            return int(a) == int(b)
        raise _BadComparison("incompatible types for comparison")
    return a == b


def _less(a: Any, b: Any) -> bool:
    ka, kb = _basic_kind(a), _basic_kind(b)
    if ka != kb:
        if {ka, kb} == {"int", "uint"}:
            return int(a) < int(b)
        raise _BadComparison("incompatible types for comparison")
    if ka == "bool":
        raise _BadComparison("invalid type for comparison")
    if ka == "string":
        return a.encode("utf-8", "surrogateescape") < b.encode("utf-8", "surrogateescape")
    return a < b


def _compare(op: str, a: Any, b: Any) -> bool:
    """text/template's comparison functions as the forked copy in client-go defines them."""
    if op == "<":
        return _less(a, b)
    if op == ">":
        return not (_less(a, b) or _equal(a, b))
    if op == "==":
        return _equal(a, b)
    if op == "!=":
        return not _equal(a, b)
    if op == "<=":
        return _less(a, b) or _equal(a, b)
    if op == ">=":
        return not _less(a, b)
    raise JsonPathRuntimeError(f"unrecognized filter operator {op}")


class _Run:
    """One execution: the range bookkeeping FindResults keeps on the JSONPath value."""

    def __init__(self, allow_missing: bool) -> None:
        self.allow_missing = allow_missing
        self.begin_range = self.in_range = self.end_range = 0
        self.last_end = -1

    def find(self, data: Any, nodes: list[Node], base: int) -> list[list]:
        cur = [INVALID if data is None else data]
        full: list[list] = []
        i = 0
        while i < len(nodes):
            results = self.walk(cur, nodes[i])
            if self.end_range > 0 and self.end_range <= self.in_range:
                self.end_range -= 1
                self.last_end = base + i
                break
            if self.begin_range > 0:
                self.begin_range -= 1
                self.in_range += 1
                if results:
                    for value in results:
                        full.extend(self.find(value, nodes[i + 1:], base + i + 1))
                else:
                    self.find(INVALID, nodes[i + 1:], base + i + 1)
                self.in_range -= 1
                for k in range(i + 1, len(nodes)):
                    if base + k == self.last_end:
                        i = k
                        break
                i += 1
                continue
            full.append(results)
            i += 1
        return full

    def walk(self, values: list, node: Node) -> list:
        if isinstance(node, ListNode):
            return self.eval_list(values, node)
        if isinstance(node, TextNode):
            return [node.text]
        if isinstance(node, FieldNode):
            return self.eval_field(values, node)
        if isinstance(node, ArrayNode):
            return self.eval_array(values, node)
        if isinstance(node, FilterNode):
            return self.eval_filter(values, node)
        if isinstance(node, ValueNode):
            return [node.value for _ in values]
        if isinstance(node, WildcardNode):
            return [c for v in values if v is not None for c in children(v)]
        if isinstance(node, RecursiveNode):
            return self.eval_recursive(values)
        if isinstance(node, UnionNode):
            return [r for part in node.lists for r in self.eval_list(values, part)]
        assert isinstance(node, IdentifierNode)
        return self.eval_identifier(values, node)

    def eval_list(self, values: list, node: ListNode) -> list:
        for child in node.nodes:
            values = self.walk(values, child)
        return values

    def eval_identifier(self, values: list, node: IdentifierNode) -> list:
        if node.name == "range":
            self.begin_range += 1
            return values
        if node.name == "end":
            if self.in_range > 0:
                self.end_range += 1
                return []
            raise JsonPathRuntimeError("not in range, nothing to end")
        raise JsonPathRuntimeError(f"unrecognized identifier {node.name}")

    def eval_field(self, values: list, node: FieldNode) -> list:
        results = [v[node.name] for v in values if isinstance(v, dict) and node.name in v]
        if not results and values and not self.allow_missing:
            raise JsonPathRuntimeError(f"{node.name} is not found")
        return results

    def eval_array(self, values: list, node: ArrayNode) -> list:
        result: list = []
        for value in values:
            if value is None:
                continue
            if not isinstance(value, list):
                raise JsonPathRuntimeError(f"{go_type_name(value)} is not array or slice")
            length = len(value)
            (k0, start, _), (k1, stop, derived1), (k2, step, _) = node.params
            start = start if k0 else 0
            if start < 0:
                start += length
            if not k1:
                stop = length
            if stop < 0 or (stop == 0 and derived1):
                stop += length
            if stop == start:
                return result  # zero elements asked for: Go returns what it has so far
            if start >= length or start < 0:
                raise JsonPathRuntimeError(f"array index out of bounds: index {start}, length {length}")
            if stop > length or stop < 0:
                raise JsonPathRuntimeError(f"array index out of bounds: index {stop - 1}, length {length}")
            if start > stop:
                raise JsonPathRuntimeError(f"starting index {start} is greater than ending index {stop}")
            if k2 and step <= 0:
                raise JsonPathRuntimeError("step must be > 0")
            result.extend(value[start:stop:step if k2 else 1])
        return result

    def eval_recursive(self, values: list) -> list:
        result: list = []
        for value in values:
            if value is None:
                continue
            kids = children(value)
            if kids:
                result.append(value)
                result.extend(self.eval_recursive(kids))
        return result

    def eval_filter(self, values: list, node: FilterNode) -> list:
        results: list = []
        for value in values:
            if not isinstance(value, list):
                raise JsonPathRuntimeError(f"{go_value(value)} is not array or slice and cannot be filtered")
            for item in value:
                try:
                    lefts = self.eval_list([item], node.left)
                except JsonPathRuntimeError:
                    if node.op == "exists":
                        continue
                    raise
                if node.op == "exists":
                    if lefts:
                        results.append(item)
                    continue
                if not lefts:
                    continue
                if len(lefts) > 1:
                    raise JsonPathRuntimeError("can only compare one element at a time")
                rights = self.eval_list([item], node.right)
                if not rights:
                    continue
                if len(rights) > 1:
                    raise JsonPathRuntimeError("can only compare one element at a time")
                try:
                    passed = _compare(node.op, lefts[0], rights[0])
                except _BadComparison as exc:
                    raise JsonPathRuntimeError(str(exc)) from None
                if passed:
                    results.append(item)
        return results


class Template:
    """A parsed template: `render` runs it over a decoded object."""

    def __init__(self, text: str, root: ListNode) -> None:
        self.text = text
        self.root = root

    def render(self, data: Any, *, allow_missing: bool = True, as_json: bool = False) -> str:
        """Execute: every result found first (an error prints nothing), then printed."""
        run = _Run(allow_missing)
        try:
            found = run.find(data, self.root.nodes, 0)
        except RecursionError:
            raise JsonPathRuntimeError("the template nests too deeply") from None
        return "".join(print_results(results, as_json) for results in found)


# ----- kubectl config view's printer ------------------------------------------------------------

def view_object(doc_json: str) -> Any:
    """The object kubectl hands the engine: the view's JSON decoded as Go decodes into interface{}."""
    return json.loads(doc_json, parse_int=float)


def printer(output: str, template_arg: str = "", *, allow_missing: bool = True):
    """kubectl's jsonpath printer for `config view -o OUTPUT [--template T]`, built (and the
    template parsed) before anything is read, as kubectl does.

    `output` is the -o value (`jsonpath=...`, `jsonpath-as-json=...`, `jsonpath-file=PATH`, or
    a bare format with the template in `template_arg`). Errors are kubectl's words
    (genericclioptions.JSONPathPrintFlags). The printer takes the view's JSON and returns the
    text; an execution error dumps the object as kubectl does (printers.JSONPathPrinter), from
    the second argument when given (a function returning the redacted view's JSON), so a secret
    shown with --raw never lands in an error message.
    """
    fmt, value = output, template_arg
    if not template_arg:
        for name in FORMATS:
            if output.startswith(name + "="):
                fmt, value = name, output[len(name) + 1:]
                break
    if fmt not in FORMATS:
        raise KubeconfigError(
            f'unable to match a printer suitable for the output format "{output}", allowed formats are: '
            "go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,kyaml,name,"
            "template,templatefile,yaml")
    if not value:
        raise KubeconfigError("template format specified but no template given")
    if fmt == "jsonpath-file":
        try:
            with open(value, "rb") as fh:
                value = fh.read().decode("utf-8", "surrogateescape")
        except OSError as exc:
            reason = (exc.strerror or str(exc)).lower()
            raise KubeconfigError(f"error reading --template {value}, open {value}: {reason}") from None
    try:
        template = parse(value)
    except JsonPathSyntaxError as exc:
        raise JsonPathSyntaxError(f"error parsing jsonpath {value}, {exc.message}") from None

    def run(view_json: str, error_view_json: Callable[[], str] | None = None) -> str:
        data = view_object(view_json)
        try:
            return template.render(data, allow_missing=allow_missing, as_json=fmt == "jsonpath-as-json")
        except JsonPathRuntimeError as exc:
            shown = data if error_view_json is None else view_object(error_view_json())
            raise JsonPathRuntimeError(
                f"error executing jsonpath {go_quote(value)}: Error executing template: {exc.message}. "
                "Printing more information for debugging the template:\n"
                f"\ttemplate was:\n\t\t{value}\n"
                f"\tobject given to jsonpath engine was:\n\t\t{go_syntax(shown)}\n\n\n") from None
    return run
