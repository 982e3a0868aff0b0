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
(JsonPathRuntimeError); `printer` does what kubectl's printer does with both.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from kubewallet.errors import KubeconfigError

__all__ = ["JsonPathSyntaxError", "JsonPathRuntimeError", "Template", "parse", "view_object",
           "printer", "FORMATS"]

FORMATS = ("jsonpath", "jsonpath-as-json", "jsonpath-file")


class JsonPathSyntaxError(KubeconfigError):
    """The template does not parse; the message is client-go's parser error."""


class JsonPathRuntimeError(KubeconfigError):
    """The template failed on the object (index out of range, incompatible comparison, ...)."""


# ----- values: Go kinds that plain Python values cannot tell apart ------------------------------

class GoByte(int):
    """A byte of a string, as `*` and `..` yield them (Go's uint8: printed as a number)."""


class _Invalid:
    """Go's zero reflect.Value: what a range over nothing, or over a JSON null, runs its body on."""

    def __repr__(self) -> str:
        return "<invalid reflect.Value>"


INVALID = _Invalid()


def _type_name(v: Any) -> str:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, GoByte):
        return "uint8"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float64"
    if isinstance(v, str):
        return "string"
    if isinstance(v, dict):
        return "map[string]interface {}"
    if isinstance(v, list):
        return "[]interface {}"
    return "<invalid reflect.Value>"  # kubectl panics here (reflect.Value.Type on zero Value)


def _children(v: Any) -> list:
    """What `*` and `..` descend into: map values (sorted keys), list items, a string's bytes."""
    if isinstance(v, dict):
        return [v[k] for k in sorted(v, key=str.encode)]
    if isinstance(v, list):
        return list(v)
    if isinstance(v, str):
        return [GoByte(b) for b in v.encode("utf-8", "surrogateescape")]
    return []


# ----- the parser (parser.go) -------------------------------------------------------------------

_SLICE = re.compile(r"(-?[0-9]*)(:-?[0-9]*)?(:-?[0-9]*)?")
_DICT_KEY = re.compile(r"'([^']*)'")
_FILTER = re.compile(r"([^!<>=]+)([!<>=]+)(.+?)", re.S)
_INT64 = 2 ** 63


class Node:
    __slots__ = ()


class ListNode(Node):
    __slots__ = ("nodes",)

    def __init__(self) -> None:
        self.nodes: list[Node] = []


class TextNode(Node):
    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


class FieldNode(Node):
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


class IdentifierNode(Node):
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


class ValueNode(Node):
    """An int, float or bool literal: evaluates to itself once per input."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


class ArrayNode(Node):
    __slots__ = ("params",)

    def __init__(self, params: list[tuple[bool, int, bool]]) -> None:
        self.params = params   # (known, value, derived) for start, end, step


class FilterNode(Node):
    __slots__ = ("left", "right", "op")

    def __init__(self, left: ListNode, right: ListNode, op: str) -> None:
        self.left, self.right, self.op = left, right, op


class WildcardNode(Node):
    __slots__ = ()


class RecursiveNode(Node):
    __slots__ = ()


class UnionNode(Node):
    __slots__ = ("lists",)

    def __init__(self, lists: list[ListNode]) -> None:
        self.lists = lists


def _is_terminator(r: str) -> bool:
    return r in ("", " ", "\t", "\r", "\n", ".", ",", "[", "]", "$", "@", "{", "}")


def _is_alnum(r: str) -> bool:
    return r == "_" or r.isalpha() or r.isdecimal()


def _go_unicode(r: str) -> str:
    """Go's `%#U`: U+0078 'x', or only U+0007 for a rune strconv.IsPrint refuses."""
    code = f"U+{ord(r):04X}"
    return f"{code} '{r}'" if r.isprintable() else code


def _atoi(text: str) -> int | None:
    """Go's strconv.Atoi: an optional sign and ASCII digits, within int64."""
    if not re.fullmatch(r"[+-]?[0-9]+", text):
        return None
    value = int(text)
    return value if -_INT64 <= value < _INT64 else None


def _parse_float(text: str) -> float | None:
    """Go's strconv.ParseFloat for what parseNumber collects (sign, digits and dots)."""
    if not re.fullmatch(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)", text):
        return None
    return float(text)


