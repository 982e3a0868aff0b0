"""The kubeconfig as kubectl sees it: several files merged, edited as one, saved per file.

Edits are made on the merged view (as kubectl's commands do on `GetStartingConfig()`), and
`_route()` then decides which file each change lands in by comparing the merged view before and
after, exactly as client-go's `ModifyConfig` does (see `loading.py` for the rules). Entries keep
every field they had, known or not; a file is rewritten only when something in it changed.
"""

from __future__ import annotations

import copy
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

from kubewallet.errors import KubeconfigError, KubeconfigParseError
from kubewallet.kubeconfig import schema
from kubewallet.kubeconfig.loading import LoadingRules
from kubewallet.kubeconfig.schema import INNER_KEY, KINDS, SchemaError
from kubewallet.kubeconfig.yamlio import dump_yaml, locate, parse_yaml


class KubeconfigFile:
    """One file of the merge: its parsed document (unknown fields kept) and the bytes read.

    `path` is as named in KUBECONFIG / --kubeconfig (kubectl's messages use it); `raw` is None
    when the file does not exist. (Plain classes, not dataclasses: see schema.Field.)
    """

    __slots__ = ("path", "data", "raw", "dirty", "canonical")

    def __init__(self, path: str, data: dict, raw: bytes | None, dirty: bool = False,
                 canonical: dict | None = None) -> None:
        self.path, self.data, self.raw, self.dirty = path, data, raw, dirty
        # kubectl's form of `data` as validated on load, so output need not walk it again:
        # {kind: {id(raw body): (raw body, canonical body)}} -- the raw body is held so its id
        # cannot be reused by another object while this cache lives.
        self.canonical = canonical or {}

    def __repr__(self) -> str:
        return f"KubeconfigFile({self.path!r}, exists={self.exists}, dirty={self.dirty})"

    @property
    def exists(self) -> bool:
        return self.raw is not None

    @property
    def directory(self) -> str:
        return os.path.dirname(os.path.abspath(self.path))

    def entries(self, kind: str) -> list[dict]:
        items = self.data.get(kind)
        if not isinstance(items, list):
            return []
        if any(item is None for item in items):  # `- ` alone: kubectl reads an entry named ""
            items[:] = [{} if item is None else item for item in items]
        return items

    def find(self, kind: str, name: str) -> dict | None:
        for item in self.entries(kind):
            if isinstance(item, dict) and (item.get("name") or "") == name:
                return item
        return None

    def render(self) -> bytes:
        """The file as we write it: kubectl's canonical form, plus the fields kubectl would drop."""
        doc = canonical_document(self.data, keep_unknown=True)
        doc.setdefault("kind", "Config")
        doc.setdefault("apiVersion", "v1")
        if not doc.get("kind"):
            doc["kind"] = "Config"
        if not doc.get("apiVersion"):
            doc["apiVersion"] = "v1"
        return dump_yaml(doc).encode()


class NamedEntry:
    """A cluster, user or context as merged: `body` is the inner mapping, `file` its origin.

    Treat `body` as read-only: it is shared with the loaded file, not copied (copying a large
    kubeconfig costs more than parsing it). To change an entry, pass a modified copy to
    `Workspace.set_entry` — e.g. `{**entry.body, "namespace": "x"}`.
    """

    __slots__ = ("kind", "name", "body", "file")

    def __init__(self, kind: str, name: str, body: dict, file: str) -> None:
        self.kind, self.name, self.body, self.file = kind, name, body, file

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NamedEntry) and (self.kind, self.name, self.body, self.file) == (
            other.kind, other.name, other.body, other.file)

    def __repr__(self) -> str:
        return f"NamedEntry({self.kind!r}, {self.name!r}, file={self.file!r})"


