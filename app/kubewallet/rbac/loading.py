"""Read RBAC objects from manifest files and directories into a `Policy`.

Accepted, as `kubectl apply -f` and `kubectl get -o yaml|json` produce them:
- multi-document YAML, JSON (one document, or an array of objects), `kind: List` and typed
  lists (`RoleList`, ... whose items may omit `kind`, as the raw API returns them);
- directories, walked recursively for `.yaml`, `.yml` and `.json` files (kubectl's extensions),
  in sorted order.

Objects of other kinds (Deployments, ConfigMaps, ...) are counted and ignored. A Role or
RoleBinding without `metadata.namespace` lands in `default`, where `kubectl apply` would put it
with a context that sets no namespace. When the same object (kind, namespace, name) appears
twice, the later one wins, as a second `kubectl apply` would.

Anything that does not parse, or parses into the wrong shape, raises `RbacError` naming the
file (and the line and column for YAML/JSON syntax errors, the object and field otherwise).
YAML is read with libyaml, with `CSafeLoader`'s semantics (`yamlfast.py` builds the values from
the event stream, several times faster on large dumps), and imported only when a file is not JSON.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator

from kubewallet.errors import RbacError
from kubewallet.rbac.model import (
    CLUSTER_ROLE,
    CLUSTER_ROLE_BINDING,
    ROLE,
    ROLE_BINDING,
    Binding,
    LabelSelector,
    LoadReport,
    Policy,
    PolicyRule,
    Requirement,
    Role,
    RoleRef,
    Subject,
)

TYPE_CHECKING = False  # typing itself is not imported: can-i is a short process
if TYPE_CHECKING:
    from typing import Any

RBAC_GROUP = "rbac.authorization.k8s.io"
MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
_KINDS = (ROLE, CLUSTER_ROLE, ROLE_BINDING, CLUSTER_ROLE_BINDING)

Progress = Callable[[int, int], None]  # (files done, files total)


def load_paths(paths: Iterable[str | os.PathLike[str]], *, progress: Progress | None = None) -> tuple[Policy, LoadReport]:
    """Load every manifest under `paths` (files or directories) into one Policy."""
    files = list(iter_manifest_files(paths))
    collector = _Collector()
    for i, f in enumerate(files):
        try:
            with open(f, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            raise RbacError(f"{f}: cannot read: {exc.strerror or exc}") from None
        collector.add_text(data, f, cache_key=_cache_key(f, data) if len(data) >= CACHE_MIN_BYTES else None)
        if progress is not None:
            progress(i + 1, len(files))
    return collector.result()


def load_text(text: str | bytes, source: str = "<text>") -> tuple[Policy, LoadReport]:
    """Load one manifest given as text (tests, the GUI's paste box, the defaults table)."""
    collector = _Collector()
    collector.add_text(text, source)
    return collector.result()


def load_objects(objects: Iterable[Any], source: str = "<objects>") -> tuple[Policy, LoadReport]:
    """Load already-parsed objects (dicts as YAML/JSON decode them)."""
    collector = _Collector()
    collector.report.files.append(source)
    for n, doc in enumerate(objects, 1):
        collector.add_document(doc, source, n)
    return collector.result()


def parse_documents(data: str | bytes, source: str) -> list[Any]:
    """Decode a file's documents: JSON when it is JSON, YAML (CSafeLoader) otherwise."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise RbacError(f"{source}: not UTF-8 text (byte {exc.start})") from None
    else:
        text = data
    head = text.lstrip()[:1]
    if head in ("{", "["):
        try:
            return [json.loads(text)]
        except ValueError:
            pass  # JSON streams and YAML flow style: let YAML decide (and report the position)
    if "\x00" in text:
        raise RbacError(f"{source}: not a text file (contains NUL bytes)")
    import yaml

    from kubewallet.rbac import yamlfast

    try:
        return yamlfast.load_all(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark is not None else source
        raise RbacError(f"{where}: YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise RbacError(f"{source}: YAML: {' '.join(str(exc).split())}") from None
    except (ValueError, TypeError, OverflowError, RecursionError, IndexError, KeyError, AttributeError) as exc:
        # PyYAML's constructors raise these for out-of-range timestamps, `!!int ''` and the like.
        raise RbacError(f"{source}: YAML: {exc}") from None


CACHE_MIN_BYTES = 256 * 1024


def cache_dir() -> str:
    """`$XDG_CACHE_HOME/kubewallet/rbac` (else ~/.cache/kubewallet/rbac)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "kubewallet", "rbac")