class _Parser:
    def __init__(self, text: str) -> None:
        self.input = text
        self.pos = self.start = self.width = 0
        self.root = ListNode()

    def parse(self) -> ListNode:
        self._text(self.root)
        return self.root

    # -- scanning
    def _consume(self) -> str:
        value = self.input[self.start:self.pos]
        self.start = self.pos
        return value

    def _next(self) -> str:
        if self.pos >= len(self.input):
            self.width = 0
            return ""
        self.width = 1
        self.pos += 1
        return self.input[self.pos - 1]

    def _peek(self) -> str:
        r = self._next()
        self.pos -= self.width
        return r

    def _backup(self) -> None:
        self.pos -= self.width

    # -- grammar (each step continues with the next, as the Go code's tail calls do)
    def _text(self, cur: ListNode) -> None:
        while True:
            if self.input.startswith("{", self.pos):
                if self.pos > self.start:
                    cur.nodes.append(TextNode(self._consume()))
                self.pos += 1
                self._consume()
                node = ListNode()
                cur.nodes.append(node)
                self._inside(node)
                return
            if self._next() == "":
                break
        if self.pos > self.start:
            cur.nodes.append(TextNode(self._consume()))

    def _inside(self, cur: ListNode) -> None:
        while True:
            rest = self.input[self.pos:]
            if rest.startswith("}"):
                self.pos += 1
                self._consume()
                self._text(self.root)
                return
            if rest.startswith("[?("):
                self._filter(cur)
                continue
            if rest.startswith(".."):
                if cur.nodes and isinstance(cur.nodes[-1], RecursiveNode):
                    raise JsonPathSyntaxError("invalid multiple recursive descent")
                self.pos += 2
                self._consume()
                cur.nodes.append(RecursiveNode())
                if _is_alnum(self._peek()):
                    self._field(cur)
                continue
            r = self._next()
            if r in ("", "\r", "\n"):
                raise JsonPathSyntaxError("unclosed action")
            if r in (" ", "@", "$"):
                self._consume()
            elif r == "[":
                self._array(cur)
            elif r in ('"', "'"):
                self._quote(cur, r)
            elif r == ".":
                self._field(cur)
            elif r in ("+", "-") or r.isdecimal():
                self._backup()
                self._number(cur)
            elif _is_alnum(r):
                self._backup()
                self._identifier(cur)
            else:
                raise JsonPathSyntaxError(f"unrecognized character in action: {_go_unicode(r)}")

    def _identifier(self, cur: ListNode) -> None:
        while True:
            if _is_terminator(self._next()):
                self._backup()
                break
        value = self._consume()
        cur.nodes.append(ValueNode(value == "true") if value in ("true", "false") else IdentifierNode(value))

    def _number(self, cur: ListNode) -> None:
        if self._peek() in ("+", "-"):
            self._next()
        while True:
            r = self._next()
            if r != "." and not r.isdecimal():
                self._backup()
                break
        value = self._consume()
        number: int | float | None = _atoi(value)
        if number is None:
            number = _parse_float(value)
        if number is None:
            raise JsonPathSyntaxError(f"cannot parse number {value}")
        cur.nodes.append(ValueNode(number))

    def _array(self, cur: ListNode) -> None:
        while True:
            r = self._next()
            if r in ("", "\n"):
                raise JsonPathSyntaxError("unterminated array")
            if r == "]":
                break
        text = self._consume()[1:-1]
        if text == "*":
            text = ":"
        parts = text.split(",")
        if len(parts) > 1:
            cur.nodes.append(UnionNode([_parse_action(f"[{p.strip(' ')}]") for p in parts]))
            return
        key = _DICT_KEY.fullmatch(text)
        if key is not None:
            cur.nodes.extend(_parse_action(f".{key.group(1)}").nodes)
            return
        m = _SLICE.fullmatch(text)
        if m is None:
            raise JsonPathSyntaxError(f"invalid array index {text}")
        params: list[tuple[bool, int, bool]] = []
        for i, raw in enumerate(m.groups(default="")):
            if raw:
                if i > 0:
                    raw = raw[1:]
                if i > 0 and raw == "":
                    params.append((False, 0, False))
                else:
                    value = _atoi(raw)
                    if value is None:
                        raise JsonPathSyntaxError(f"array index {raw} is not a number")
                    params.append((True, value, False))
            elif i == 1:
                params.append((True, params[0][1] + 1, True))
            else:
                params.append((False, 0, False))
        cur.nodes.append(ArrayNode(params))

    def _filter(self, cur: ListNode) -> None:
        self.pos += 3
        self._consume()
        begin = end = False
        pair = ""
        while True:
            r = self._next()
            if r in ("", "\n"):
                raise JsonPathSyntaxError("unterminated filter")
            if r in ('"', "'"):
                if not begin:
                    begin, pair = True, r
                    continue
                if self.input[self.pos - 2] != "\\" and r == pair:
                    end = True
            elif r == ")" and begin == end:
                break
        if self._next() != "]":
            raise JsonPathSyntaxError("unclosed array expect ]")
        text = self._consume()[:-2]
        m = _FILTER.fullmatch(text)
        if m is None:
            cur.nodes.append(FilterNode(_parse_action(text), ListNode(), "exists"))
        else:
            cur.nodes.append(FilterNode(_parse_action(m.group(1)), _parse_action(m.group(3)), m.group(2)))

    def _quote(self, cur: ListNode, end: str) -> None:
        while True:
            r = self._next()
            if r in ("", "\n"):
                raise JsonPathSyntaxError("unterminated quoted string")
            if r == end and self.input[self.pos - 2] != "\\":
                break
        value = self._consume()
        try:
            cur.nodes.append(TextNode(_unquote(value)))
        except ValueError:
            raise JsonPathSyntaxError(f"unquote string {value} error invalid syntax") from None

    def _field(self, cur: ListNode) -> None:
        self._consume()
        while True:
            r = self._next()
            if r == "\\":
                self._next()
            elif _is_terminator(r):
                self._backup()
                break
        value = self._consume()
        cur.nodes.append(WildcardNode() if value == "*" else FieldNode(value.replace("\\", "")))