def relativize(kind: str, body: dict, base: str) -> dict:
    """client-go's RelativizeClusterLocalPaths / RelativizeAuthInfoLocalPaths, applied by
    ModifyConfig to every entry it writes: file references become relative to the file's
    directory, unless that needs `../`, in which case they become absolute."""
    refs: list[tuple[dict, str]] = []
    if kind == "clusters":
        refs = [(body, "certificate-authority")]
    elif kind == "users":
        refs = [(body, "client-certificate"), (body, "client-key"), (body, "tokenFile")]
        exe = body.get("exec")
        if isinstance(exe, dict) and isinstance(exe.get("command"), str) and "/" in exe["command"]:
            refs.append((exe, "command"))
    for holder, key in refs:
        value = holder.get(key)
        if not isinstance(value, str) or not value:
            continue
        full = os.path.normpath(value if os.path.isabs(value) else os.path.join(base, value))
        rel = os.path.relpath(full, base)
        holder[key] = full if rel.startswith("../") else rel  # a bare ".." stays (as in kubectl)
    return body


def _copy_state(state: dict) -> dict:
    """A copy of the merged state's containers; entries and bodies are shared (read-only)."""
    out = dict(state)
    for kind in KINDS:
        out[kind] = dict(state[kind])
    out["preferences"] = copy.deepcopy(state["preferences"])
    out["extensions"] = dict(state["extensions"])
    return out


def _same_to_kubectl(kind: str, a: dict, b: dict) -> bool:
    """ModifyConfig writes an entry only when it is not reflect.DeepEqual to the one it read;
    on Go's structs an empty string and an absent field are the same (`--tls-server-name=`
    on a cluster without one changes nothing, and kubectl does not write)."""
    spec = schema.INNER_STRUCT[kind]
    try:
        return schema.walk(a, spec, [], True) == schema.walk(b, spec, [], True)
    except SchemaError:
        return False


def canonical_document(data: dict, keep_unknown: bool) -> dict:
    """A whole document in kubectl's form: entries sorted by name, known fields canonical."""
    out = schema.walk(data, schema.CONFIG, [], keep_unknown)
    for kind in KINDS:
        if out.get(kind):
            out[kind] = sorted(out[kind], key=lambda item: (item.get("name") or "").encode())
        elif kind in out:
            out[kind] = None  # client-go writes its empty maps back as `clusters: null`, not `[]`
    return out


def _check_file(path: str, data: Any, raw: bytes) -> tuple[dict, dict]:
    """Validate one parsed file like client-go's loader; errors carry line and column.

    Returns the data and, per kind, the canonical form of each entry body keyed by the id of
    the raw body (valid while the file's data is alive and unchanged)."""
    if data is None:
        return {}, {}
    try:
        if not isinstance(data, dict):
            raise SchemaError([], "the file must hold a mapping (apiVersion, kind, clusters, users, "
                                  f"contexts), not {schema._type_word(data)}")
        kind, version = data.get("kind"), data.get("apiVersion")
        if kind not in (None, "", "Config") or version not in (None, "", "v1"):
            raise SchemaError(["kind"] if kind not in (None, "", "Config") else ["apiVersion"],
                              f"not a kubeconfig: kind {kind!r} apiVersion {version!r} "
                              "(expected kind Config, apiVersion v1)")
        canon = schema.walk(data, schema.CONFIG, [], keep_unknown=False)
        canonical: dict = {}
        for kind_name in KINDS:
            raw_items = data.get(kind_name) or []
            canon_items = canon.get(kind_name) or []
            inner = INNER_KEY[kind_name]
            canonical[kind_name] = {id(item[inner]): (item[inner], c[inner])
                                    for item, c in zip(raw_items, canon_items)
                                    if isinstance(item, dict) and isinstance(item.get(inner), dict)}
        for kind_name in KINDS:
            seen: dict[str, int] = {}
            for index, item in enumerate(data.get(kind_name) or []):
                name = schema.entry_name(item, kind_name, index)
                if name in seen:
                    raise SchemaError([kind_name, index, "name"],
                                      f"duplicate name {name!r} in {kind_name} "
                                      f"(entries {seen[name]} and {index})")
                seen[name] = index
    except SchemaError as exc:
        where = locate(raw, exc.path) if exc.path else None
        raise KubeconfigParseError(path, exc.message, *(where or (None, None)),
                                   hint="kubectl refuses this file too; fix it and try again") from None
    return data, canonical