def _cache_key(path: str, data: bytes) -> str:
    """Large YAML dumps are parsed once: libyaml needs seconds for a 10,000-binding dump, while the
    same documents re-read as JSON take a tenth of that. The key is the content's hash, so an
    edited file is parsed afresh; the cache holds only what the file already holds (RBAC objects,
    never secrets' values, since `kubectl get roles...` dumps carry none)."""
    import hashlib

    return hashlib.sha256(data).hexdigest()


def _cache_read(key: str) -> list | None:
    try:
        with open(os.path.join(cache_dir(), key + ".json"), "rb") as f:
            docs = json.loads(f.read())
        return docs if isinstance(docs, list) else None
    except (OSError, ValueError):
        return None


def _cache_write(key: str, docs: list) -> None:
    try:
        text = json.dumps(docs, separators=(",", ":"))
    except (TypeError, ValueError):
        return  # YAML-only values (timestamps, binary): not worth caching
    try:
        os.makedirs(cache_dir(), mode=0o700, exist_ok=True)
        tmp = os.path.join(cache_dir(), f".{key}.{os.getpid()}.tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, os.path.join(cache_dir(), key + ".json"))
    except OSError:
        pass  # a cache that cannot be written is only slower


class _Collector:
    """Accumulates objects in order; later duplicates replace earlier ones in place."""

    def __init__(self) -> None:
        self.roles: dict[tuple[str, str, str], Role] = {}
        self.bindings: dict[tuple[str, str, str], Binding] = {}
        self.report = LoadReport()

    def add_text(self, data: str | bytes, source: str, cache_key: str | None = None) -> None:
        self.report.files.append(source)
        docs = _cache_read(cache_key) if cache_key else None
        if docs is None:
            docs = parse_documents(data, source)
            if cache_key and not (isinstance(data, bytes) and data.lstrip()[:1] in (b"{", b"[")):
                _cache_write(cache_key, docs)
        for n, doc in enumerate(docs, 1):
            self.add_document(doc, source, n)

    def add_document(self, doc: Any, source: str, n: int) -> None:
        if doc is None:
            return
        where = f"{source}: document {n}"
        if isinstance(doc, list):
            for i, item in enumerate(doc):
                self._add_object(item, f"{where}, item {i}", source, None)
            return
        self._add_object(doc, where, source, None)

    def _add_object(self, obj: Any, where: str, source: str, implied_kind: str | None) -> None:
        if obj is None:
            return
        if not isinstance(obj, dict):
            raise RbacError(f"{where}: expected an object (a mapping), found {_typename(obj)}")
        kind = obj.get("kind", implied_kind)
        if kind is None:
            raise RbacError(f"{where}: object has no 'kind'",
                            hint="every Kubernetes object needs apiVersion and kind")
        if not isinstance(kind, str):
            raise RbacError(f"{where}: 'kind' must be a string, found {_typename(kind)}")
        if "items" in obj and (kind == "List" or kind.endswith("List")):
            items = obj.get("items")
            if items is None:
                return
            if not isinstance(items, list):
                raise RbacError(f"{where}: {kind}.items must be a list, found {_typename(items)}")
            item_kind = kind[:-4] if kind != "List" and kind[:-4] in _KINDS else None
            for i, item in enumerate(items):
                self._add_object(item, f"{where}, items[{i}]", source, item_kind)
            return
        api_version = obj.get("apiVersion")
        if kind not in _KINDS or (isinstance(api_version, str) and api_version.split("/")[0] != RBAC_GROUP):
            self.report.ignored[kind] = self.report.ignored.get(kind, 0) + 1
            return
        meta = obj.get("metadata")
        if not isinstance(meta, dict):
            raise RbacError(f"{where}: {kind} has no metadata mapping")
        name = meta.get("name")
        if not isinstance(name, str) or not name:
            raise RbacError(f"{where}: {kind} has no metadata.name")
        namespace = meta.get("namespace") or ""
        if not isinstance(namespace, str):
            raise RbacError(f"{where}: {kind} {name}: metadata.namespace must be a string")
        if kind in (ROLE, ROLE_BINDING):
            namespace = namespace or "default"
        else:
            namespace = ""  # cluster-scoped: a stray namespace is ignored, as the API server does
        label = f"{where} ({kind} {namespace + '/' if namespace else ''}{name})"
        self.report.counts[kind] = self.report.counts.get(kind, 0) + 1
        key = (kind, namespace, name)
        if kind in (ROLE, CLUSTER_ROLE):
            role = _role(obj, kind, name, namespace, meta, label, source)
            if key in self.roles:
                self.report.replaced += 1
            self.roles[key] = role
        else:
            binding = _binding(obj, kind, name, namespace, label, source)
            if key in self.bindings:
                self.report.replaced += 1
            self.bindings[key] = binding

    def result(self) -> tuple[Policy, LoadReport]:
        return Policy(tuple(self.roles.values()), tuple(self.bindings.values())), self.report


def _typename(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean", int: "a number",
            float: "a number", type(None): "null"}.get(type(value), type(value).__name__)


def _strings(value: Any, field: str, label: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise RbacError(f"{label}: {field} must be a list of strings, found {_typename(value)}")
    for i, item in enumerate(value):
        if not isinstance(item, str):
            hint = "quote it" if isinstance(item, (bool, int, float)) else None
            raise RbacError(f"{label}: {field}[{i}] must be a string, found {_typename(item)} {item!r}",
                            hint=hint)
    return tuple(value)


def _string(value: Any, field: str, label: str, *, required: bool) -> str:
    if value is None or value == "":
        if required:
            raise RbacError(f"{label}: {field} is required")
        return ""
    if not isinstance(value, str):
        raise RbacError(f"{label}: {field} must be a string, found {_typename(value)}")
    return value


_FIELDS = (("verbs", "verbs"), ("apiGroups", "api_groups"), ("resources", "resources"),
           ("resourceNames", "resource_names"), ("nonResourceURLs", "non_resource_urls"))


def parse_rule(raw: Any, label: str) -> PolicyRule:
    if not isinstance(raw, dict):
        raise RbacError(f"{label}: must be a mapping, found {_typename(raw)}")
    return PolicyRule(**{attr: _strings(raw.get(key), key, label) for key, attr in _FIELDS})


def _rules(value: Any, label: str) -> tuple[PolicyRule, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise RbacError(f"{label}: rules must be a list, found {_typename(value)}")
    return tuple(parse_rule(r, f"{label}: rules[{i}]") for i, r in enumerate(value))


_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")


def parse_selector(raw: Any, label: str) -> LabelSelector:
    """A metav1.LabelSelector, validated as LabelSelectorAsSelector validates it."""
    if raw is None:
        return LabelSelector()
    if not isinstance(raw, dict):
        raise RbacError(f"{label}: must be a mapping, found {_typename(raw)}")
    reqs: list[Requirement] = []
    labels = raw.get("matchLabels") or {}
    if not isinstance(labels, dict):
        raise RbacError(f"{label}: matchLabels must be a mapping, found {_typename(labels)}")
    for k, v in labels.items():
        if not isinstance(k, str) or not isinstance(v, str):
            raise RbacError(f"{label}: matchLabels[{k!r}] must map a string to a string (quote \"true\")")
        reqs.append(Requirement(k, "In", (v,)))
    exprs = raw.get("matchExpressions") or []
    if not isinstance(exprs, list):
        raise RbacError(f"{label}: matchExpressions must be a list, found {_typename(exprs)}")
    for i, e in enumerate(exprs):
        where = f"{label}: matchExpressions[{i}]"
        if not isinstance(e, dict):
            raise RbacError(f"{where}: must be a mapping, found {_typename(e)}")
        key = _string(e.get("key"), "key", where, required=True)
        op = e.get("operator")
        if op not in _OPERATORS:
            raise RbacError(f"{where}: operator must be one of {', '.join(_OPERATORS)}, found {op!r}")
        values = _strings(e.get("values"), "values", where)
        if op in ("In", "NotIn") and not values:
            raise RbacError(f"{where}: operator {op} needs at least one value")
        if op in ("Exists", "DoesNotExist") and values:
            raise RbacError(f"{where}: operator {op} takes no values")
        reqs.append(Requirement(key, op, values))
    return LabelSelector(tuple(reqs))


def _role(obj: dict, kind: str, name: str, namespace: str, meta: dict, label: str, source: str) -> Role:
    labels = meta.get("labels") or {}
    if not isinstance(labels, dict):
        raise RbacError(f"{label}: metadata.labels must be a mapping")
    label_items = tuple((str(k), str(v)) for k, v in labels.items())
    aggregation = None
    agg = obj.get("aggregationRule")
    if agg is not None and kind == CLUSTER_ROLE:
        if not isinstance(agg, dict):
            raise RbacError(f"{label}: aggregationRule must be a mapping, found {_typename(agg)}")
        sels = agg.get("clusterRoleSelectors") or []
        if not isinstance(sels, list):
            raise RbacError(f"{label}: aggregationRule.clusterRoleSelectors must be a list")
        aggregation = tuple(
            parse_selector(s, f"{label}: aggregationRule.clusterRoleSelectors[{i}]") for i, s in enumerate(sels)
        )
    return Role(kind, name, namespace, _rules(obj.get("rules"), label), label_items, aggregation, source)


def _binding(obj: dict, kind: str, name: str, namespace: str, label: str, source: str) -> Binding:
    ref = obj.get("roleRef")
    if not isinstance(ref, dict):
        raise RbacError(f"{label}: roleRef must be a mapping with kind and name, found {_typename(ref)}")
    role_ref = RoleRef(
        _string(ref.get("kind"), "roleRef.kind", label, required=True),
        _string(ref.get("name"), "roleRef.name", label, required=True),
        _string(ref.get("apiGroup"), "roleRef.apiGroup", label, required=False),
    )
    raw_subjects = obj.get("subjects")
    subjects: list[Subject] = []
    if raw_subjects is not None:
        if not isinstance(raw_subjects, list):
            raise RbacError(f"{label}: subjects must be a list, found {_typename(raw_subjects)}")
        for i, s in enumerate(raw_subjects):
            where = f"{label}: subjects[{i}]"
            if not isinstance(s, dict):
                raise RbacError(f"{where}: must be a mapping, found {_typename(s)}")
            subjects.append(Subject(
                _string(s.get("kind"), "kind", where, required=True),
                _string(s.get("name"), "name", where, required=True),
                _string(s.get("namespace"), "namespace", where, required=False),
            ))
    return Binding(kind, name, namespace, role_ref, tuple(subjects), source)


def _walk(top: str) -> list[str]:
    found = []
    for root, dirs, names in os.walk(top):
        dirs.sort()
        for n in names:
            if os.path.splitext(n)[1].lower() in MANIFEST_SUFFIXES:
                full = os.path.join(root, n)
                if os.path.isfile(full):
                    found.append(full)
    return sorted(found)


def iter_manifest_files(paths: Iterable[str | os.PathLike[str]]) -> Iterator[str]:
    """The files `load_paths` reads, in order: files as given, directories walked (sorted)."""
    for p in paths:
        path = os.fspath(p)
        if os.path.isdir(path):
            yield from _walk(path)
        elif os.path.isfile(path):
            yield path
        elif os.path.exists(path):
            raise RbacError(f"{path}: not a regular file or directory")
        else:
            raise RbacError(f"{path}: no such file or directory", hint="check the --rbac path")