def _parse_action(text: str) -> ListNode:
    """parser.go's parseAction: `{text}` parsed on its own, its first action."""
    first = _Parser("{" + text + "}").parse().nodes[0]
    assert isinstance(first, ListNode)
    return first


_SIMPLE_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\"}


def _unquote(s: str) -> str:
    """parser.go's UnquoteExtend: Go's strconv.Unquote, for single quotes too (ValueError: invalid syntax)."""
    if len(s) < 2 or s[0] != s[-1] or s[0] not in "\"'":
        raise ValueError
    quote, s = s[0], s[1:-1]
    if "\\" not in s and quote not in s:
        return s
    out = bytearray()
    while s:
        c = s[0]
        if c == quote:
            raise ValueError
        if c != "\\":
            out += c.encode("utf-8", "surrogateescape")
            s = s[1:]
            continue
        if len(s) <= 1:
            raise ValueError
        c, s = s[1], s[2:]
        if c in _SIMPLE_ESCAPES:
            out += _SIMPLE_ESCAPES[c].encode()
        elif c in "xuU":
            n = {"x": 2, "u": 4, "U": 8}[c]
            digits = s[:n]
            if len(digits) < n or not all(d in "0123456789abcdefABCDEF" for d in digits):
                raise ValueError
            value, s = int(digits, 16), s[n:]
            if c == "x":
                out.append(value)
            elif value > 0x10FFFF or 0xD800 <= value <= 0xDFFF:
                raise ValueError
            else:
                out += chr(value).encode()
        elif c in "01234567":
            digits = c + s[:2]
            if len(digits) < 3 or not all(d in "01234567" for d in digits):
                raise ValueError
            value, s = int(digits, 8), s[2:]
            if value > 255:
                raise ValueError
            out.append(value)
        elif c in "'\"":
            if c != quote:
                raise ValueError
            out += c.encode()
        else:
            raise ValueError
    return out.decode("utf-8", "surrogateescape")


def parse(text: str) -> "Template":
    """A template, or JsonPathSyntaxError with client-go's words."""
    return Template(text, _Parser(text).parse())


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
            return [c for v in values if v is not None for c in _children(v)]
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
                raise JsonPathRuntimeError(f"{_type_name(value)} is not array or slice")
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
            children = _children(value)
            if children:
                result.append(value)
                result.extend(self.eval_recursive(children))
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


# ----- printing (Go's fmt and encoding/json) ----------------------------------------------------

def _digits(f: float) -> tuple[str, int]:
    """Shortest round-trip digits of a non-zero |f| and the decimal point position, as strconv."""
    _sign, digits, exp = Decimal(repr(abs(f))).as_tuple()
    text = "".join(map(str, digits)).rstrip("0")
    assert isinstance(exp, int)
    return text, exp + len(digits)


def _fixed(digits: str, dp: int) -> str:
    if dp <= 0:
        return "0." + "0" * -dp + digits
    if dp >= len(digits):
        return digits + "0" * (dp - len(digits))
    return digits[:dp] + "." + digits[dp:]


def _exponent(digits: str, dp: int) -> str:
    exp = dp - 1
    mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{mantissa}e{'-' if exp < 0 else '+'}{abs(exp):02d}"


def go_float(f: float) -> str:
    """fmt's %v of a float64: strconv 'g' with the shortest digits (%e below 1e-4 and from 1e6)."""
    if f == 0:
        return "-0" if str(f).startswith("-") else "0"
    digits, dp = _digits(f)
    sign = "-" if f < 0 else ""
    exp = dp - 1
    return sign + (_exponent(digits, dp) if exp < -4 or exp >= 6 else _fixed(digits, dp))


