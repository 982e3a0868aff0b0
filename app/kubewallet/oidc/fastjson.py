"""JSON for the cached-token path without `import json`.

`import json` pulls in `re` and `enum`: about as long as the interpreter's own start, on every
kubectl call (the agent's `fastclient` measured the same). The C module underneath, `_json`,
has the whole scanner and the string encoder; this wraps them for the two small documents the
cached path reads (the cache file, KUBERNETES_EXEC_INFO) and the one it writes (the
ExecCredential). Where `_json` does not exist (another Python implementation) it falls back to
`json`. tests/unit/oidc fuzzes both directions against the `json` module.
"""

from __future__ import annotations

try:
    import _json

    class _Context:
        """What `_json.make_scanner` reads from a `json.JSONDecoder`: the decoder's defaults."""

        strict = True
        object_hook = None
        object_pairs_hook = None
        parse_float = float
        parse_int = int
        memo: dict = {}

        @staticmethod
        def parse_constant(name: str) -> float:
            return {"-Infinity": float("-inf"), "Infinity": float("inf"), "NaN": float("nan")}[name]

    _scan = _json.make_scanner(_Context())
    quote = _json.encode_basestring_ascii
except (ImportError, AttributeError):     # pragma: no cover - CPython always has _json
    _json = None
    _scan = None
    from json.encoder import encode_basestring_ascii as quote   # type: ignore[assignment]

_WHITESPACE = " \t\n\r"


def loads(text: str):
    """json.loads for a str; ValueError on anything that is not exactly one JSON document."""
    if _scan is None:   # pragma: no cover
        import json

        return json.loads(text)
    text = text.strip(_WHITESPACE)
    try:
        value, end = _scan(text, 0)
    except StopIteration:
        raise ValueError("not a JSON document") from None
    if end != len(text):
        raise ValueError("extra data after the JSON document")
    return value


def dumps(value) -> str:
    """json.dumps(value, separators=(",", ":")) for str, bool, None, int, float, list, dict with
    str keys (insertion order kept, like json.dumps without sort_keys)."""
    if isinstance(value, str):
        return quote(value)
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("NaN and infinities are not JSON")
        return float.__repr__(value)
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(dumps(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(quote(k) + ":" + dumps(v) for k, v in value.items()) + "}"
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")
