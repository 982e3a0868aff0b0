"""kubectl's kubeconfig schema (client-go `tools/clientcmd/api/v1`), as tables.

One walker over these tables does three jobs:
- **validate** a parsed file the way client-go's strict JSON decoding does: a number or a
  YAML-1.1 boolean where a string belongs is an error; `*-data` fields must be padded base64;
- **canonicalize** for output: known fields in Go struct order, `omitempty` fields dropped,
  non-omitempty ones written even when empty (`env: null`, `user: ""`), the exec defaulting
  (`interactiveMode: IfAvailable`) applied — exactly what `kubectl config view` prints and
  what kubectl writes to a file;
- **keep unknown fields** when we write a file ourselves (kubectl drops them; we promised not to).

The field order, the `omitempty` flags and the defaults come from the v1 types
(`Config`, `Cluster`, `AuthInfo`, `Context`, `ExecConfig`, `AuthProviderConfig`).
"""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

# Field kinds
STR, BOOL, BYTES, STRLIST, STRMAP, STRLISTMAP, ANY = "str", "bool", "bytes", "strlist", "strmap", "strlistmap", "any"


class Field:
    """One field of a Go struct: its JSON name, kind, and whether it is `omitempty`.

    Plain classes rather than dataclasses: this module is imported on `kubewallet use`, and
    `dataclasses` (with the `inspect` it imports) costs more start-up time than the whole parse.
    """

    __slots__ = ("name", "kind", "omitempty")

    def __init__(self, name: str, kind, omitempty: bool = True) -> None:
        self.name, self.kind, self.omitempty = name, kind, omitempty


class Struct:
    __slots__ = ("go_name", "fields", "defaults")

    def __init__(self, go_name: str, fields: tuple, defaults=None) -> None:
        self.go_name, self.fields, self.defaults = go_name, fields, defaults


class ListOf:
    __slots__ = ("item",)

    def __init__(self, item: Struct) -> None:
        self.item = item


NAMED_EXTENSION = Struct("NamedExtension", (Field("name", STR, False), Field("extension", ANY, False)))
EXTENSIONS = ListOf(NAMED_EXTENSION)

CLUSTER = Struct("Cluster", (
    Field("server", STR, False),
    Field("tls-server-name", STR),
    Field("insecure-skip-tls-verify", BOOL),
    Field("certificate-authority", STR),
    Field("certificate-authority-data", BYTES),
    Field("proxy-url", STR),
    Field("disable-compression", BOOL),
    Field("extensions", EXTENSIONS),
))

EXEC_ENV = Struct("ExecEnvVar", (Field("name", STR, False), Field("value", STR, False)))


def _exec_defaults(body: dict) -> None:
    # client-go SetDefaults_ExecConfig: an empty interactiveMode means IfAvailable, but only for
    # the v1alpha1/v1beta1 protocol; v1 requires it to be stated, so nothing is filled in.
    if not body.get("interactiveMode") and body.get("apiVersion") in (
            "client.authentication.k8s.io/v1beta1", "client.authentication.k8s.io/v1alpha1"):
        body["interactiveMode"] = "IfAvailable"


EXEC = Struct("ExecConfig", (
    Field("command", STR, False),
    Field("args", STRLIST, False),
    Field("env", ListOf(EXEC_ENV), False),
    Field("apiVersion", STR),
    Field("installHint", STR),
    Field("provideClusterInfo", BOOL, False),
    Field("interactiveMode", STR),
), _exec_defaults)

AUTH_PROVIDER = Struct("AuthProviderConfig", (Field("name", STR, False), Field("config", STRMAP, False)))

USER = Struct("AuthInfo", (
    Field("client-certificate", STR),
    Field("client-certificate-data", BYTES),
    Field("client-key", STR),
    Field("client-key-data", BYTES),
    Field("token", STR),
    Field("tokenFile", STR),
    Field("as", STR),
    Field("as-uid", STR),
    Field("as-groups", STRLIST),
    Field("as-user-extra", STRLISTMAP),
    Field("username", STR),
    Field("password", STR),
    Field("auth-provider", AUTH_PROVIDER),
    Field("exec", EXEC),
    Field("extensions", EXTENSIONS),
))

