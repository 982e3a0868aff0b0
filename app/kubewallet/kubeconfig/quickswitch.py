"""The quick path of a switch: `use NAME` and `ns NAME` without PyYAML, when a cache allows it.

A switch changes one scalar: the `current-context` value, or one context's `namespace`. Parsing
and re-rendering a whole kubeconfig for that costs more than kubectl's own use-context (PyYAML
and its resolver's regexes alone take longer than kubectl's run). So each kubeconfig file that
kubewallet has read *and validated* (the full kubectl schema check of `read_kubeconfig`) leaves
an entry in a private cache: a digest of its bytes, the context names with their cluster and
namespace, the current-context, and the byte spans of the values a switch rewrites -- names and
offsets only, never a credential. The next switch reads the files, and if every file's digest is
in the cache, it checks the name, splices the new value into the bytes at the cached span, and
writes the result through the one safe writer (`saving.atomic_write`: kubectl's lock, backup,
atomic replace, mode and owner kept), under our directory lock, as `run_edit` does.

A file that is not in the cache, or whose value is not a plain one-line scalar in block style
(flow style, an anchor or alias, a tag, a value spread over lines, an absent key), is left to
the full path: load, validate, edit, render, save. So is every case kubectl's routing treats
specially: a file kubewallet does not know, an empty current-context, a new entry.

Files that did not change are not even read: an entry remembers the file's stat (size, mtime,
ctime, inode, device, as git's index does) and is trusted on a matching stat only if the file
had not changed for 2 s when the entry was made (git's "racily clean" rule, as in the folders
index): a second write within the same mtime tick would otherwise go unseen. The file that is
written is always read, and must match its digest.

The cache lives in `$XDG_CACHE_HOME/kubewallet/switch-cache` (directory 0700, file 0600).
"""

from __future__ import annotations

import marshal
import os
import time

from kubewallet.errors import KubeconfigError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from kubewallet.kubeconfig.loading import LoadingRules

_VERSION = 1
_KEPT_PER_FILE = 4  # contents of one file kept: ours and kubectl's alternate in a use/use- loop
_RACY_NS = 2_000_000_000
_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./")
_TYPED_START = frozenset("nNtTfFyYoO")  # y, yes, no, on, off, true, false, null...: go-yaml v2's bools


class Miss(Exception):
    """The quick path cannot serve this switch; the full path will."""


def _cache_file() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.environ.get("HOME") or "~", ".cache")
    return os.path.join(base, "kubewallet", "switch-cache")


def _read_cache() -> dict:
    try:
        with open(_cache_file(), "rb") as fh:
            data = marshal.load(fh)
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    return data.get("files", {}) if isinstance(data, dict) and data.get("version") == _VERSION else {}


def _write_cache(files: dict) -> None:
    path = _cache_file()
    try:
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        tmp = f"{path}.{os.getpid()}.tmp"
        fd = os.open(tmp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "wb") as fh:
            marshal.dump({"version": _VERSION, "files": files}, fh)
        os.replace(tmp, path)
    except OSError:
        pass  # the cache only saves time


def _digest(raw: bytes) -> bytes:
    import hashlib  # already loaded by saving.py, which every write imports

    return hashlib.blake2b(raw, digest_size=16).digest()


def _signature(st: os.stat_result) -> tuple:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


# ----- what is cached per file: built from a validated read -----------------------------------------

