"""Folders of kubeconfig files (`~/.kube/config.d/*`), one file per customer, never merged.

kubie and kubeswitch users keep one kubeconfig per customer or cluster in a folder. Merging
them into one `KUBECONFIG` list would change kubectl's answers (the first file that defines a
name wins, the first `current-context` wins), so each folder file is its own kubectl world:
`LoadingRules((path,), explicit=path)`. kubectl reads only `$KUBECONFIG`, so switching to a
context of a folder file is two steps: its own `current-context` is set in place (through
`run_edit`: lock, backup, atomic replace), and the shell is told to point `KUBECONFIG` at the
file (`kubewallet use --print-env`, or the `kw` shell function).

Where the folders come from, first match wins:

1. `$KUBEWALLET_KUBECONFIG_DIRS`, an `os.pathsep` list (set but empty: no folders);
2. `$XDG_CONFIG_HOME/kubewallet/folders.json` (`{"folders": [...]}`), written by
   `kubewallet use --add-folder DIR` / `--remove-folder DIR`; once written it is authoritative;
3. `~/.kube/config.d` when it exists.

The *main* kubeconfig is what kubectl reads by its own rules (`--kubeconfig`, `$KUBECONFIG`,
`~/.kube/config`), except while `$KUBECONFIG` names one folder file — which is what our export
line leaves behind — then it is `$KUBEWALLET_MAIN_KUBECONFIG` (exported next to it), else
`~/.kube/config`. So `kw customer-a`, then `kw prod` goes back to the main file.

Names: a context name found in one place only is shown as is; one found in several places is
shown as `FILE_STEM/NAME` (the file name, or the full path, when stems collide). The qualified
form is always accepted. Listing is cheap: each folder file is read once and its context
names are kept in an index under `$XDG_CACHE_HOME/kubewallet/` keyed by the file's size,
mtime, ctime and inode (as git's index does); an unchanged file is not opened again, and a file
changed less than 2 s ago is not trusted to the index (a second write within the same mtime
tick would go unseen: git's "racily clean" rule). Reading a changed file parses its YAML but
checks only what the listing uses; the full kubectl schema check runs when a file is edited.
A file that does not parse is reported on its own and hides nothing else.

This module is Qt-free: the GUI palette and tray call `load_catalog()` and `switch()`.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kubewallet.errors import KubeconfigError, KubewalletError, UsageError
from kubewallet.kubeconfig.folderlist import (ENV_DIRS, SKIPPED_SUFFIXES, default_folder,  # noqa: F401 (re-exported)
                                              read_settings, configured_folders, folder_files,
                                              is_candidate, settings_file)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from kubewallet.kubeconfig.loading import LoadingRules

ENV_MAIN = "KUBEWALLET_MAIN_KUBECONFIG"
_INDEX_VERSION = 1
_RACY_NS = 2_000_000_000  # a file changed in the last 2 s may change again within its mtime tick


# ----- values ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FolderContext:
    """One context of the catalog.

    `file` is the file that defines it (for the main kubeconfig: the file of the merge that
    defines it), `folder` is False for the main kubeconfig's contexts. `label` is what a person
    types and sees: the bare name when it is unique, else `QUALIFIER/NAME`. `current` is True
    for the file's own current-context (a folder file) or the main kubeconfig's.
    """

    name: str
    file: str
    label: str
    folder: bool
    current: bool = False
    cluster: str = ""
    user: str = ""
    namespace: str = ""

    @property
    def qualified(self) -> str:
        """`STEM/NAME`, accepted even when the bare name is unique."""
        return f"{_stem(self.file)}/{self.name}"


@dataclass(frozen=True)
class FileProblem:
    """A folder file that could not be read; the message names the file (and line:column)."""

    path: str
    message: str


@dataclass(frozen=True)
class Catalog:
    """Every context of the main kubeconfig and of every folder file, with what is active now.

    `active` is the context kubectl uses with the environment the catalog was built from (None
    when no current-context is set there).
    """

    main: "LoadingRules"
    contexts: tuple[FolderContext, ...]
    problems: tuple[FileProblem, ...] = ()
    folders: tuple[str, ...] = ()
    active: FolderContext | None = None

    @property
    def labels(self) -> list[str]:
        return [c.label for c in self.contexts]

    def find(self, query: str) -> FolderContext:
        """The context a person meant by `query`: its label, else `QUALIFIER/NAME`, else a bare
        name that is unique. Raises UnknownContext or AmbiguousContext (a KubeconfigError)."""
        for c in self.contexts:
            if c.label == query:
                return c
        hits = [c for c in self.contexts if query in _qualified_forms(c)]
        if not hits:
            hits = [c for c in self.contexts if c.name == query]
        if len(hits) == 1:
            return hits[0]
        if hits:
            raise AmbiguousContext(f'the context name "{query}" exists in several files',
                                   hint="name one of them: " + ", ".join(c.label for c in hits),
                                   candidates=tuple(hits))
        raise UnknownContext(f'no context exists with the name: "{query}"')

    def rules_for(self, ctx: FolderContext) -> "LoadingRules":
        """The loading rules to read or edit `ctx` in place (`load_workspace`, `run_edit`): the
        folder file alone (explicit, as `--kubeconfig FILE`), or the main kubeconfig's rules."""
        from kubewallet.kubeconfig.loading import LoadingRules

        if ctx.folder:
            return LoadingRules((ctx.file,), explicit=ctx.file, source="explicit")
        return self.main

    def reference(self, ctx: FolderContext) -> str:
        """How `kubewallet use -` remembers a context (see history.py): the bare name for the
        main kubeconfig (as before folders existed), `\\0PATH\\0NAME` for a folder file."""
        return ctx.name if not ctx.folder else f"\0{ctx.file}\0{ctx.name}"

    def previous(self) -> FolderContext:
        """The context the last switch left (`kubewallet use -`), see `switch`."""
        from kubewallet.kubeconfig import history

        ref = history.previous_context(self.main.precedence)
        if not ref:
            raise KubeconfigError("no previous context to switch back to")
        return self.from_reference(ref)

    def from_reference(self, ref: str) -> FolderContext:
        if ref.startswith("\0"):
            _, path, name = ref.split("\0", 2)
            for c in self.contexts:
                if c.folder and c.file == path and c.name == name:
                    return c
            raise UnknownContext(f'the previous context "{name}" of {path} no longer exists')
        for c in self.contexts:
            if not c.folder and c.name == ref:
                return c
        raise UnknownContext(f'no context exists with the name: "{ref}"')