CONTEXT = Struct("Context", (
    Field("cluster", STR, False),
    Field("user", STR, False),
    Field("namespace", STR),
    Field("extensions", EXTENSIONS),
))

NAMED = {
    "clusters": Struct("NamedCluster", (Field("name", STR, False), Field("cluster", CLUSTER, False))),
    "users": Struct("NamedAuthInfo", (Field("name", STR, False), Field("user", USER, False))),
    "contexts": Struct("NamedContext", (Field("name", STR, False), Field("context", CONTEXT, False))),
}
INNER_KEY = {"clusters": "cluster", "users": "user", "contexts": "context"}
INNER_STRUCT = {"clusters": CLUSTER, "users": USER, "contexts": CONTEXT}
KINDS = ("clusters", "users", "contexts")

PREFERENCES = Struct("Preferences", (Field("colors", BOOL), Field("extensions", EXTENSIONS)))

CONFIG = Struct("Config", (
    Field("kind", STR),
    Field("apiVersion", STR),
    Field("preferences", PREFERENCES),
    Field("clusters", ListOf(NAMED["clusters"]), False),
    Field("users", ListOf(NAMED["users"]), False),
    Field("contexts", ListOf(NAMED["contexts"]), False),
    Field("current-context", STR, False),
    Field("extensions", EXTENSIONS),
))