def describe(path: str, raw: bytes) -> dict | None:
    """The cache entry of a file whose bytes `raw` passed kubectl's checks: {"current": value or
    None, "cc": (start, end) byte span of the current-context value or None, "contexts": {name:
    (cluster, namespace, namespace span or None)}}; None when the document's shape is unusual."""
    from kubewallet.kubeconfig.yamlio import compose_document

    try:
        text = raw.decode("utf-8")
        root = compose_document(raw)
    except (UnicodeDecodeError, ValueError):
        return None
    if root is None:
        return {"current": None, "cc": None, "contexts": {}}
    if root.tag != "tag:yaml.org,2002:map" or root.flow_style:
        return None
    ascii_only = len(text) == len(raw)

    def offset(index: int) -> int:
        return index if ascii_only else len(text[:index].encode())

    def span(key, value) -> tuple[int, int] | None:
        """The value's bytes, when a splice there is safe: a one-line plain or quoted string
        right after `key: ` (no anchor, alias, tag or comment between them)."""
        if value.id != "scalar" or value.tag != "tag:yaml.org,2002:str" or value.style not in (None, "", "'", '"'):
            return None
        start, end = value.start_mark.index, value.end_mark.index
        if value.start_mark.line != value.end_mark.line or key.end_mark.line != value.start_mark.line:
            return None
        between = text[key.end_mark.index:start]
        if between.strip(" ") != ":" or not between.startswith(":"):
            return None
        return offset(start), offset(end)

    def pairs(node) -> dict:
        out: dict = {}
        for key, value in node.value:
            if key.id != "scalar" or key.value in out or key.value == "<<":
                raise ValueError("unusual key")
            out[key.value] = (key, value)
        return out

    try:
        top = pairs(root)
        current, cc = None, None
        if "current-context" in top:
            key, value = top["current-context"]
            current = value.value if value.id == "scalar" else None
            cc = span(key, value)
        contexts: dict = {}
        seq = top.get("contexts", (None, None))[1]
        if seq is not None and seq.id == "sequence" and not seq.flow_style:
            for item in seq.value:
                if item.id != "mapping":
                    return None
                fields = pairs(item)
                name = fields.get("name", (None, None))[1]
                body = fields.get("context", (None, None))[1]
                if name is None or name.id != "scalar" or body is None or body.id != "mapping":
                    return None  # kubectl's odd cases (no name, a null body): the full path
                inner = pairs(body)
                values = {k: v[1].value for k, v in inner.items() if v[1].id == "scalar"}
                ns_span = span(*inner["namespace"]) if "namespace" in inner and not body.flow_style else None
                contexts[name.value] = (values.get("cluster") or "", values.get("namespace") or "", ns_span)
        elif seq is not None and not (seq.id == "scalar" and seq.value in ("", "null", "~")):
            return None
    except ValueError:
        return None
    return {"current": current, "cc": cc, "contexts": contexts}


def remember(paths: tuple[str, ...] | list[str]) -> None:
    """Cache what a switch needs of each file (after the full path has validated them)."""
    from kubewallet.kubeconfig.workspace import read_kubeconfig

    files = _read_cache()
    now = time.time_ns()
    for path in paths:
        key = os.path.abspath(path)
        try:
            st = os.stat(path)
            f = read_kubeconfig(path)  # kubectl's full check; raises on a file it would refuse
            if _signature(os.stat(path)) != _signature(st):
                st = None  # changed while read: not trusted on its stat
        except (OSError, KubeconfigError):
            files.pop(key, None)
            continue
        if f.raw is None:
            continue
        info = describe(path, f.raw)
        if info is None:
            files.pop(key, None)
            continue
        _store(files, key, st, now, f.raw, info)
    _write_cache(files)


def _store(files: dict, key: str, st: os.stat_result | None, now: int, raw: bytes, info: dict) -> None:
    digest = _digest(raw)
    old = files.get(key) or {"sig": None, "contents": []}
    contents = [c for c in old["contents"] if c[0] != digest]
    contents.insert(0, (digest, info))
    settled = st is not None and now - st.st_mtime_ns > _RACY_NS and st.st_size == len(raw)
    files[key] = {"sig": _signature(st) if settled else None, "digest": digest if settled else None,
                  "contents": contents[:_KEPT_PER_FILE]}


# ----- the quick switches -------------------------------------------------------------------------------

class _View:
    """The files of the loading rules as the cache knows them (each validated before)."""

    def __init__(self, rules: "LoadingRules", must_read: set[str]) -> None:
        self.cache = _read_cache()
        self.infos: list[dict] = []
        self.raws: dict[str, bytes] = {}
        for path in rules.precedence:
            key = os.path.abspath(path)
            entry = self.cache.get(key)
            if entry is None:
                raise Miss
            try:
                st = os.stat(path)
            except FileNotFoundError:
                raise Miss from None  # kubectl's rules for missing files: the full path
            info = None
            if key not in must_read and entry["sig"] == _signature(st):
                info = next((c[1] for c in entry["contents"] if c[0] == entry["digest"]), None)
            if info is None:
                with open(path, "rb") as fh:
                    raw = fh.read()
                digest = _digest(raw)
                info = next((c[1] for c in entry["contents"] if c[0] == digest), None)
                if info is None:
                    raise Miss
                self.raws[key] = raw
            self.infos.append(info)

    def current(self) -> str:
        return next((i["current"] for i in self.infos if i["current"]), "")

    def context(self, name: str) -> tuple[int, tuple] | None:
        for n, info in enumerate(self.infos):
            if name in info["contexts"]:
                return n, info["contexts"][name]
        return None


