"""Reading and writing kubeconfig YAML the way kubectl does.

Reading uses libyaml (`CSafeLoader`) for speed; on failure the error carries the file, line and
column. Writing mimics what kubectl's writer (sigs.k8s.io/yaml over go-yaml v2) produces: map
keys sorted, block style, sequences not indented under their key, no line wrapping, and strings
quoted whenever YAML 1.1 would read them as something else. That last rule is stricter than
PyYAML's own: go-yaml treats `y`, `n`, `yes`, `off`... as booleans, so a namespace called `n`
must be written `"n"` or kubectl reads it back as `false` and fails.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

import yaml

from kubewallet.errors import KubeconfigParseError

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
# First characters that can start a YAML 1.1 non-string plain scalar (bool, int, float, null,
# timestamp, merge, value). Anything else is a string without asking the resolver.
_MAYBE_TYPED = frozenset("-+0123456789.~nNtTfFyYoO<=")
# The keys of a kubeconfig that start with one of those characters: strings, known in advance.
_KNOWN_STRINGS = frozenset(("name", "namespace", "tokenFile", "token", "tls-server-name",
                            "command", "config"))

if hasattr(yaml, "CSafeLoader"):
    class _FastLoader(yaml.CSafeLoader):  # type: ignore[misc, valid-type]
        """libyaml's parser with a lean resolver and constructor.

        kubeconfigs are thousands of plain strings (names, base64 data); PyYAML resolves and
        constructs each through generic, generator-based code. Here a string is recognised by
        its first character and built directly; maps and lists are built by plain recursion.
        Anything unusual (merge keys, explicit tags, recursive aliases) goes the standard way.
        """

        def resolve(self, kind, value, implicit):
            if kind is yaml.ScalarNode and implicit[0] and value and (
                    value[0] not in _MAYBE_TYPED or value in _KNOWN_STRINGS):
                return _STR
            return super().resolve(kind, value, implicit)

        def construct_document(self, node):
            try:
                return _build(self, node, 0)
            except _Unusual:
                return super().construct_document(node)

    class _Unusual(Exception):
        pass

    def _go_key(key):
        """sigs.k8s.io/yaml turns a non-string map key into a JSON string (`y: 1` is `"true": 1`)."""
        if isinstance(key, bool):
            return "true" if key else "false"
        if key is None:
            return "null"
        if isinstance(key, int):
            return str(key)
        raise _Unusual

    def _build(loader, node, depth):
        if depth > 200:
            raise _Unusual
        tag = node.tag
        if tag == _STR:
            return node.value
        if tag == _MAP:
            out = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise _Unusual
                key = _build(loader, key_node, depth + 1)
                if not isinstance(key, str):
                    key = _go_key(key)
                try:
                    out[key] = _build(loader, value_node, depth + 1)
                except TypeError:  # an unhashable key: let PyYAML report it
                    raise _Unusual from None
            return out
        if tag == _SEQ:
            return [_build(loader, item, depth + 1) for item in node.value]
        if isinstance(node, yaml.ScalarNode) and tag in loader.yaml_constructors:
            return loader.yaml_constructors[tag](loader, node)
        raise _Unusual

    _Loader = _FastLoader


def _go_bool(loader, node) -> bool:
    return node.value in ("y", "Y") or yaml.SafeLoader.bool_values.get(node.value.lower(), False)


# go-yaml v2 reads y, Y, n, N as booleans too (YAML 1.1): `namespace: n` is `false` to kubectl,
# which then refuses the file; read it the same way so we refuse it too.
if _Loader is yaml.SafeLoader:  # no libyaml: never change PyYAML's own loader
    _Loader = type("_GoLoader", (yaml.SafeLoader,), {})
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:y|Y|n|N)$"), list("yYnN"))
_Loader.add_constructor("tag:yaml.org,2002:bool", _go_bool)


def _first_document(text: bytes | str) -> Any:
    """The first document of the stream, as kubectl reads a file (go-yaml's Unmarshal stops
    there: later documents are ignored, even broken ones; an empty first document is empty)."""
    loader = _Loader(text)
    try:
        return loader.get_data() if loader.check_data() else None
    finally:
        loader.dispose()


def compose_document(text: bytes | str) -> Any:
    """The node tree of a one-document stream, with the marks (line, column, index) of every
    node, resolved as `parse_yaml` resolves; ValueError for anything else (several documents,
    a syntax error). quickswitch.py finds the spans of the values a switch rewrites with it."""
    loader = _Loader(text)
    try:
        return loader.get_single_node()
    except yaml.YAMLError as exc:
        raise ValueError(str(exc)) from None
    finally:
        loader.dispose()


def parse_yaml(text: bytes | str, path: str) -> Any:
    """Parse one kubeconfig document; a syntax error names the file, line and column."""
    try:
        return _first_document(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem:
            problem = f"{exc.problem} ({exc.context})"
        raise KubeconfigParseError(path, f"YAML syntax error: {problem}",
                                   mark.line + 1 if mark else None,
                                   mark.column + 1 if mark else None) from None
    except yaml.YAMLError as exc:  # reader errors: bad encoding, control characters
        raise KubeconfigParseError(path, f"cannot read the file as YAML: {exc}") from None
    except (ValueError, TypeError, OverflowError) as exc:
        # PyYAML's constructors raise these for an explicit tag on a value it cannot hold
        # (`!!int :x`, `!!float abc`); go-yaml refuses such a file too.
        raise KubeconfigParseError(path, f"YAML value error: {exc} (an explicit !!tag on a "
                                         "value of another type?)") from None


def locate(text: bytes | str, keys: list[Any]) -> tuple[int, int] | None:
    """The 1-based (line, column) of the node at `keys` (dict keys and list indexes).

    Only called when a value has the wrong shape, so the cost of composing the document a
    second time is paid on the error path alone.
    """
    loader = _Loader(text)
    try:
        node = loader.get_node() if loader.check_node() else None
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()
    best = node
    for key in keys:
        if node is None:
            break
        if isinstance(node, yaml.MappingNode) and isinstance(key, str):
            nxt = next((v for k, v in node.value if getattr(k, "value", None) == key), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            nxt = node.value[key]
        else:
            nxt = None
        if nxt is None:
            break
        node = best = nxt
    if best is None:
        return None
    return best.start_mark.line + 1, best.start_mark.column + 1


class GoStyleDumper(_Dumper):  # type: ignore[misc, valid-type]
    """A dumper whose output go-yaml v2 reads back as the same values."""


# go-yaml v2 (YAML 1.1) booleans that PyYAML's resolver does not know: quote them on output.
GoStyleDumper.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:y|Y|n|N)$"), list("yYnN"))


# go-yaml v2's resolve() tries a plain scalar that starts with a digit, sign or dot as a number
# with Go's own parsers (strconv.ParseInt base 0 after dropping '_': 0x1F, 0o17, 0b101, 017;
# its yamlStyleFloat: 1e3, .5). PyYAML's YAML 1.1 resolver misses some of them (0o17, 1e3), and
# kubectl then refuses the file ("cannot unmarshal number into ... of type string").
_GO_NUMBER = re.compile(r"[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+"
                        r"|(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?)")


def _go_reads_as_number(value: str) -> bool:
    if value[0] == ".":
        return _GO_NUMBER.fullmatch(value) is not None
    return value[0] in "+-0123456789" and _GO_NUMBER.fullmatch(value.replace("_", "")) is not None


class _GoNumberLoader(_Loader):  # type: ignore[misc, valid-type]
    """Reads plain scalars the way go-yaml v2 does where PyYAML differs: Go's number syntax
    (`0o17`, `1e3` are numbers, so kubectl refuses them where a string belongs) and timestamps
    (`2001-12-14` stays a string: kubectl accepts it as a namespace)."""

    def resolve(self, kind, value, implicit):
        if kind is yaml.ScalarNode and implicit[0] and value and value[0] not in _MAYBE_TYPED:
            return _STR  # the common case, without a second call
        tag = super().resolve(kind, value, implicit)
        if tag == _STR and kind is yaml.ScalarNode and implicit[0] and value and \
                value[0] in "+-.0123456789" and _go_reads_as_number(value):
            return _GO_NUMBER_TAG
        return tag


_GO_NUMBER_TAG = "tag:kubewallet,2026:go-number"


def _construct_go_number(loader, node) -> float:
    try:
        return float(int(node.value.replace("_", ""), 0))
    except ValueError:
        try:
            return float(node.value.replace("_", ""))
        except ValueError:
            return 0.0  # a number all the same: only its type matters (kubectl refuses it)


_GoNumberLoader.add_constructor(_GO_NUMBER_TAG, _construct_go_number)
_GoNumberLoader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: node.value)
# A plain `=` or `<<` *value* is a string to go-yaml (a `<<` key still merges, see flatten_mapping).
_GoNumberLoader.add_constructor("tag:yaml.org,2002:value", lambda loader, node: node.value)
_GoNumberLoader.add_constructor("tag:yaml.org,2002:merge", lambda loader, node: node.value)
_Loader = _GoNumberLoader


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # go-yaml double-quotes a string that would otherwise read as another type ("", "n", "123").
    # A string with a line break is a literal block (`|-`), as go-yaml writes it.
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    if not value or _go_reads_as_number(value) or \
            dumper.resolve(yaml.ScalarNode, value, (True, False)) != "tag:yaml.org,2002:str":
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


class GoDisplayDumper(GoStyleDumper):  # type: ignore[misc, valid-type]
    """What `kubectl config view` prints, byte for byte. It differs from what we write to a file
    in one point: go-yaml writes a `=` or `<<` string plain, which PyYAML (and so the Python
    kubernetes client) cannot read back; in files we quote them (same value to go-yaml)."""


GoDisplayDumper.yaml_implicit_resolvers = {
    first: list(pairs) for first, pairs in GoStyleDumper.yaml_implicit_resolvers.items()}
for _first in ("=", "<"):  # no `=` (value) or `<<` (merge) scalars: they resolve as strings
    GoDisplayDumper.yaml_implicit_resolvers[_first] = [
        (tag, regexp) for tag, regexp in GoStyleDumper.yaml_implicit_resolvers.get(_first, [])
        if tag not in ("tag:yaml.org,2002:value", "tag:yaml.org,2002:merge")]


GoStyleDumper.add_representer(str, _represent_str)


def dump_yaml(data: Any, display: bool = False) -> str:
    """Serialize like kubectl: sorted keys, block style, no anchors, and go-yaml's (libyaml's)
    best width of 80 columns: a long plain string with spaces is folded onto the next line.
    `display`: exactly as `kubectl config view` prints it (see GoDisplayDumper)."""
    return yaml.dump(data, Dumper=GoDisplayDumper if display else GoStyleDumper, sort_keys=True,
                     default_flow_style=False, allow_unicode=True, width=80, explicit_start=False)