class SchemaError(ValueError):
    """A value of the wrong type at `path` (dict keys and list indexes)."""

    def __init__(self, path: list[Any], message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


def dotted(path: list[Any]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _strings(raw: Any, path: list[Any]) -> list[str]:
    _expect(isinstance(raw, list), path, "a list of strings", raw)
    for i, item in enumerate(raw):
        _expect(item is None or isinstance(item, str), path + [i], "a string", item)
    return ["" if item is None else item for item in raw]


def _type_word(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _expect(cond: bool, path: list[Any], want: str, value: Any) -> None:
    if not cond:
        hint = ""
        if isinstance(value, bool) and want == "a string":
            hint = " (YAML 1.1 reads y/n/yes/no/on/off/true/false as booleans: quote it)"
        raise SchemaError(path, f"{dotted(path)}: expected {want}, got {_type_word(value)}{hint}")


def check_base64(value: str, path: list[Any]) -> None:
    """Go's StdEncoding, as client-go decodes `*-data` fields: padded, standard alphabet, CR and
    LF skipped; the error gives kubectl's words (`illegal base64 data at input byte N`)."""
    offset = go_base64_error(value)
    if offset is not None:
        raise SchemaError(path, f"{dotted(path)}: illegal base64 data at input byte {offset} "
                                f"(kubectl expects padded standard base64 of the PEM data)")


_B64 = {c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}


def go_base64_error(value: str) -> int | None:
    """The offset Go's base64.StdEncoding reports for `value`, or None when it decodes.

    Go reads 4-character quanta, skips CR and LF, wants `=` padding, and reports the offset of
    the first bad byte (for a short final quantum: where that quantum started)."""
    cleaned = value.replace("\r", "").replace("\n", "") if ("\n" in value or "\r" in value) else value
    try:  # the common case, at C speed: Python's strict decoder accepts a subset of Go's
        base64.b64decode(cleaned, validate=True)
        return None
    except (binascii.Error, ValueError):
        pass
    src = value.encode()
    si, n = 0, len(src)
    while True:
        j = 0
        while j < 4:
            if si == n:
                if j == 0:
                    return None
                return si - j
            ch = src[si]
            si += 1
            if chr(ch) in _B64:
                j += 1
                continue
            if ch in (10, 13):
                continue
            if ch != ord("="):
                return si - 1
            if j in (0, 1):
                return si - 1
            if j == 2:
                while si < n and src[si] in (10, 13):
                    si += 1
                if si == n:
                    return n
                if src[si] != ord("="):
                    return si - 1
                si += 1
            while si < n and src[si] in (10, 13):
                si += 1
            return si if si < n else None


def _is_empty(kind: Any, value: Any) -> bool:
    if value is None:
        return True
    if kind == BOOL:
        return value is False
    if kind is PREFERENCES:
        return not value  # a struct value, yet kubectl prints no `preferences: {}`
    if isinstance(kind, Struct):
        return False  # pointers to structs: omitted only when nil
    return len(value) == 0


def walk(value: Any, spec: Struct, path: list[Any], keep_unknown: bool) -> dict:
    """Validate `value` against `spec` and return its canonical form (see module docstring)."""
    if value is None:
        value = {}
    _expect(isinstance(value, dict), path, "a mapping", value)
    out: dict = {}
    known = set()
    for field in spec.fields:
        known.add(field.name)
        raw = value.get(field.name)
        fpath = path + [field.name]
        kind = field.kind
        if raw is None:
            norm: Any = None
        elif kind == STR:
            _expect(isinstance(raw, str), fpath, "a string", raw)
            norm = raw
        elif kind == BOOL:
            _expect(isinstance(raw, bool), fpath, "true or false", raw)
            norm = raw
        elif kind == BYTES:
            _expect(isinstance(raw, str), fpath, "a base64 string", raw)
            check_base64(raw, fpath)
            norm = raw.replace("\r", "").replace("\n", "") if ("\n" in raw or "\r" in raw) else raw
        # Go decodes a JSON null into a string as "" and into a slice as nil: kubectl accepts
        # `as-groups: [~]` or `config: {k: ~}` and reads them so; so do we.
        elif kind == STRLIST:
            norm = _strings(raw, fpath)
        elif kind == STRMAP:
            _expect(isinstance(raw, dict), fpath, "a mapping of strings", raw)
            norm = {}
            for k, item in raw.items():
                _expect(item is None or isinstance(item, str), fpath + [k], "a string", item)
                norm[str(k)] = "" if item is None else item
        elif kind == STRLISTMAP:
            _expect(isinstance(raw, dict), fpath, "a mapping of string lists", raw)
            norm = {str(k): None if item is None else _strings(item, fpath + [k])
                    for k, item in raw.items()}
        elif kind == ANY:
            norm = raw
        elif isinstance(kind, ListOf):
            _expect(isinstance(raw, list), fpath, "a list", raw)
            norm = [walk(item, kind.item, fpath + [i], keep_unknown) for i, item in enumerate(raw)]
            if kind is EXTENSIONS:  # a map in client-go: written back sorted by name
                norm.sort(key=lambda ext: (ext.get("name") or "").encode())
        elif isinstance(kind, Struct):
            norm = walk(raw, kind, fpath, keep_unknown)
        else:  # pragma: no cover - the tables above are closed
            raise AssertionError(kind)
        if field.omitempty and _is_empty(kind, norm):
            continue
        if norm is None and not field.omitempty:
            # a null struct is Go's zero struct, with its own non-omitempty fields (`server: ""`)
            norm = walk({}, kind, fpath, keep_unknown) if isinstance(kind, Struct) else _zero(kind)
        out[field.name] = norm
    if spec.defaults:
        spec.defaults(out)
    if keep_unknown:
        for key, raw in value.items():
            if key not in known:
                out[key] = raw
    return out


def _zero(kind: Any) -> Any:
    if kind == STR:
        return ""
    if kind == BOOL:
        return False
    if isinstance(kind, Struct):
        return {}
    return None  # slices and maps: Go's nil, written as null


def entry_name(item: Any, kind: str, index: int) -> str:
    """The `name` of a named entry, validated like the rest."""
    if item is None:
        return ""
    _expect(isinstance(item, dict), [kind, index], "a mapping", item)
    name = item.get("name")
    if name is None:
        return ""
    _expect(isinstance(name, str), [kind, index, "name"], "a string", name)
    return name