class UnknownContext(KubeconfigError):
    pass


class AmbiguousContext(KubeconfigError):
    def __init__(self, message: str, hint: str | None = None,
                 candidates: tuple[FolderContext, ...] = ()) -> None:
        super().__init__(message, hint=hint)
        self.candidates = candidates


@dataclass(frozen=True)
class SwitchResult:
    """What `switch()` did. `kubeconfig` is the value `$KUBECONFIG` must have for kubectl to use
    the context (None: unset it, kubectl's default ~/.kube/config); `main_kubeconfig` is the
    value for `$KUBEWALLET_MAIN_KUBECONFIG` (None: unset), so a later listing finds the main
    kubeconfig again. `previous` is the context that was active before, if any."""

    context: FolderContext
    kubeconfig: str | None
    main_kubeconfig: str | None
    previous: FolderContext | None = None
    env_changes: dict[str, str | None] = field(default_factory=dict)

    def needs_env_change(self, environ: Mapping[str, str] | None = None) -> bool:
        env = os.environ if environ is None else environ
        return env.get("KUBECONFIG") != self.kubeconfig and not (
            self.kubeconfig is None and not env.get("KUBECONFIG"))


# ----- where the folders are ---------------------------------------------------------------------

def _write_settings(folders: list[str], env: Mapping[str, str]) -> str:
    path = settings_file(env)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump({"folders": folders}, fh, indent=2)
        fh.write("\n")
    os.replace(tmp, path)
    return path


def add_folder(directory: str, environ: Mapping[str, str] | None = None) -> list[str]:
    """Add a folder to the settings file (starting from the folders in use); returns the list."""
    env = os.environ if environ is None else environ
    full = os.path.abspath(os.path.expanduser(directory))
    if not os.path.isdir(full):
        raise UsageError(f"not a directory: {directory}")
    saved = read_settings(env)
    folders = saved if saved is not None else [
        f for f in ([default_folder(env)] if os.path.isdir(default_folder(env)) else [])]
    if full not in folders:
        folders.append(full)
    _write_settings(folders, env)
    return folders


def remove_folder(directory: str, environ: Mapping[str, str] | None = None) -> list[str]:
    """Remove a folder from the settings file (removing the default ~/.kube/config.d switches
    it off, since the settings file then exists and wins)."""
    env = os.environ if environ is None else environ
    full = os.path.abspath(os.path.expanduser(directory))
    saved = read_settings(env)
    folders = saved if saved is not None else configured_folders({k: v for k, v in env.items()
                                                                   if k != ENV_DIRS})
    if full not in folders:
        raise UsageError(f"{directory} is not among the kubeconfig folders",
                         hint="see them with: kubewallet use --folders")
    folders.remove(full)
    _write_settings(folders, env)
    return folders


