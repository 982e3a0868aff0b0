"""What `kubectl config view` and the `get-*` commands print.

`minify`, `flatten` and `shorten` follow client-go's `MinifyConfig`, `FlattenConfig` and
`ShortenConfig`; the JSON form is Go's `json.MarshalIndent` (4 spaces, struct field order,
map keys sorted, `<`, `>` and `&` escaped); the YAML form is sigs.k8s.io/yaml's (sorted keys).
"""

from __future__ import annotations

import base64
import json
import os
from typing import Any

from kubewallet.errors import KubeconfigError
from kubewallet.kubeconfig.schema import INNER_KEY, SECRET_FIELDS
from kubewallet.kubeconfig.yamlio import dump_yaml


def minify(doc: dict) -> dict:
    """Only the current context, its cluster and its user."""
    current = doc.get("current-context") or ""
    if not current:
        raise KubeconfigError("current-context must exist in order to minify")
    contexts = {c["name"]: c for c in doc.get("contexts") or []}
    if current not in contexts:
        raise KubeconfigError(f"cannot locate context {current}")
    ctx = contexts[current]["context"]
    out = dict(doc)
    out["contexts"] = [contexts[current]]
    for kind, ref in (("clusters", ctx.get("cluster") or ""), ("users", ctx.get("user") or "")):
        if not ref:
            out[kind] = None
            continue
        found = [e for e in doc.get(kind) or [] if e["name"] == ref]
        if not found:
            raise KubeconfigError(f"cannot locate {kind[:-1]} {ref}")
        out[kind] = found
    return out


def flatten(doc: dict, origin_dir_of) -> dict:
    """Inline every certificate and key file as `*-data` (relative paths from the file that
    named them). A path and data both set is an error, as in kubectl."""
    # Users before clusters, as client-go's FlattenConfig: decides which missing file is reported.
    for kind, pairs in (("users", [("client-certificate", "client-certificate-data"),
                                   ("client-key", "client-key-data")]),
                        ("clusters", [("certificate-authority", "certificate-authority-data")])):
        for entry in doc.get(kind) or []:
            body = entry[INNER_KEY[kind]]
            for path_key, data_key in pairs:
                path = body.get(path_key)
                if not path:
                    continue
                if body.get(data_key):
                    raise KubeconfigError("cannot have values for both path and contents")
                full = path if os.path.isabs(path) else os.path.join(origin_dir_of(kind, entry["name"]), path)
                try:
                    with open(full, "rb") as fh:
                        data = fh.read()
                except OSError as exc:
                    raise KubeconfigError(f"open {full}: {(exc.strerror or str(exc)).lower()}") from None
                body[data_key] = base64.b64encode(data).decode()
                del body[path_key]
    return doc


def shorten(doc: dict) -> dict:
    """Hide secrets with kubectl's words: DATA+OMITTED for certificate data, REDACTED otherwise."""
    for kind, fields in SECRET_FIELDS.items():
        for entry in doc.get(kind) or []:
            body = entry[INNER_KEY[kind]]
            for key, word in fields.items():
                if body.get(key):
                    body[key] = word
    return doc


def _sort_maps(value: Any, ordered: bool) -> Any:
    """Go marshals struct fields in declaration order but map keys sorted."""
    if isinstance(value, dict):
        items = value.items() if ordered else sorted(value.items())
        return {k: _sort_maps(v, ordered and k not in _MAP_FIELDS) for k, v in items}
    if isinstance(value, list):
        return [_sort_maps(v, ordered) for v in value]
    return value


_MAP_FIELDS = {"config", "as-user-extra", "extension"}


def go_json_escape(text: str) -> str:
    """encoding/json's HTML-safe output: `<`, `>`, `&`, U+2028 and U+2029 as \\u escapes (they only
    occur inside strings in encoded JSON, so the whole text can be rewritten)."""
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def to_json(doc: dict) -> str:
    return go_json_escape(json.dumps(_sort_maps(doc, True), indent=4, ensure_ascii=False))


def to_yaml(doc: dict) -> str:
    return dump_yaml(doc, display=True)


def table(rows: list[list[str]]) -> str:
    """Go's tabwriter as kubectl sets it up (minwidth 6, padding 3): every column but the last
    padded to max(6, its widest cell + 3), counted in characters (runes)."""
    if not rows:
        return ""
    widths = [max(6, max(len(r[i]) for r in rows) + 3) for i in range(len(rows[0]) - 1)]
    lines = []
    for row in rows:
        cells = [cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])]
        lines.append("".join(cells) + row[-1])
    return "\n".join(lines) + "\n"
