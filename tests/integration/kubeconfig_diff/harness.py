"""Run the real kubectl and `kubewallet config` on identical copies of the same files, and compare.

A `Scenario` is a set of files (kubeconfigs, certificates, symlinks), the loading rules
(`KUBECONFIG` entries, or none: then `$HOME/.kube/config`), and a list of `config` commands run in
order, in the work folder. Each tool gets its own copy of the files in its own work folder, and
the two run side by side (half the wall time); the absolute path of the folder holding the work
folder is then replaced by `__DIR__` in every output and file, so absolute paths compare equal.

What is compared, per command: stdout exactly, exit status exactly, stderr exactly unless the
scenario says kubectl's text cannot be matched (`stderr=FAILS_NAMING_FILE`: both fail, and ours
names the file). After the commands, every file: a file kubectl left untouched must be
byte-identical after kubewallet too (kubewallet writes only what kubectl writes); a file kubectl
wrote must parse to the same data as ours once fields unknown to the v1 schema are stripped from
ours — and those unknown fields must still be in ours (kubectl drops them; kubewallet promised not to).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

EXACT = "exact"
FAILS_NAMING_FILE = "fails-naming-file"   # kubectl prints a Go struct dump / we add line and column
BOTH_FAIL = "both-fail"                   # kubectl's words are Go internals; both fail, both say error:


@dataclass(frozen=True)
class Link:
    """A symlink in the work folder pointing at `target` (relative to the link's folder)."""

    target: str


@dataclass(frozen=True)
class Scenario:
    id: str
    files: dict[str, str | Link]
    commands: tuple[tuple[str, ...], ...]
    kubeconfig: tuple[str, ...] | None = None   # KUBECONFIG entries (relative to the work folder)
    stderr: str = EXACT
    named_file: str = ""                        # for FAILS_NAMING_FILE: the path ours must name
    kubeconfig_raw: str | None = None           # a KUBECONFIG value used as is (after {dir})


@dataclass
class Run:
    argv: tuple[str, ...]
    status: int
    stdout: str
    stderr: str


@dataclass
class Outcome:
    runs: list[Run] = field(default_factory=list)
    files: dict[str, bytes | Link] = field(default_factory=dict)


def substitute(text: str, subs: dict[str, str]) -> str:
    for key, value in subs.items():
        text = text.replace(key, value)
    return text


def build(workdir: Path, scenario: Scenario, subs: dict[str, str]) -> None:
    if workdir.exists():
        shutil.rmtree(workdir)
    (workdir / "home").mkdir(parents=True)
    for rel, content in scenario.files.items():
        path = workdir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Link):
            os.symlink(content.target, path)
        else:
            path.write_text(substitute(content, subs))
            path.chmod(0o600)


def snapshot(workdir: Path) -> dict[str, bytes | Link]:
    out: dict[str, bytes | Link] = {}
    for root, _dirs, names in os.walk(workdir):
        for name in names:
            path = Path(root) / name
            rel = str(path.relative_to(workdir))
            if path.is_symlink():
                out[rel] = Link(os.readlink(path))
                continue
            if path.stat().st_mode & 0o777 != 0o600:  # kubectl creates files 0600 and keeps modes
                out[rel + " (mode)"] = Link(oct(path.stat().st_mode & 0o777))
            out[rel] = path.read_bytes().replace(str(workdir.parent).encode(), b"__DIR__")
    return out


def run_tool(tool: list[str], workdir: Path, state: Path, scenario: Scenario,
             subs: dict[str, str]) -> Outcome:
    build(workdir, scenario, subs)
    env = {k: v for k, v in os.environ.items() if k != "KUBECONFIG"}
    env.update(HOME=str(workdir / "home"), XDG_STATE_HOME=str(state), LC_ALL="C.UTF-8")
    if scenario.kubeconfig is not None:
        env["KUBECONFIG"] = os.pathsep.join(substitute(p, subs) for p in scenario.kubeconfig)
    if scenario.kubeconfig_raw is not None:
        env["KUBECONFIG"] = substitute(scenario.kubeconfig_raw, subs)
    outcome = Outcome()
    for argv in scenario.commands:
        args = tuple(substitute(a, subs) for a in argv)
        proc = subprocess.run([*tool, "config", *args], cwd=workdir, env=env, capture_output=True,
                              timeout=30)
        here = str(workdir.parent)
        outcome.runs.append(Run(args, proc.returncode,
                                proc.stdout.decode(errors="replace").replace(here, "__DIR__"),
                                proc.stderr.decode(errors="replace").replace(here, "__DIR__")))
    outcome.files = snapshot(workdir)
    return outcome


# ----- the v1 schema, written out independently of kubewallet's own tables ----------------------

_EXT = {"name": None, "extension": None}
_CLUSTER = {k: None for k in ("server", "tls-server-name", "insecure-skip-tls-verify",
                               "certificate-authority", "certificate-authority-data", "proxy-url",
                               "disable-compression")}
_CLUSTER["extensions"] = [_EXT]
_EXEC = {k: None for k in ("command", "args", "apiVersion", "installHint", "provideClusterInfo",
                            "interactiveMode")}
_EXEC["env"] = [{"name": None, "value": None}]
_USER = {k: None for k in ("client-certificate", "client-certificate-data", "client-key",
                            "client-key-data", "token", "tokenFile", "as", "as-uid", "as-groups",
                            "as-user-extra", "username", "password")}