# ----- reading folder files cheaply ----------------------------------------------------------------

def _index_file(env: Mapping[str, str]) -> str:
    base = env.get("XDG_CACHE_HOME") or os.path.join(env.get("HOME") or os.path.expanduser("~"), ".cache")
    return os.path.join(base, "kubewallet", "folder-index.json")


def _signature(st: os.stat_result) -> list[int]:
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def scan_file(path: str) -> dict:
    """What the catalog needs from one file: `{"current": str, "contexts": [[name, cluster,
    user, namespace], ...]}` or `{"error": message}`.

    Only the YAML is parsed (libyaml) and the few fields read are checked; the full schema
    check runs when the file is edited (switching goes through `run_edit`), as kubectl checks
    a file when it loads it for a command."""
    from kubewallet.kubeconfig.yamlio import parse_yaml

    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        return {"error": f"{path}: {(exc.strerror or str(exc)).lower()}"}
    try:
        data = parse_yaml(raw, path)
    except KubewalletError as exc:
        return {"error": str(exc)}
    if data is None:
        return {"current": "", "contexts": []}
    if not isinstance(data, dict):
        return {"error": f"{path}: not a kubeconfig (the file must hold a mapping)"}
    kind, version = data.get("kind"), data.get("apiVersion")
    if kind not in (None, "", "Config") or version not in (None, "", "v1"):
        return {"error": f"{path}: not a kubeconfig: kind {kind!r} apiVersion {version!r} "
                         "(expected kind Config, apiVersion v1)"}
    current = data.get("current-context") or ""
    items = data.get("contexts") or []
    if not isinstance(current, str) or not isinstance(items, list):
        return {"error": f"{path}: current-context must be a string and contexts a list"}
    contexts, seen = [], set()
    for index, item in enumerate(items):
        item = item or {}
        name = item.get("name") if isinstance(item, dict) else None
        body = item.get("context") if isinstance(item, dict) else None
        if not isinstance(name, str) or not isinstance(body, (dict, type(None))):
            return {"error": f"{path}: contexts[{index}] must have a string name and a context mapping"}
        if name in seen:
            return {"error": f"{path}: duplicate name {name!r} in contexts"}
        seen.add(name)
        body = body or {}
        contexts.append([name] + [v if isinstance(v, str) else "" for v in
                                  (body.get("cluster"), body.get("user"), body.get("namespace"))])
    return {"current": current, "contexts": contexts}


