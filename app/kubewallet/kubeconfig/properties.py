"""`config set` / `config unset` property paths, as kubectl resolves them.

kubectl walks its *internal* config types (client-go `tools/clientcmd/api`, not the v1 file
format) by their JSON tags, in two passes, and we keep both so errors come in the same order:

1. parse (`newNavigationSteps`): a struct field must exist (`unable to parse P after [] at
   api.Config`); a map key (an entry name) may hold dots, so it takes parts until the next part
   is a field of the entry type (`findNameStep`); anything after a string, bool, byte, list or
   pointer field (`auth-provider`, `exec`) is refused (`unable to parse one or more field
   values of P`); a map of non-structs (`act-as-user-extra`) cannot be entered (`string is not
   of type struct`).
2. apply (`modifyConfig`): setting a map itself is refused (`can't set a map to a value`);
   unsetting a map key that is missing succeeds, going *through* a missing key does not
   (current map key `K` is invalid); `[]byte` fields take base64 unless `--set-raw-bytes`;
   booleans are Go's `strconv.ParseBool`.

The internal types name impersonation `act-as`, `act-as-uid`, `act-as-groups`,
`act-as-user-extra` (the file says `as`, ...), so those are the names `set` accepts, as kubectl.
Edits go through the workspace with paths written as given (`set` does not relativize paths).
"""

from __future__ import annotations

import base64
import copy

from kubewallet.errors import KubeconfigError
from kubewallet.kubeconfig.schema import go_base64_error

# Field kinds of the internal types.
STR, BOOL, BYTES, STRLIST, PTR, STRLISTMAP, EXTMAP = ("str", "bool", "bytes", "strlist", "ptr",
                                                       "strlistmap", "extmap")

CLUSTER = {"server": STR, "tls-server-name": STR, "insecure-skip-tls-verify": BOOL,
           "certificate-authority": STR, "certificate-authority-data": BYTES, "proxy-url": STR,
           "disable-compression": BOOL, "extensions": EXTMAP}
# internal name -> name in the v1 file
USER_FILE_NAMES = {"act-as": "as", "act-as-uid": "as-uid", "act-as-groups": "as-groups",
                   "act-as-user-extra": "as-user-extra"}
USER = {"client-certificate": STR, "client-certificate-data": BYTES, "client-key": STR,
        "client-key-data": BYTES, "token": STR, "tokenFile": STR, "act-as": STR, "act-as-uid": STR,
        "act-as-groups": STRLIST, "act-as-user-extra": STRLISTMAP, "username": STR, "password": STR,
        "auth-provider": PTR, "exec": PTR, "extensions": EXTMAP}
CONTEXT = {"cluster": STR, "user": STR, "namespace": STR, "extensions": EXTMAP}
ENTRY_TYPES = {"clusters": ("api.Cluster", CLUSTER), "users": ("api.AuthInfo", USER),
               "contexts": ("api.Context", CONTEXT)}
PREFERENCES = {"colors": BOOL, "extensions": EXTMAP}
CONFIG = {"kind": STR, "apiVersion": STR, "preferences": "preferences", "clusters": "clusters",
          "users": "users", "contexts": "contexts", "current-context": STR, "extensions": EXTMAP}


def parse_bool(value: str) -> bool:
    """Go's strconv.ParseBool, exactly (so `tRuE` is an error, `T` and `FALSE` are not)."""
    if value in ("1", "t", "T", "TRUE", "true", "True"):
        return True
    if value in ("0", "f", "F", "FALSE", "false", "False"):
        return False
    raise KubeconfigError(f'strconv.ParseBool: parsing "{value}": invalid syntax')


def _go_map(keys) -> str:
    return "map[" + " ".join(sorted(keys, key=str.encode)) + "]"


def _find_name(parts: list[str], fields: dict) -> str:
    for i in range(1, len(parts)):
        if parts[i] in fields:
            return ".".join(parts[:i])
    return ".".join(parts)


