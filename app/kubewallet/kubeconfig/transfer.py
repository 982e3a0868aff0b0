"""Bringing other kubeconfigs in (`import`) and handing one context out (`export`).

Import never drops anything silently: an entry whose name is taken by a *different* entry is a
conflict, reported by name; the person chooses to rename (contexts that refer to a renamed
cluster or user follow it) or to overwrite. An identical entry is simply already there.
File references in an imported file are relative to *that* file, so they are made absolute
before the entry moves (the save then relativizes them as kubectl would).
"""

from __future__ import annotations

import copy
import os

from kubewallet.errors import KubeconfigError
from kubewallet.kubeconfig.schema import INNER_KEY, KINDS
from kubewallet.kubeconfig.workspace import NamedEntry, Workspace, read_kubeconfig

PATH_FIELDS = {"clusters": ("certificate-authority",), "users": ("client-certificate", "client-key", "tokenFile")}


def _absolutize(kind: str, body: dict, base: str) -> dict:
    body = copy.deepcopy(body)
    for key in PATH_FIELDS.get(kind, ()):
        value = body.get(key)
        if isinstance(value, str) and value and not os.path.isabs(value):
            body[key] = os.path.normpath(os.path.join(base, value))
    exe = body.get("exec")
    if kind == "users" and isinstance(exe, dict):
        cmd = exe.get("command")
        if isinstance(cmd, str) and "/" in cmd and not os.path.isabs(cmd):
            exe["command"] = os.path.normpath(os.path.join(base, cmd))
    return body


def _same(kind: str, existing: NamedEntry, body: dict) -> bool:
    base = os.path.dirname(os.path.abspath(existing.file))
    return _absolutize(kind, existing.body, base) == body


class ImportReport:
    """What an import did (or would do): added, identical, renamed, overwritten, conflicts."""

    def __init__(self) -> None:
        self.added: list[tuple[str, str]] = []
        self.identical: list[tuple[str, str]] = []
        self.renamed: list[tuple[str, str, str]] = []
        self.overwritten: list[tuple[str, str]] = []
        self.conflicts: list[tuple[str, str, str]] = []   # kind, name, source file
        self.warnings: list[str] = []  # e.g. an exec entry borrowing a kubewallet secret

    def lines(self) -> list[str]:
        out = [f"added {k[:-1]} {n}" for k, n in self.added]
        out += [f"renamed {k[:-1]} {old} -> {new} (the name was taken)" for k, old, new in self.renamed]
        out += [f"overwrote {k[:-1]} {n}" for k, n in self.overwritten]
        out += [f"already present: {k[:-1]} {n}" for k, n in self.identical]
        out += [f"warning: {w}" for w in self.warnings]
        return out


def _runs_kubewallet(body: dict) -> bool:
    """A file from elsewhere naming a kubewallet reference: it cannot have been written for this
    vault by `secure` (issue 12, finding 4)."""
    from kubewallet.credentials.secure import kubewallet_ref

    return isinstance(body, dict) and kubewallet_ref(body) is not None


def import_files(ws: Workspace, sources: list[str], *, on_conflict: str = "fail",
                 suffix: str | None = None) -> ImportReport:
    """Merge `sources` into the workspace (entries go where kubectl puts new ones)."""
    if on_conflict not in ("fail", "rename", "overwrite"):
        raise KubeconfigError(f"unknown conflict policy {on_conflict!r}")
    report = ImportReport()
    plans = []
    for source in sources:
        f = read_kubeconfig(source)
        if not f.exists:
            raise KubeconfigError(f"cannot import {source}: no such file")
        base = os.path.dirname(os.path.abspath(source))
        renames: dict[str, dict[str, str]] = {k: {} for k in KINDS}
        for kind in ("clusters", "users", "contexts"):
            for item in f.entries(kind):
                name = item.get("name") or ""
                body = _absolutize(kind, item.get(INNER_KEY[kind]) or {}, base)
                plans.append((source, kind, name, body, renames))
                if kind == "users" and _runs_kubewallet(body):
                    report.warnings.append(
                        f"{source}: user {name!r} runs kubewallet's plugin, but kubewallet did not "
                        "secure it for this file; it is served only to the clusters its secret "
                        "was secured for ('kubewallet lint' names it)")
    # Decide every entry before changing anything, so a conflict leaves the workspace untouched.
    decisions = []
    taken = {k: set(ws.entries(k)) for k in KINDS}
    for source, kind, name, body, renames in plans:
        existing = ws.entries(kind).get(name)
        if kind == "contexts":
            body = dict(body)
            for ref_kind, key in (("clusters", "cluster"), ("users", "user")):
                if body.get(key) in renames[ref_kind]:
                    body[key] = renames[ref_kind][body[key]]
        if existing is None and name not in taken[kind]:
            decisions.append(("add", kind, name, body))
            taken[kind].add(name)
            report.added.append((kind, name))
        elif existing is not None and _same(kind, existing, body):
            report.identical.append((kind, name))
        elif on_conflict == "overwrite":
            decisions.append(("add", kind, name, body))
            report.overwritten.append((kind, name))
        elif on_conflict == "rename":
            stem = suffix or "-" + os.path.splitext(os.path.basename(source))[0]
            new, n = f"{name}{stem}", 2
            while new in taken[kind]:
                other = ws.entries(kind).get(new)
                if other is not None and _same(kind, other, body):
                    break  # imported (and renamed) before: the same entry is already there
                new, n = f"{name}{stem}-{n}", n + 1
            renames[kind][name] = new
            if new in ws.entries(kind):
                report.identical.append((kind, new))
                continue
            taken[kind].add(new)
            decisions.append(("add", kind, new, body))
            report.renamed.append((kind, name, new))
        else:
            report.conflicts.append((kind, name, source))
    if report.conflicts:
        names = ", ".join(f"{k[:-1]} {n!r} (from {s})" for k, n, s in report.conflicts)
        raise KubeconfigError(f"these names are already used by different entries: {names}",
                              hint="import again with --rename (adds a suffix) or --overwrite")
    for _, kind, name, body in decisions:
        ws.set_entry(kind, name, body)
    return report


def export_context(ws: Workspace, context: str) -> dict:
    """A self-contained kubeconfig for one context: minified, flattened (file references and
    `tokenFile` inlined), secrets included, `current-context` set to it."""
    from kubewallet.kubeconfig.view import flatten, minify

    if context not in ws.contexts:
        raise KubeconfigError(f'no context exists with the name: "{context}"')
    doc = ws.merged()
    doc["current-context"] = context
    doc = minify(doc)

    def origin_dir(kind: str, name: str) -> str:
        entry: NamedEntry = ws.entries(kind)[name]
        return os.path.dirname(os.path.abspath(entry.file))

    doc = flatten(doc, origin_dir)
    for user in doc.get("users") or []:
        body = user["user"]
        token_file = body.get("tokenFile")
        if token_file and not body.get("token"):
            path = token_file if os.path.isabs(token_file) else os.path.join(origin_dir("users", user["name"]), token_file)
            try:
                with open(path, encoding="utf-8") as fh:
                    body["token"] = fh.read().strip()
            except OSError as exc:
                raise KubeconfigError(f"cannot read tokenFile {path}: {exc.strerror}") from None
            del body["tokenFile"]
    return doc