def read_kubeconfig(path: str) -> KubeconfigFile:
    """Read and validate one file; a missing file is an empty one that does not exist yet."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        return KubeconfigFile(path, {}, None)
    except IsADirectoryError:  # kubectl's words (Go's os.ReadFile error)
        raise KubeconfigError(f'error loading config file "{path}": read {path}: is a directory') from None
    except PermissionError:
        raise KubeconfigError(f'error loading config file "{path}": open {path}: permission denied') from None
    except OSError as exc:  # ENOTDIR, ELOOP, EIO...: kubectl's words, never a traceback
        raise KubeconfigError(f'error loading config file "{path}": open {path}: '
                              f"{(exc.strerror or str(exc)).lower()}") from None
    data, canonical = _check_file(path, parse_yaml(raw, path), raw)
    return KubeconfigFile(path, data, raw, canonical=canonical)


class Workspace:
    """The merged kubeconfig, editable, with kubectl's routing of edits to files."""

    def __init__(self, rules: LoadingRules, files: list[KubeconfigFile]) -> None:
        self.rules = rules
        self.files = files
        self._by_path = {f.path: f for f in files}
        # ModifyConfig's relativizePaths: true for set-cluster/set-credentials, false for set/unset
        self.relativize_paths = True
        self._start = self._merge()
        self._current = _copy_state(self._start)

    # ----- the merged view ---------------------------------------------------------------
    def _merge(self) -> dict:
        merged: dict[str, Any] = {kind: {} for kind in KINDS}
        merged["current-context"] = ""
        merged["preferences"] = {}
        merged["extensions"] = {}
        for f in self.files:
            for kind in KINDS:
                for item in f.entries(kind):
                    name = item.get("name") or ""
                    if name not in merged[kind]:
                        body = item.get(INNER_KEY[kind])
                        merged[kind][name] = NamedEntry(kind, name, body if isinstance(body, dict) else {}, f.path)
            if not merged["current-context"] and f.data.get("current-context"):
                merged["current-context"] = f.data["current-context"]
            prefs = f.data.get("preferences") or {}
            if prefs.get("colors") and "colors" not in merged["preferences"]:
                merged["preferences"]["colors"] = True
            for ext in (prefs.get("extensions") or []):
                merged["preferences"].setdefault("extensions", {}).setdefault((ext or {}).get("name") or "", ext)
            for ext in (f.data.get("extensions") or []):
                merged["extensions"].setdefault((ext or {}).get("name") or "", ext)
        return merged

    @property
    def clusters(self) -> dict[str, NamedEntry]:
        return self._current["clusters"]

    @property
    def users(self) -> dict[str, NamedEntry]:
        return self._current["users"]

    @property
    def contexts(self) -> dict[str, NamedEntry]:
        return self._current["contexts"]

    def entries(self, kind: str) -> dict[str, NamedEntry]:
        return self._current[kind]

    @property
    def current_context(self) -> str:
        return self._current["current-context"]

    def file(self, path: str) -> KubeconfigFile:
        return self._by_path[path]

    def resolve_path(self, entry: NamedEntry, value: str) -> str:
        """A path field of `entry` as kubectl uses it: relative to the file that holds it."""
        if not value or os.path.isabs(value):
            return value
        return os.path.join(os.path.dirname(os.path.abspath(entry.file)), value)

    def merged(self, keep_unknown: bool = False) -> dict:
        """The merged config in kubectl's v1 form (what `config view --raw` prints)."""
        cur = self._current
        doc: dict[str, Any] = {"kind": "Config", "apiVersion": "v1"}
        prefs = dict(cur["preferences"])
        if "extensions" in prefs:
            prefs["extensions"] = list(prefs["extensions"].values())
        doc["preferences"] = prefs
        doc["current-context"] = cur["current-context"]
        if cur["extensions"]:
            doc["extensions"] = list(cur["extensions"].values())
        out = canonical_document(doc, keep_unknown)
        for kind in KINDS:
            inner, spec = INNER_KEY[kind], schema.INNER_STRUCT[kind]
            items = []
            for name in sorted(cur[kind], key=str.encode):
                entry = cur[kind][name]
                body = None
                if not keep_unknown and entry.file in self._by_path:
                    cached = self._by_path[entry.file].canonical.get(kind, {}).get(id(entry.body))
                    if cached is not None and cached[0] is entry.body:
                        body = cached[1]
                if body is None:
                    body = schema.walk(entry.body, spec, [kind, name, inner], keep_unknown)
                items.append({"name": name, inner: body})
            out[kind] = items or None
        # Go struct order: kind, apiVersion, preferences, clusters, users, contexts, current-context, extensions
        return {key: out[key] for key in ("kind", "apiVersion", "preferences", "clusters", "users",
                                          "contexts", "current-context", "extensions") if key in out}

    # ----- edits (on the merged view; routed to files by _route) --------------------------
    def use_context(self, name: str) -> None:
        self._current["current-context"] = name
        self._route()

    def set_entry(self, kind: str, name: str, body: dict, file: str | None = None) -> bool:
        """Create or replace an entry; returns True when it is new.

        An existing entry stays in the file that defines it. A new one goes where kubectl puts
        new entries, unless `file` names one of the workspace's files (undoing a delete puts the
        entry back where it was)."""
        existing = self._current[kind].get(name)
        origin = existing.file if existing else (file or "")
        self._current[kind][name] = NamedEntry(kind, name, copy.deepcopy(body), origin)
        self._route()
        return existing is None

    def saved_current_context(self, name: str) -> None:
        """Reflect a current-context that another edit already wrote to disk (e.g. a switch made
        through `run_edit` while this workspace holds unsaved edits): shown, but not pending."""
        self._current["current-context"] = name
        self._start["current-context"] = name

    def delete_entry(self, kind: str, name: str) -> str:
        """Remove an entry from the file that defines it; returns that file."""
        entry = self._current[kind].pop(name)
        self._route()
        return entry.file or self.rules.default_filename()

    def rename_context(self, old: str, new: str) -> None:
        entry = self._current["contexts"].pop(old)
        self._current["contexts"][new] = NamedEntry("contexts", new, entry.body, entry.file)
        if self._current["current-context"] == old:
            self._current["current-context"] = new
        self._route()

    def set_preferences(self, prefs: dict) -> None:
        self._current["preferences"] = prefs
        self._route()

    # ----- routing: client-go ModifyConfig ----------------------------------------------------
    def _file_for(self, path: str) -> KubeconfigFile:
        f = self._by_path.get(path)
        if f is None:
            f = read_kubeconfig(path)
            self.files.append(f)
            self._by_path[path] = f
        return f

    def _route(self) -> None:
        start, new = self._start, self._current
        default = self.rules.default_filename()
        if start["current-context"] != new["current-context"]:
            self._write_current_context(new["current-context"])
        if start["preferences"] != new["preferences"]:
            f = self._file_for(default)
            prefs = dict(new["preferences"])
            if "extensions" in prefs:
                prefs["extensions"] = list(prefs["extensions"].values())
            f.data["preferences"] = prefs
            f.dirty = True
        for kind in KINDS:
            inner = INNER_KEY[kind]
            for name, entry in new[kind].items():
                before = start[kind].get(name)
                if before is not None and (before is entry or before.body == entry.body
                                           or _same_to_kubectl(kind, before.body, entry.body)):
                    continue
                target = self._file_for(entry.file or default)
                body = copy.deepcopy(entry.body)
                if self.relativize_paths:
                    body = relativize(kind, body, target.directory)
                existing = target.find(kind, name)
                if existing is not None:
                    existing[inner] = body
                else:
                    target.data.setdefault(kind, None)
                    if not isinstance(target.data[kind], list):
                        target.data[kind] = []
                    target.data[kind].append({"name": name, inner: body})
                target.dirty = True
                new[kind][name] = NamedEntry(kind, name, copy.deepcopy(body), target.path)
            for name, entry in start[kind].items():
                if name in new[kind]:
                    continue
                target = self._file_for(entry.file or default)
                items = target.entries(kind)
                keep = [i for i in items if (i.get("name") or "") != name]
                if len(keep) != len(items):
                    target.data[kind] = keep
                    target.dirty = True
        self._start = _copy_state(new)

    def _write_current_context(self, name: str) -> None:
        if self.rules.is_explicit:
            f = self._file_for(self.rules.explicit or "")
            f.data["current-context"] = name
            f.dirty = True
            return
        if name:
            f = self._file_for(self.rules.default_filename())
            f.data["current-context"] = name
            f.dirty = True
            return
        for f in self.files:
            if f.exists and f.data.get("current-context"):
                f.data["current-context"] = name
                f.dirty = True
                return
        raise KubeconfigError("no config found to write context")

    # ----- saving ----------------------------------------------------------------------------
    def dirty_files(self) -> list[KubeconfigFile]:
        return [f for f in self.files if f.dirty]

    def pending_diff(self) -> dict[str, str]:
        """A unified diff per file of what `save()` would write."""
        import difflib

        out = {}
        for f in self.dirty_files():
            before = (f.raw or b"").decode(errors="replace").splitlines(keepends=True)
            after = f.render().decode().splitlines(keepends=True)
            out[f.path] = "".join(difflib.unified_diff(before, after, f"{f.path} (on disk)",
                                                       f"{f.path} (to be written)"))
        return out

    def save(self) -> list[str]:
        """Write every changed file safely (see saving.py); returns the paths written."""
        from kubewallet.kubeconfig.saving import atomic_write

        written = []
        for f in self.dirty_files():
            content = f.render()
            atomic_write(f.path, content, expected=f.raw)  # follows a symlink; locks both names
            f.raw, f.dirty = content, False
            written.append(f.path)
        return written


