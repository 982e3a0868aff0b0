"""`kubewallet use [CONTEXT|-]` and `kubewallet ns [NAMESPACE|-]`: the everyday quick path,
as kubectx and kubens do it, with kubectl's own file semantics (`config use-context` and
`config set-context --current --namespace`)."""

from __future__ import annotations

import os
import sys

from kubewallet.errors import UsageError

USE_EPILOG = """examples:
  kubewallet use prod-eu        switch to the context prod-eu
  kubewallet use prod           no exact name: pick among the fuzzy matches (on a terminal)
  kubewallet use -              back to the previous context
  kubewallet use                pick a context (on a terminal: type to filter, arrows, Enter;
                                Esc cancels; fzf is used when on PATH, unless
                                KUBEWALLET_IGNORE_FZF is set); elsewhere list them
  kubewallet use acme/prod      a context of the folder file acme.yaml (name in several files)
  eval "$(kubewallet use prod --print-env)"     switch and point this shell's KUBECONFIG at its file
  source <(kubewallet use --shell-function bash)   define `kw CONTEXT`, which does the same
  kubewallet use --add-folder ~/customers       list the kubeconfig files of that folder too
  kubewallet use --folders      show the folders and their files
  kubewallet use -l acme        list the contexts matching "acme", with their cluster and file

Folders: every file of ~/.kube/config.d (or of $KUBEWALLET_KUBECONFIG_DIRS, or of the folders
added with --add-folder) is its own kubeconfig, never merged: a context there is switched in its
own file, and the shell must then use that file (--print-env, or the kw function)."""

NS_EPILOG = """examples:
  kubewallet ns payments        set the current context's namespace
  kubewallet ns -               back to the previous namespace
  kubewallet ns                 pick one (on a terminal: type to filter, Enter to set, Esc to
                                cancel; a name not listed is offered as new); elsewhere print
                                the current namespace

The picker uses fzf when it is on PATH, unless KUBEWALLET_IGNORE_FZF is set."""


def _parse(argv: list[str], prog: str, positional: str, description: str, epilog: str):
    """`[--kubeconfig PATH] [VALUE]` by hand: argparse alone would cost this everyday command a
    fifth of its start-up time. `--help` still gets argparse's full help."""
    rest, kubeconfig, value = list(argv), None, None
    while rest:
        arg = rest.pop(0)
        if arg in ("-h", "--help"):
            import argparse

            parser = argparse.ArgumentParser(prog=prog, description=description, epilog=epilog,
                                             formatter_class=argparse.RawDescriptionHelpFormatter)
            parser.add_argument(positional, nargs="?")
            parser.add_argument("--kubeconfig", help="use this file instead of $KUBECONFIG")
            parser.print_help()
            raise SystemExit(0)
        if arg == "--kubeconfig":
            if not rest:
                raise UsageError("flag needs an argument: --kubeconfig")
            kubeconfig = rest.pop(0)
        elif arg.startswith("--kubeconfig="):
            kubeconfig = arg.partition("=")[2]
        elif arg.startswith("-") and arg != "-":
            raise UsageError(f"unknown flag: {arg}", hint=f"see '{prog} --help'")
        elif value is None:
            value = arg
        else:
            raise UsageError(f"{prog} takes one {positional}, got more", hint=f"see '{prog} --help'")
    return kubeconfig, value


def _home(path: str) -> str:
    home = os.path.expanduser("~")
    return "~" + path[len(home):] if path.startswith(home + os.sep) else path


def _detail(cluster: object, namespace: object, file: str = "") -> str:
    """A picker row's detail: cluster, namespace and, for a folder file's context, the file."""
    parts = [cluster if isinstance(cluster, str) and cluster else "?",
             namespace if isinstance(namespace, str) and namespace else "default"]
    return " · ".join(parts + ([_home(file)] if file else []))


def _pick_context(ws, query: str) -> str | None:
    from kubewallet.cli.picker import Row, pick

    rows = [Row(n, _detail(ws.contexts[n].body.get("cluster"), ws.contexts[n].body.get("namespace")),
                n == ws.current_context) for n in _names(ws)]
    return pick(rows, prompt="context", query=query, select_one=True)


def _last_query(argv: list[str]) -> str:
    words = [a for a in argv[1:] if not a.startswith("-")]
    return words[-1] if words else ""


def _names(ws) -> list[str]:
    return sorted(ws.contexts, key=str.encode)


