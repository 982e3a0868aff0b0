"""Go's printing of a decoded JSON value, as kubectl's JSONPath printer writes it.

`fmt.Print` (%v), `%#v` and `%q` (the error message's object dump and template), and
`encoding/json`'s Marshal and MarshalIndent (sorted keys, `<>&` escaped, float64 as Go formats
it). Two Go kinds that plain Python values cannot tell apart live here too: a string's byte
(uint8, which `*` and `..` yield) and the zero reflect.Value (what a range over nothing runs on).
"""

from __future__ import annotations

import json
import re
from typing import Any

from kubewallet.kubeconfig.view import go_json_escape


class GoByte(int):
    """A byte of a string, as `*` and `..` yield them (Go's uint8: printed as a number)."""


class _Invalid:
    """Go's zero reflect.Value: what a range over nothing, or over a JSON null, runs its body on."""

    def __repr__(self) -> str:
        return "<invalid reflect.Value>"


INVALID = _Invalid()


def go_type_name(v: Any) -> str:
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


def children(v: Any) -> list:
    """What `*` and `..` descend into: map values (sorted keys), list items, a string's bytes."""
    if isinstance(v, dict):
        return [v[k] for k in sorted(v, key=str.encode)]
    if isinstance(v, list):
        return list(v)
    if isinstance(v, str):
        return [GoByte(b) for b in v.encode("utf-8", "surrogateescape")]
    return []


def _digits(f: float) -> tuple[str, int]:
    """Shortest round-trip digits of a non-zero |f| and the decimal point position, as strconv."""
    from decimal import Decimal  # only numbers in extensions get here

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
    return go_json_escape(json.dumps(s, ensure_ascii=False))


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


def go_text(v: Any) -> str:
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


def print_results(results: list, as_json: bool) -> str:
    """PrintResults: one `{}`'s results."""
    if as_json:
        return to_json(list(results), "", "    ") + "\n"
    return " ".join(to_json(r) if isinstance(r, (dict, list)) else go_text(r) for r in results)


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
    return go_text(v)


def go_syntax(v: Any) -> str:
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
    return go_text(v)