def load_workspace(rules: LoadingRules, report: Callable[[int, int, str], None] | None = None) -> Workspace:
    """Read and validate every file of the loading rules (missing ones count as empty).

    `report(done, total, text)`, when given, is called before each file and once at the end, so
    a caller (the window's status bar) can say which of several KUBECONFIG files is being read.
    """
    paths = list(rules.precedence)
    files = []
    for index, path in enumerate(paths):
        if report is not None:
            report(index, len(paths), f"reading {os.path.basename(path)} ({index + 1} of {len(paths)})")
        files.append(read_kubeconfig(path))
    if rules.is_explicit and not files[0].exists:
        raise KubeconfigError(f"stat {rules.explicit}: no such file or directory")
    ws = Workspace(rules, files)
    if report is not None:
        report(len(paths), len(paths), f"read {len(ws.contexts)} context{'s' if len(ws.contexts) != 1 else ''}")
    return ws


def run_edit(rules: LoadingRules, edit, attempts: int = 20):
    """Apply `edit(ws)` under our lock and save; if kubectl wrote a file between our read and
    our write, reload and apply it again (optimistic concurrency), up to `attempts` times."""
    from kubewallet.kubeconfig.saving import ConcurrentChange, directory_lock, load_settled, real_target

    dirs = [real_target(p).parent for p in rules.precedence]
    last: ConcurrentChange | None = None
    for _ in range(attempts):
        with directory_lock(dirs):
            ws = load_settled(rules)  # a torn read of kubectl's in-place write is read again
            result = edit(ws)
            try:
                ws.save()
                return result
            except ConcurrentChange as exc:
                last = exc
    assert last is not None
    raise last