def _use_main_file(kubeconfig: str | None, target: str | None, argv: list[str]) -> int:
    """The path without folders: exactly `kubectl config use-context` on the merged kubeconfig."""
    from kubewallet.kubeconfig import LoadingRules, NoSuchContext, switch_back, switch_to

    rules = LoadingRules.from_env(kubeconfig)
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    if target == "-":
        target = switch_back(rules).context
    elif target is not None:
        try:
            switch_to(rules, target)
        except NoSuchContext:
            if not interactive:
                raise
            from kubewallet.kubeconfig import load_workspace

            ws = load_workspace(rules)  # a terminal: let the person pick among the near matches
            target = _pick_context(ws, _last_query(argv))
            if target is None:
                return 1
            switch_to(rules, target)
    else:
        from kubewallet.kubeconfig import load_workspace

        ws = load_workspace(rules)
        names = _names(ws)
        if not interactive:
            sys.stdout.write("".join(f"{n}\n" for n in names))
            return 0
        target = _pick_context(ws, "")
        if target is None:
            return 1
        switch_to(rules, target)
    print(f'Switched to context "{target}".')
    return 0


class _UseOptions:
    __slots__ = ("kubeconfig", "target", "print_env", "shell", "shell_function", "add_folder",
                 "remove_folder", "folders", "long")

    def __init__(self) -> None:
        self.kubeconfig = self.target = self.shell_function = None
        self.add_folder = self.remove_folder = None
        self.print_env, self.shell, self.folders, self.long = False, "sh", False, False


_USE_VALUE_FLAGS = ("--kubeconfig", "--shell", "--shell-function", "--add-folder", "--remove-folder")


