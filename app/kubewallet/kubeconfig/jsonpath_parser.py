"""The parser of kubectl's JSONPath dialect: client-go util/jsonpath/parser.go, ported rune for rune.

`parse` turns a template into a `ListNode` tree (text outside braces, one list per `{...}`) or
raises JsonPathSyntaxError with client-go's words ("unclosed action", "unterminated array",
"invalid array index x", ...). Its leniencies are kept: `...name` is `..name`, `['a.b']` is two
fields, a filter's operator is any run of `!<>=` (checked only when the filter runs).
"""

from __future__ import annotations

import re
from typing import Any

from kubewallet.errors import KubeconfigError


class JsonPathSyntaxError(KubeconfigError):
    """The template does not parse; the message is client-go's parser error."""


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
        self.go_text(self.root)
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
    def go_text(self, cur: ListNode) -> None:
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
                self.go_text(self.root)
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


def parse_template(text: str) -> ListNode:
    """The root list of a template, or JsonPathSyntaxError with client-go's words."""
    return _Parser(text).parse()
