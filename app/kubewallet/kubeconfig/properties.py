"""`config set` / `config unset` property paths, as kubectl's navigation over the v1 types.

A path is dot-separated field names (`clusters.prod.server`). Entry names may themselves hold
dots: kubectl's `findNameStep` takes parts as the name until the next part is a field of the
entry type, and we do the same. `[]byte` fields take base64 unless `--set-raw-bytes`.
"""

from __future__ import annotations

import base64
import binascii
import copy

from kubewallet.errors import KubeconfigError
from kubewallet.kubeconfig.schema import (BOOL, BYTES, INNER_STRUCT, KINDS, STR, STRMAP, Struct)


def _split_name(parts: list[str], fields: set[str]) -> tuple[str, list[str]]:
    for i in range(1, len(parts)):
        if parts[i] in fields:
            return ".".join(parts[:i]), parts[i:]
    return ".".join(parts), []


def _parse_bool(value: str) -> bool:
    low = value.lower()
    if low in ("1", "t", "true"):
        return True
    if low in ("0", "f", "false"):
        return False
    raise KubeconfigError(f'strconv.ParseBool: parsing "{value}": invalid syntax')


def _navigate(body: dict, spec: Struct, steps: list[str], path: str, value: str | None,
              raw_bytes: bool) -> None:
    """Set (value given) or unset (None) the field at `steps` inside `body`."""
    fields = {f.name: f for f in spec.fields}
    head, rest = steps[0], steps[1:]
    field = fields.get(head)
    if field is None:
        raise KubeconfigError(f'unable to locate path "{head}" in {path!r}')
    kind = field.kind
    if isinstance(kind, Struct):
        if not rest:
            if value is None:
                body.pop(head, None)
                return
            raise KubeconfigError(f"cannot set {path!r}: it is an object, set one of its fields")
        sub = body.get(head)
        sub = dict(sub) if isinstance(sub, dict) else {}
        _navigate(sub, kind, rest, path, value, raw_bytes)
        body[head] = sub
        return
    if kind == STRMAP:
        if value is not None:
            # kubectl cannot set a key of auth-provider.config (a map behind a pointer)
            raise KubeconfigError(f"unable to parse one or more field values of {path}")
        current = dict(body.get(head) or {})
        if not rest:
            if value is None:
                body.pop(head, None)
                return
            raise KubeconfigError(f"cannot set {path!r}: it is a map, set one of its keys")
        key = ".".join(rest)
        if value is None:
            if key not in current:
                raise KubeconfigError(f'current map key "{key}" is invalid')
            current.pop(key)
        else:
            current[key] = value
        body[head] = current
        return
    if rest:
        raise KubeconfigError(f'unable to locate path "{rest[0]}" in {path!r}')
    if value is None:
        body.pop(head, None)
    elif kind == STR:
        body[head] = value
    elif kind == BOOL:
        body[head] = _parse_bool(value)
    elif kind == BYTES:
        if raw_bytes:
            body[head] = base64.b64encode(value.encode()).decode()
        else:
            try:
                base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError):
                raise KubeconfigError(f"illegal base64 data in the value for {path!r}") from None
            body[head] = value
    else:
        raise KubeconfigError(f"setting {path!r} is not supported (a list); edit the entry instead")


def _apply(ws, prop: str, value: str | None, raw_bytes: bool) -> None:
    parts = prop.split(".")
    top = parts[0]
    if top == "current-context" and len(parts) == 1:
        ws.use_context(value or "")
        return
    if top == "preferences":
        prefs = copy.deepcopy(ws._current["preferences"])
        if parts[1:] == ["colors"]:
            if value is None:
                prefs.pop("colors", None)
            elif _parse_bool(value):
                prefs["colors"] = True
            else:
                prefs.pop("colors", None)
            ws.set_preferences(prefs)
            return
        raise KubeconfigError(f"unable to locate path {prop!r}")
    if top not in KINDS or len(parts) < 2:
        raise KubeconfigError(f'unable to locate path "{top}"')
    spec = INNER_STRUCT[top]
    name, steps = _split_name(parts[1:], {f.name for f in spec.fields})
    entry = ws.entries(top).get(name)
    if entry is None and value is None:
        return  # kubectl: unsetting what is not there succeeds and changes nothing
    if not steps:
        if value is None:
            if entry is None:
                raise KubeconfigError(f'current map key "{name}" is invalid')
            ws.delete_entry(top, name)
            return
        raise KubeconfigError(f"cannot set {prop!r}: it is an entry, set one of its fields")
    body = copy.deepcopy(entry.body) if entry else {}
    _navigate(body, spec, steps, prop, value, raw_bytes)
    ws.set_entry(top, name, body)


def set_property(ws, prop: str, value: str, raw_bytes: bool = False) -> None:
    _apply(ws, prop, value, raw_bytes)


def unset_property(ws, prop: str) -> None:
    _apply(ws, prop, None, False)