def _use_help() -> None:
    import argparse

    parser = argparse.ArgumentParser(prog="kubewallet use", epilog=USE_EPILOG,
                                     description="Switch the current context (of the main kubeconfig "
                                                 "or of a kubeconfig folder file).",
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("context", nargs="?", help="a name, FILE_STEM/NAME, or - for the previous one")
    parser.add_argument("--kubeconfig", help="use this file instead of $KUBECONFIG")
    parser.add_argument("--print-env", action="store_true",
                        help="print the shell code that points KUBECONFIG at the context's file "
                             "(messages and the picker go to stderr)")
    parser.add_argument("--shell", choices=("sh", "bash", "zsh", "fish"), default="sh",
                        help="syntax of --print-env (default: POSIX sh, also bash and zsh)")
    parser.add_argument("--shell-function", metavar="SHELL", choices=("bash", "zsh", "fish", "sh"),
                        help="print the kw function for your rc file")
    parser.add_argument("--add-folder", metavar="DIR", help="add a folder of kubeconfig files")
    parser.add_argument("--remove-folder", metavar="DIR", help="stop listing a folder")
    parser.add_argument("--folders", action="store_true", help="show the folders and their files")
    parser.add_argument("-l", "--long", action="store_true",
                        help="list with cluster, namespace and file (* marks what kubectl uses now); "
                             "a CONTEXT given with it filters the list (fuzzy)")
    parser.print_help()


def _parse_use(argv: list[str]) -> _UseOptions:
    """By hand, as `_parse`: argparse costs this everyday command a fifth of its start-up."""
    opts, rest = _UseOptions(), list(argv)
    while rest:
        arg = rest.pop(0)
        if arg in ("-h", "--help"):
            _use_help()
            raise SystemExit(0)
        flag, eq, value = arg.partition("=")
        if flag in _USE_VALUE_FLAGS:
            if not eq:
                if not rest:
                    raise UsageError(f"flag needs an argument: {flag}")
                value = rest.pop(0)
            setattr(opts, flag[2:].replace("-", "_"), value)
        elif arg == "--print-env":
            opts.print_env = True
        elif arg == "--folders":
            opts.folders = True
        elif arg in ("-l", "--long"):
            opts.long = True
        elif arg.startswith("-") and arg != "-":
            raise UsageError(f"unknown flag: {arg}", hint="see 'kubewallet use --help'")
        elif opts.target is None:
            opts.target = arg
        else:
            raise UsageError("kubewallet use takes one context, got more", hint="see 'kubewallet use --help'")
    if opts.shell not in ("sh", "bash", "zsh", "fish"):
        raise UsageError(f"unknown shell {opts.shell!r}", hint="one of: sh, bash, zsh, fish")
    return opts


def use_main(argv: list[str]) -> int:
    opts = _parse_use(argv[1:])
    if opts.shell_function is not None:
        from kubewallet.kubeconfig.folders import shell_function

        sys.stdout.write(shell_function(opts.shell_function))
        return 0
    if opts.add_folder is not None or opts.remove_folder is not None or opts.folders:
        return _folders_main(opts)
    from kubewallet.kubeconfig.folderlist import configured_folders, folder_files

    if not opts.print_env and not opts.long and not folder_files(configured_folders()):
        return _use_main_file(opts.kubeconfig, opts.target, argv)
    return _use_main_catalog(opts, argv, os.environ)


def _folders_main(opts: _UseOptions) -> int:
    from kubewallet.kubeconfig import folders as kf

    if opts.add_folder is not None:
        kf.add_folder(opts.add_folder)
        print(f"added {os.path.abspath(os.path.expanduser(opts.add_folder))} "
              f"(saved in {kf.settings_file()})")
    if opts.remove_folder is not None:
        kf.remove_folder(opts.remove_folder)
        print(f"removed {os.path.abspath(os.path.expanduser(opts.remove_folder))}")
    if opts.folders:
        for folder in kf.configured_folders():
            print(folder)
            for path in kf.folder_files([folder]):
                print(f"  {os.path.basename(path)}")
    return 0


def _print_long(catalog, query: str) -> None:
    """A table, as `kubectl config get-contexts` prints one, plus the file of each context;
    with a query, only the fuzzy matches (best first), as the picker would show them."""
    contexts = list(catalog.contexts)
    if query:
        from kubewallet.kubeconfig.fuzzy import fuzzy_filter

        contexts = [contexts[i] for i, _ in fuzzy_filter(query, catalog.labels, limit=len(contexts))]
    rows = [("CURRENT", "NAME", "CLUSTER", "NAMESPACE", "FILE")]
    for c in contexts:
        mark = "*" if catalog.active is not None and c == catalog.active else ""
        rows.append((mark, c.label, c.cluster, c.namespace, _home(c.file)))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for r in rows:
        print("   ".join(v.ljust(w) for v, w in zip(r, widths)) + "   " + r[4])


def _use_main_catalog(opts: _UseOptions, argv: list[str], environ) -> int:
    """Main kubeconfig and folder files together (see kubeconfig/folders.py)."""
    from kubewallet.kubeconfig import folders as kf

    catalog = kf.load_catalog(opts.kubeconfig, environ)
    for problem in catalog.problems:
        print(f"warning: skipped {problem.message}", file=sys.stderr)
    out = sys.stderr if opts.print_env else sys.stdout
    interactive = sys.stdin.isatty() and out.isatty()
    if opts.long:
        _print_long(catalog, opts.target or "")
        return 0
    target, ctx, query = opts.target, None, None
    if target == "-":
        ctx = catalog.previous()
    elif target is not None:
        try:
            ctx = catalog.find(target)
        except (kf.UnknownContext, kf.AmbiguousContext):
            if not interactive:
                raise
            query = _last_query(argv)
    if ctx is None:
        labels = catalog.labels
        if not interactive:
            if opts.print_env:  # shell code that prints the list, so `kw` alone lists too
                quoter = kf.fish_quote if opts.shell == "fish" else kf.sh_quote
                if labels:
                    sys.stdout.write("printf '%s\\n' " + " ".join(quoter(n) for n in labels) + "\n")
            else:
                sys.stdout.write("".join(f"{n}\n" for n in labels))
            return 0
        from kubewallet.cli.picker import Row, pick

        rows = [Row(c.label, _detail(c.cluster, c.namespace, c.file if c.folder else ""), c == catalog.active)
                for c in catalog.contexts]
        picked = pick(rows, prompt="context", query=query or "", select_one=True)
        if picked is None:
            return 1
        ctx = catalog.find(picked)
    result = kf.switch(catalog, ctx)
    print(f'Switched to context "{ctx.label}".', file=out)
    if opts.print_env:
        sys.stdout.write(kf.env_lines(result.env_changes, opts.shell))
    elif result.needs_env_change(environ):
        hint = kf.env_lines({"KUBECONFIG": result.kubeconfig}, "sh").strip()
        print(f"kubectl reads $KUBECONFIG; in this shell run: {hint}\n"
              f"(or use the kw function: kubewallet use --shell-function bash|zsh|fish)",
              file=sys.stderr)
    return 0


def _pick_namespace(ws) -> str | None:
    """The picker over the namespaces worth offering (kubeconfig.switching.namespace_choices);
    a name typed that is not among them is offered as a new one, if it is a valid name."""
    from kubewallet.cli.picker import Row, pick
    from kubewallet.kubeconfig.switching import namespace_choices, valid_namespace

    choices = namespace_choices(ws)
    rows = [Row(ns, "current" if ns == choices.current else "", ns == choices.current)
            for ns in choices.namespaces]

    def new(query: str) -> Row | None:
        return Row(query, f"new namespace on context {choices.context}") if valid_namespace(query) else None

    return pick(rows, prompt=f"namespace ({choices.context})", new=new)


def ns_main(argv: list[str]) -> int:
    from kubewallet.kubeconfig import LoadingRules, switch_namespace

    kubeconfig, wanted = _parse(argv[1:], "kubewallet ns", "namespace",
                                "Set the namespace of the current context.", NS_EPILOG)
    rules = LoadingRules.from_env(kubeconfig)
    if wanted is None:
        from kubewallet.kubeconfig import load_workspace
        from kubewallet.kubeconfig.switching import current_namespace

        ws = load_workspace(rules)
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            print(current_namespace(ws)[1])
            return 0
        wanted = _pick_namespace(ws)
        if wanted is None:
            return 1
    done = switch_namespace(rules, wanted)
    print(f'Context "{done.context}" modified. Active namespace is "{done.namespace}".')
    return 0


def main(argv: list[str]) -> int:
    return ns_main(argv) if argv[0] == "ns" else use_main(argv)