_USER.update({"auth-provider": {"name": None, "config": None}, "exec": _EXEC, "extensions": [_EXT]})
_CONTEXT = {"cluster": None, "user": None, "namespace": None, "extensions": [_EXT]}
V1 = {"kind": None, "apiVersion": None, "current-context": None,
      "preferences": {"colors": None, "extensions": [_EXT]},
      "clusters": [{"name": None, "cluster": _CLUSTER}],
      "users": [{"name": None, "user": _USER}],
      "contexts": [{"name": None, "context": _CONTEXT}],
      "extensions": [_EXT]}


def strip_unknown(value: Any, spec: Any = V1) -> Any:
    """`value` with every field the v1 schema does not know removed (what kubectl keeps)."""
    if isinstance(spec, dict) and isinstance(value, dict):
        return {k: strip_unknown(v, spec[k]) for k, v in value.items() if k in spec}
    if isinstance(spec, list) and isinstance(value, list):
        return [strip_unknown(v, spec[0]) for v in value]
    return value


def unknown_fields(value: Any, spec: Any = V1, path: tuple = ()) -> dict[tuple, Any]:
    """Every unknown field, keyed by a path that names list items by their `name`."""
    out: dict[tuple, Any] = {}
    if isinstance(spec, dict) and isinstance(value, dict):
        for k, v in value.items():
            if k not in spec:
                out[path + (k,)] = v
            else:
                out.update(unknown_fields(v, spec[k], path + (k,)))
    elif isinstance(spec, list) and isinstance(value, list):
        for i, item in enumerate(value):
            key = item.get("name", i) if isinstance(item, dict) else i
            out.update(unknown_fields(item, spec[0], path + (key,)))
    return out


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, except that a plain `=` or `<<` value is a string (as in go-yaml)."""


_Loader.add_constructor("tag:yaml.org,2002:value", lambda loader, node: node.value)
_Loader.add_constructor("tag:yaml.org,2002:merge", lambda loader, node: node.value)


def load(content: bytes) -> Any:
    """The first YAML document, as kubectl reads a file (later ones are ignored)."""
    loader = _Loader(content)
    try:
        return loader.get_data() if loader.check_data() else None
    finally:
        loader.dispose()


def _names(doc: Any) -> set[tuple[str, str]]:
    if not isinstance(doc, dict):
        return set()
    return {(kind, item.get("name")) for kind in ("clusters", "users", "contexts")
            for item in (doc.get(kind) or []) if isinstance(item, dict)}


def _diff(theirs: str, mine: str) -> str:
    import difflib

    return "".join(difflib.unified_diff(theirs.splitlines(True), mine.splitlines(True), "kubectl",
                                        "kubewallet"))[:4000]


def _sorted_after_header(text: str) -> str:
    head, *rest = text.splitlines(True) or [""]
    return head + "".join(sorted(rest, key=str.encode))


def compare(scenario: Scenario, original: dict[str, bytes | Link], ref: Outcome, ours: Outcome) -> None:
    """Assert that kubewallet did what kubectl did (see the module docstring)."""
    for theirs, mine in zip(ref.runs, ours.runs):
        what = f"`config {' '.join(theirs.argv)}`"
        if "get-clusters" in theirs.argv:
            # kubectl lists clusters in Go's random map order; kubewallet sorts them.
            theirs = Run(theirs.argv, theirs.status, _sorted_after_header(theirs.stdout), theirs.stderr)
        assert mine.stdout == theirs.stdout, f"{what}: stdout differs\n{_diff(theirs.stdout, mine.stdout)}"
        assert mine.status == theirs.status, (
            f"{what}: exit {mine.status} (kubectl {theirs.status}); "
            f"stderr ours={mine.stderr!r} kubectl={theirs.stderr!r}")
        if scenario.stderr == EXACT or theirs.status == 0:
            assert mine.stderr == theirs.stderr, (
                f"{what}: stderr differs\nkubectl:    {theirs.stderr!r}\nkubewallet: {mine.stderr!r}")
        else:
            assert theirs.stderr.startswith("error: ") and mine.stderr.startswith("error: "), (
                what, theirs.stderr, mine.stderr)
            assert mine.stderr.count("\n") == 1, f"{what}: ours is not one line: {mine.stderr!r}"
            if scenario.stderr == FAILS_NAMING_FILE:
                assert scenario.named_file in mine.stderr, (what, mine.stderr)
    assert sorted(ours.files) == sorted(ref.files), "a different set of files exists afterwards"
    for rel, theirs in ref.files.items():
        mine = ours.files[rel]
        if isinstance(theirs, Link) or isinstance(mine, Link):
            assert mine == theirs, f"{rel}: symlink differs"
            continue
        if original.get(rel) == theirs:
            assert mine == theirs, f"{rel}: kubectl left it untouched, kubewallet changed it"
            continue
        if rel.endswith(".lock"):
            continue
        kube_doc, our_doc = load(theirs), load(mine)
        assert strip_unknown(our_doc) == kube_doc, (
            f"{rel}: written content differs\n{_diff(yaml.safe_dump(kube_doc), yaml.safe_dump(strip_unknown(our_doc)))}")
        before = original.get(rel)
        if isinstance(before, bytes):
            names = _names(our_doc)
            for path, value in unknown_fields(load(before)).items():
                if path[0] in ("clusters", "users", "contexts") and (path[0], path[1]) not in names:
                    continue  # the entry itself was deleted or renamed
                assert unknown_fields(our_doc).get(path) == value, f"{rel}: unknown field {path} lost"