def parse_path(path: str) -> list[str]:
    """Split `path` into steps like kubectl's newNavigationSteps, with its errors."""
    parts = path.split(".")
    steps: list[str] = []
    kind: str | dict = "config"
    i = 0
    while i < len(parts):
        if kind in ("clusters", "users", "contexts"):
            fields = ENTRY_TYPES[kind][1]
            name = _find_name(parts[i:], fields)
            steps.append(name)
            i += len(name.split("."))
            kind = fields
            continue
        if kind == STRLISTMAP:
            raise KubeconfigError("string is not of type struct")
        if kind == EXTMAP:
            raise KubeconfigError(f"unable to parse {path}: extensions cannot be set by path")
        if kind in ("config", "preferences") or isinstance(kind, dict):
            fields = {"config": CONFIG, "preferences": PREFERENCES}.get(kind) if isinstance(kind, str) else kind
            assert isinstance(fields, dict)
            part = parts[i]
            if part not in fields:
                where = {"config": "api.Config", "preferences": "api.Preferences"}.get(
                    kind if isinstance(kind, str) else "", _struct_name(fields))
                done = "[" + " ".join("{" + s + "}" for s in steps) + "]"
                raise KubeconfigError(f"unable to parse {path} after {done} at {where}")
            steps.append(part)
            i += 1
            kind = fields[part]
            continue
        raise KubeconfigError(f"unable to parse one or more field values of {path}")
    return steps


def _struct_name(fields: dict) -> str:
    for go_name, table in ENTRY_TYPES.values():
        if table is fields:
            return go_name
    return "api.Config"


def _set_field(body: dict, field: str, kind: str, value: str | None, raw_bytes: bool) -> None:
    key = USER_FILE_NAMES.get(field, field) if kind != EXTMAP else field
    if value is None:
        body.pop(key, None)
        return
    if kind == STR:
        body[key] = value
    elif kind == BOOL:
        if parse_bool(value):
            body[key] = True
        else:
            body.pop(key, None)
    elif kind == BYTES:
        if raw_bytes:
            data = value.encode()
        else:
            offset = go_base64_error(value)
            if offset is not None:
                raise KubeconfigError(f"error decoding input value: illegal base64 data at input byte {offset}")
            data = base64.b64decode(value.replace("\r", "").replace("\n", ""))
        if data:
            body[key] = base64.b64encode(data).decode()
        else:
            body.pop(key, None)
    elif kind == STRLIST:
        raise KubeconfigError("unrecognized slice type. string")
    elif kind in (STRLISTMAP, EXTMAP):
        current = body.get(key)
        raise KubeconfigError("can't set a map to a value: "
                              + _go_map(current if isinstance(current, dict) else
                                        [e.get("name", "") for e in current or [] if isinstance(e, dict)]))
    else:  # a pointer (auth-provider, exec): kubectl itself panics here
        raise KubeconfigError(f"cannot set {field}: it is an object; set it with set-credentials")


def _apply(ws, path: str, value: str | None, raw_bytes: bool) -> None:
    steps = parse_path(path)
    top, rest = steps[0], steps[1:]
    ws.relativize_paths = False  # ModifyConfig(..., relativizePaths=false) for set and unset
    if top == "current-context":
        ws.use_context(value or "")
        return
    if top in ("kind", "apiVersion"):
        return  # accepted by kubectl, but never written back to a file
    if top == "extensions":
        if value is not None:
            raise KubeconfigError("can't set a map to a value: " + _go_map(ws._current["extensions"]))
        return  # top-level extensions are not written back by kubectl either
    if top == "preferences":
        prefs = copy.deepcopy(ws._current["preferences"])
        if not rest:
            if value is not None:
                raise KubeconfigError(f"cannot set {path}: it is an object, set one of its fields")
            ws.set_preferences({})
            return
        if rest[0] == "colors":
            if value is not None and parse_bool(value):
                prefs["colors"] = True
            else:
                prefs.pop("colors", None)
        elif value is not None:
            raise KubeconfigError("can't set a map to a value: " + _go_map(prefs.get("extensions") or {}))
        else:
            prefs.pop("extensions", None)
        ws.set_preferences(prefs)
        return
    entries = ws.entries(top)
    if not rest:
        if value is not None:
            raise KubeconfigError("can't set a map to a value: " + _go_map(entries))
        for name in list(entries):
            ws.delete_entry(top, name)
        return
    name, fields = rest[0], rest[1:]
    entry = entries.get(name)
    if not fields:
        if value is not None:
            raise KubeconfigError("can't set a map to a value: " + _go_map(entries))
        if entry is not None:
            ws.delete_entry(top, name)
        return
    if entry is None and value is None:
        raise KubeconfigError(f"current map key `{name}` is invalid")
    body = copy.deepcopy(entry.body) if entry else {}
    table = ENTRY_TYPES[top][1]
    _set_field(body, fields[0], table[fields[0]], value, raw_bytes)
    ws.set_entry(top, name, body)


def set_property(ws, prop: str, value: str, raw_bytes: bool = False) -> None:
    _apply(ws, prop, value, raw_bytes)


def unset_property(ws, prop: str) -> None:
    _apply(ws, prop, None, False)