def scan_files(paths: list[str], environ: Mapping[str, str] | None = None,
               use_index: bool = True) -> dict[str, dict]:
    """`scan_file` for each path, served from the index when the file has not changed."""
    env = os.environ if environ is None else environ
    index_path = _index_file(env)
    index: dict = {}
    if use_index:
        try:
            with open(index_path, encoding="utf-8") as fh:
                loaded = json.load(fh)
            if isinstance(loaded, dict) and loaded.get("version") == _INDEX_VERSION:
                index = loaded.get("files") or {}
        except (OSError, ValueError):
            index = {}
    out: dict[str, dict] = {}
    fresh: dict[str, list] = {}
    changed = False
    now = time.time_ns()
    for path in paths:
        key = os.path.abspath(path)
        try:
            st = os.stat(path)
        except OSError as exc:
            out[path] = {"error": f"{path}: {(exc.strerror or str(exc)).lower()}"}
            continue
        sig = _signature(st)
        cached = index.get(key)
        if cached and cached[0] == sig:
            out[path] = cached[1]
            fresh[key] = cached
            continue
        result = scan_file(path)
        out[path] = result
        if now - st.st_mtime_ns > _RACY_NS:
            fresh[key] = [sig, result]
        changed = True
    if use_index and (changed or len(fresh) != len(index)):
        try:
            os.makedirs(os.path.dirname(index_path), mode=0o700, exist_ok=True)
            tmp = f"{index_path}.{os.getpid()}.tmp"
            fd = os.open(tmp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump({"version": _INDEX_VERSION, "files": fresh}, fh, separators=(",", ":"))
            os.replace(tmp, index_path)
        except OSError:
            pass  # the index only saves time; listing works without it
    return out


# ----- the catalog --------------------------------------------------------------------------------

def _stem(path: str) -> str:
    base = os.path.basename(path)
    stem, dot, _ = base.rpartition(".")
    return stem if dot and stem else base


def _qualified_forms(c: FolderContext) -> tuple[str, ...]:
    return (f"{_stem(c.file)}/{c.name}", f"{os.path.basename(c.file)}/{c.name}",
            f"{os.path.abspath(c.file)}/{c.name}")


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


def main_rules(explicit: str | None = None, environ: Mapping[str, str] | None = None,
               files: list[str] | None = None) -> "LoadingRules":
    """The main kubeconfig: kubectl's own rules, unless `$KUBECONFIG` names one folder file."""
    from kubewallet.kubeconfig.loading import LoadingRules

    env = os.environ if environ is None else environ
    actual = LoadingRules.from_env(explicit, env)
    if explicit or actual.source != "KUBECONFIG" or len(actual.precedence) != 1:
        return actual
    if files is None:
        files = folder_files(configured_folders(env))
    if not any(_same_file(actual.precedence[0], f) for f in files):
        return actual
    home = {"KUBECONFIG": env.get(ENV_MAIN, "")}
    if env.get("HOME"):
        home["HOME"] = env["HOME"]
    return LoadingRules.from_env(None, home)


def _main_value(rules: "LoadingRules") -> str | None:
    """The `$KUBECONFIG` value that makes kubectl read `rules` (None: leave it unset)."""
    if rules.explicit:
        return os.path.abspath(rules.explicit)
    if rules.source == "KUBECONFIG":
        return os.pathsep.join(rules.precedence)
    return None


def load_catalog(explicit: str | None = None, environ: Mapping[str, str] | None = None,
                 use_index: bool = True) -> Catalog:
    """Every context of the main kubeconfig (kubectl's merge, validated as kubectl does) and of
    every folder file (each alone), labelled, with what is active in `environ`.

    A main kubeconfig that does not parse raises (kubectl fails too); a folder file that does
    not parse becomes a `FileProblem` and its contexts are left out."""
    from kubewallet.kubeconfig.workspace import load_workspace

    env = os.environ if environ is None else environ
    folders = configured_folders(env)
    files = folder_files(folders)
    main = main_rules(explicit, env, files)
    ws = load_workspace(main)
    main_paths = [p for p in main.precedence]
    files = [f for f in files if not any(_same_file(f, m) for m in main_paths)]

    raw: list[tuple[str, str, bool, bool, str, str, str]] = []
    main_current = ws.current_context
    for name in sorted(ws.contexts, key=str.encode):
        entry = ws.contexts[name]
        body = entry.body
        raw.append((name, entry.file, False, name == main_current,
                    *(v if isinstance(v, str) else "" for v in
                      (body.get("cluster"), body.get("user"), body.get("namespace")))))
    problems: list[FileProblem] = []
    scanned = scan_files(files, env, use_index) if files else {}
    for path in files:
        info = scanned[path]
        if "error" in info:
            problems.append(FileProblem(path, info["error"]))
            continue
        for name, cluster, user, namespace in info["contexts"]:
            raw.append((name, path, True, name == info["current"], cluster, user, namespace))

    labels = _labels([(item[0], item[1]) for item in raw])
    contexts = tuple(sorted((FolderContext(n, p, label, f, cur, c, u, ns)
                             for (n, p, f, cur, c, u, ns), label in zip(raw, labels)),
                            key=lambda c: c.label.encode()))
    active = _active(contexts, main, explicit, env)
    return Catalog(main, contexts, tuple(problems), tuple(folders), active)


def _labels(items: list[tuple[str, str]]) -> list[str]:
    """A label per (name, file): the bare name when no other place has it, else qualified by
    the file's stem, or its file name, or its path -- the shortest that names one file only.
    A label that still equals another (a context literally named `acme/prod` next to `prod` of
    acme.yaml) moves both up a level until every label is distinct."""
    count: dict[str, int] = {}
    for name, _ in items:
        count[name] = count.get(name, 0) + 1
    files = {os.path.abspath(p) for _, p in items}
    stems: dict[str, int] = {}
    bases: dict[str, int] = {}
    for p in files:
        stems[_stem(p)] = stems.get(_stem(p), 0) + 1
        bases[os.path.basename(p)] = bases.get(os.path.basename(p), 0) + 1

    def at(level: int, name: str, path: str) -> str:
        if level == 0:
            return name
        if level == 1:
            return f"{_stem(path)}/{name}"
        if level == 2:
            return f"{os.path.basename(path)}/{name}"
        return f"{os.path.abspath(path)}/{name}"

    levels = []
    for name, path in items:
        if count[name] == 1:
            levels.append(0)
        elif stems[_stem(path)] == 1:
            levels.append(1)
        elif bases[os.path.basename(path)] == 1:
            levels.append(2)
        else:
            levels.append(3)
    while True:
        labels = [at(lv, n, p) for lv, (n, p) in zip(levels, items)]
        seen: dict[str, list[int]] = {}
        for i, label in enumerate(labels):
            seen.setdefault(label, []).append(i)
        clashes = [i for group in seen.values() if len(group) > 1 for i in group if levels[i] < 3]
        if not clashes:
            return labels
        for i in clashes:
            levels[i] += 1


def _active(contexts: tuple[FolderContext, ...], main: "LoadingRules", explicit: str | None,
            env: Mapping[str, str]) -> FolderContext | None:
    from kubewallet.kubeconfig.loading import LoadingRules

    actual = LoadingRules.from_env(explicit, env)
    if actual != main and len(actual.precedence) == 1:
        path = actual.precedence[0]
        for c in contexts:
            if c.folder and c.current and _same_file(c.file, path):
                return c
        return None
    for c in contexts:
        if not c.folder and c.current:
            return c
    return None


# ----- switching -------------------------------------------------------------------------------------

def switch(catalog: Catalog, ctx: FolderContext) -> SwitchResult:
    """Make `ctx` the current context of its own file(s), in place and safely, and say which
    `$KUBECONFIG` kubectl needs to see it. The main kubeconfig is edited by kubectl's routing
    (`use-context`); a folder file through explicit rules for that file alone.

    The context that was active is remembered for `kubewallet use -` (history.py, under the
    main kubeconfig, by `Catalog.reference`), as `switching.switch_to` remembers its own."""
    from kubewallet.kubeconfig import history
    from kubewallet.kubeconfig.switching import NoSuchContext, set_current_context

    try:
        set_current_context(catalog.rules_for(ctx), ctx.name)
    except NoSuchContext:
        raise UnknownContext(f'the context "{ctx.name}" is no longer in {ctx.file}',
                             hint="the file changed meanwhile; list again") from None
    before = catalog.active
    if before is not None and (before.file, before.name) != (ctx.file, ctx.name):
        history.remember_context(catalog.main.precedence, catalog.reference(before))
    main_value = _main_value(catalog.main)
    if ctx.folder:
        changes = {"KUBECONFIG": os.path.abspath(ctx.file), ENV_MAIN: main_value}
        return SwitchResult(ctx, os.path.abspath(ctx.file), main_value, catalog.active, changes)
    return SwitchResult(ctx, main_value, main_value, catalog.active, {"KUBECONFIG": main_value})


def env_lines(changes: Mapping[str, str | None], shell: str = "sh") -> str:
    """Shell code that sets (or, for None, unsets) each variable: POSIX sh/bash/zsh, or fish."""
    out = []
    for name, value in changes.items():
        if shell == "fish":
            out.append(f"set -e {name}" if value is None else f"set -gx {name} {fish_quote(value)}")
        else:
            out.append(f"unset {name}" if value is None else f"export {name}={sh_quote(value)}")
    return "".join(line + "\n" for line in out)


def sh_quote(value: str) -> str:
    """POSIX single quotes, always (so the line reads the same for every path)."""
    return "'" + value.replace("'", "'\"'\"'") + "'"


def fish_quote(value: str) -> str:
    """fish's single quotes: only `\\` and `'` are escaped inside them."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


SHELLS = ("bash", "zsh", "fish", "sh")

_POSIX_FUNCTION = """\
# kubewallet: `kw CONTEXT` switches the context and points this shell's KUBECONFIG at its file.
# Put this line in your rc file: eval "$(kubewallet use --shell-function {shell})"
kw() {{
  case "${{1-}}" in
    -h|--help|--add-folder|--add-folder=*|--remove-folder|--remove-folder=*|--folders|--shell-function|--shell-function=*)
      command kubewallet use "$@" ;;
    *)
      local __kw_env
      __kw_env="$(command kubewallet use --print-env --shell {shell} "$@")" || return $?
      eval "$__kw_env" ;;
  esac
}}
"""

_FISH_FUNCTION = """\
# kubewallet: `kw CONTEXT` switches the context and points this shell's KUBECONFIG at its file.
# Put this line in ~/.config/fish/config.fish: kubewallet use --shell-function fish | source
function kw --description 'kubewallet use, exporting KUBECONFIG'
    switch "$argv[1]"
        case -h --help --add-folder '--add-folder=*' --remove-folder '--remove-folder=*' --folders --shell-function '--shell-function=*'
            command kubewallet use $argv
        case '*'
            command kubewallet use --print-env --shell fish $argv | source
    end
end
"""


def shell_function(shell: str) -> str:
    if shell not in SHELLS:
        raise UsageError(f"unknown shell {shell!r}", hint="one of: " + ", ".join(SHELLS))
    if shell == "fish":
        return _FISH_FUNCTION
    return _POSIX_FUNCTION.format(shell=shell)