def _scalar(value: str) -> str:
    """`value` as a YAML scalar that go-yaml v2 and PyYAML read back as this very string."""
    if value and value[0].isalpha() and value[0] not in _TYPED_START and set(value) <= _PLAIN:
        return value
    if any(ord(c) < 0x20 or c in "\x7f\u2028\u2029\ufeff" for c in value):
        raise Miss  # control characters: the full writer escapes them
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _splice(rules: "LoadingRules", path: str, span_of, value: str) -> None:
    """Write `value` at the span `span_of(info)` of `path`, safely, and cache the result."""
    from kubewallet.kubeconfig.saving import ConcurrentChange, atomic_write

    key = os.path.abspath(path)
    view = _View(rules, {key})
    index = [os.path.abspath(p) for p in rules.precedence].index(key)
    raw, info = view.raws[key], view.infos[index]
    span = span_of(info)
    if span is None:
        raise Miss
    start, end = span
    text = _scalar(value).encode()
    new = raw[:start] + text + raw[end:]
    try:
        atomic_write(path, new, expected=raw)
    except ConcurrentChange:
        raise Miss from None  # kubectl wrote meanwhile: the full path reloads and retries
    _store(view.cache, key, None, 0, new, _shifted(info, start, end, len(text) - (end - start), value))
    _write_cache(view.cache)


def _shifted(info: dict, start: int, end: int, delta: int, value: str) -> dict:
    """The cache entry of the spliced file: spans after the splice move by `delta`."""
    def move(span):
        if span is None:
            return None
        if span == (start, end):
            return (start, start + (end - start) + delta)
        return span if span[0] < start else (span[0] + delta, span[1] + delta)

    current = value if info["cc"] == (start, end) else info["current"]
    contexts = {}
    for name, (cluster, namespace, ns_span) in info["contexts"].items():
        if ns_span == (start, end):
            namespace = value
        contexts[name] = (cluster, namespace, move(ns_span))
    return {"current": current, "cc": move(info["cc"]), "contexts": contexts}


def _locked(rules: "LoadingRules"):
    from kubewallet.kubeconfig.saving import directory_lock, real_target, wait_for_writer, LOCK_WAIT_SECONDS

    lock = directory_lock([real_target(p).parent for p in rules.precedence])

    class _Both:
        def __enter__(self):
            lock.__enter__()
            try:
                wait_for_writer(list(rules.precedence), time.monotonic() + LOCK_WAIT_SECONDS,
                                LOCK_WAIT_SECONDS)
            except BaseException:
                lock.__exit__(None, None, None)
                raise

        def __exit__(self, *exc):
            return lock.__exit__(*exc)

    return _Both()


def use_context(rules: "LoadingRules", name: str, no_such) -> str:
    """`kubectl config use-context NAME` by a splice; returns the context current before.
    Raises `no_such` (the caller's NoSuchContext) for an unknown name, `Miss` to fall back."""
    if not name:
        raise Miss
    with _locked(rules):
        view = _View(rules, set())
        before = view.current()
        if view.context(name) is None:
            raise no_such(f'no context exists with the name: "{name}"')
        if before == name:
            return before  # kubectl's ModifyConfig writes nothing when nothing changed
        path = rules.explicit or rules.default_filename()
        _splice(rules, path, lambda info: info["cc"] if info["current"] else None, name)
        return before


def set_namespace(rules: "LoadingRules", namespace: str) -> tuple[str, str] | None:
    """`kubectl config set-context --current --namespace=NS` by a splice: (context, namespace
    before), or Miss. The caller checks and resolves `namespace` first."""
    with _locked(rules):
        view = _View(rules, set())
        name = view.current()
        found = view.context(name) if name else None
        if found is None:
            raise Miss  # the full path says what is wrong, in kubectl's words
        index, (_, before, span) = found
        if before == namespace:
            return name, before  # nothing changes: kubectl writes nothing either
        path = rules.precedence[index]
        _splice(rules, path, lambda info: info["contexts"][name][2], namespace)
        return name, before or "default"