def json_float(f: float) -> str:
    """encoding/json's float64: 'f', or 'e' below 1e-6 and from 1e21, with e-09 written e-9."""
    if f == 0:
        return "-0" if str(f).startswith("-") else "0"
    digits, dp = _digits(f)
    sign = "-" if f < 0 else ""
    if abs(f) < 1e-6 or abs(f) >= 1e21:
        return sign + re.sub(r"e-0(\d)$", r"e-\1", _exponent(digits, dp))
    return sign + _fixed(digits, dp)


def json_string(s: str) -> str:
    """encoding/json's string: `<>&` and U+2028/9 escaped, invalid UTF-8 as U+FFFD."""
    s = s.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    text = json.dumps(s, ensure_ascii=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def to_json(v: Any, indent: str = "", step: str = "") -> str:
    """json.Marshal (step "") or json.MarshalIndent(v, "", step) of a decoded value."""
    if v is None or v is INVALID:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(int(v))
    if isinstance(v, float):
        return json_float(v)
    if isinstance(v, str):
        return json_string(v)
    inner = indent + step
    sep, colon = ("," + "\n" + inner, ": ") if step else (",", ":")
    open_, close = ("\n" + inner, "\n" + indent) if step else ("", "")
    if isinstance(v, dict):
        if not v:
            return "{}"
        items = (json_string(k) + colon + to_json(v[k], inner, step) for k in sorted(v, key=str.encode))
        return "{" + open_ + sep.join(items) + close + "}"
    if not v:
        return "[]"
    return "[" + open_ + sep.join(to_json(x, inner, step) for x in v) + close + "]"


def _text(v: Any) -> str:
    """evalToText: fmt.Fprint of the value."""
    if v is INVALID:
        return "<no value>"
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return go_float(v)
    return str(v) if isinstance(v, int) else v


def _print(results: list, as_json: bool) -> str:
    """PrintResults: one `{}`'s results."""
    if as_json:
        return to_json(list(results), "", "    ") + "\n"
    return " ".join(to_json(r) if isinstance(r, (dict, list)) else _text(r) for r in results)


def go_quote(s: str) -> str:
    """strconv.Quote (fmt's %q): printable runes as they are, the rest escaped."""
    out = ['"']
    for ch in s:
        code = ord(ch)
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
            out.append(f"\\x{code - 0xDC00:02x}")
        elif ch.isprintable():
            out.append(ch)
        elif ch in "\a\b\f\n\r\t\v":
            out.append({"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r",
                        "\t": "\\t", "\v": "\\v"}[ch])
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    return "".join(out) + '"'


def go_value(v: Any) -> str:
    """fmt's %v of a decoded value (maps as map[k:v ...] with sorted keys)."""
    if v is INVALID:
        return "<invalid reflect.Value>"
    if v is None:
        return "<nil>"
    if isinstance(v, dict):
        return "map[" + " ".join(f"{k}:{go_value(v[k])}" for k in sorted(v, key=str.encode)) + "]"
    if isinstance(v, list):
        return "[" + " ".join(go_value(x) for x in v) + "]"
    return _text(v)


def go_syntax(v: Any, top: bool = False) -> str:
    """fmt's %#v of a decoded value, as kubectl's error message dumps the object."""
    if v is None:
        return "interface {}(nil)"
    if isinstance(v, dict):
        items = ", ".join(f"{go_quote(k)}:{go_syntax(v[k])}" for k in sorted(v, key=str.encode))
        return "map[string]interface {}{" + items + "}"
    if isinstance(v, list):
        return "[]interface {}{" + ", ".join(go_syntax(x) for x in v) + "}"
    if isinstance(v, str):
        return go_quote(v)
    return _text(v)


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
        return "".join(_print(results, as_json) for results in found)


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
    the second argument when given: the caller passes the redacted view there, so a secret
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

    def run(view_json: str, error_view_json: str | None = None) -> str:
        data = view_object(view_json)
        try:
            return template.render(data, allow_missing=allow_missing, as_json=fmt == "jsonpath-as-json")
        except JsonPathRuntimeError as exc:
            shown = data if error_view_json is None else view_object(error_view_json)
            raise JsonPathRuntimeError(
                f"error executing jsonpath {go_quote(value)}: Error executing template: {exc.message}. "
                "Printing more information for debugging the template:\n"
                f"\ttemplate was:\n\t\t{value}\n"
                f"\tobject given to jsonpath engine was:\n\t\t{go_syntax(shown)}\n\n\n") from None
    return run
