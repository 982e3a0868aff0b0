"""`kubewallet use [CONTEXT|-]` and `kubewallet ns [NAMESPACE|-]`: the everyday quick path,
as kubectx and kubens do it, with kubectl's own file semantics (`config use-context` and
`config set-context --current --namespace`)."""

from __future__ import annotations

import sys

from kubewallet.errors import KubeconfigError, UsageError

USE_EPILOG = """examples:
  kubewallet use prod-eu        switch to the context prod-eu
  kubewallet use prod           no exact name: pick among the fuzzy matches (on a terminal)
  kubewallet use -              back to the previous context
  kubewallet use                list the contexts (pick one on a terminal)"""

NS_EPILOG = """examples:
  kubewallet ns payments        set the current context's namespace
  kubewallet ns -               back to the previous namespace
  kubewallet ns                 print the current namespace"""


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


def _pick(names: list[str], query: str, current: str) -> str | None:
    """A small terminal picker: type to narrow, a number to choose, empty to cancel."""
    from kubewallet.gui.fuzzy import fuzzy_filter

    while True:
        matches = [names[i] for i, _ in fuzzy_filter(query, names, limit=30)]
        if not matches:
            print(f"no context matches {query!r}", file=sys.stderr)
            query = ""
            continue
        if len(matches) == 1 and query:
            return matches[0]
        for n, name in enumerate(matches, 1):
            mark = "*" if name == current else " "
            print(f"{n:>3} {mark} {name}", file=sys.stderr)
        try:
            answer = input("context (number or text to filter, empty to cancel): ").strip()
        except EOFError:
            return None
        if not answer:
            return None
        if answer.isdigit() and 1 <= int(answer) <= len(matches):
            return matches[int(answer) - 1]
        query = answer


class _UnknownContext(KubeconfigError):
    pass


def _switch_to(target: str):
    def edit(ws):
        if target not in ws.contexts:
            raise _UnknownContext(f'no context exists with the name: "{target}"')
        before = ws.current_context
        ws.use_context(target)
        return before
    return edit


def _last_query(argv: list[str]) -> str:
    words = [a for a in argv[1:] if not a.startswith("-")]
    return words[-1] if words else ""


def _names(ws) -> list[str]:
    return sorted(ws.contexts, key=str.encode)


def use_main(argv: list[str]) -> int:
    from kubewallet.kubeconfig import LoadingRules, load_workspace, run_edit
    from kubewallet.kubeconfig import history

    kubeconfig, target = _parse(argv[1:], "kubewallet use", "context",
                                "Switch the current context.", USE_EPILOG)
    rules = LoadingRules.from_env(kubeconfig)
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    if target == "-":
        target = history.previous_context(rules.precedence)
        if not target:
            raise KubeconfigError("no previous context to switch back to")
    query = None
    if target is not None:
        try:
            before = run_edit(rules, _switch_to(target))
        except _UnknownContext:
            if not interactive:
                raise
            target = None  # a terminal: let the person pick among the near matches
            query = _last_query(argv)
    if target is None:
        ws = load_workspace(rules)
        names = _names(ws)
        if not interactive:
            sys.stdout.write("".join(f"{n}\n" for n in names))
            return 0
        target = _pick(names, query or "", ws.current_context)
        if target is None:
            return 1
        before = run_edit(rules, _switch_to(target))
    if before and before != target:
        history.remember_context(rules.precedence, before)
    print(f'Switched to context "{target}".')
    return 0


def ns_main(argv: list[str]) -> int:
    from kubewallet.kubeconfig import LoadingRules, load_workspace, run_edit
    from kubewallet.kubeconfig import history

    kubeconfig, wanted = _parse(argv[1:], "kubewallet ns", "namespace",
                                "Set the namespace of the current context.", NS_EPILOG)
    rules = LoadingRules.from_env(kubeconfig)
    if wanted is None:
        ws = load_workspace(rules)
        if not ws.current_context:
            raise KubeconfigError("current-context is not set")
        entry = ws.contexts.get(ws.current_context)
        if entry is None:
            raise KubeconfigError(f'the current context "{ws.current_context}" does not exist')
        print(entry.body.get("namespace") or "default")
        return 0

    def edit(ws):
        if not ws.current_context:
            raise KubeconfigError("no current context is set",
                                  hint="pick one first: kubewallet use CONTEXT")
        name = ws.current_context
        entry = ws.contexts.get(name)
        if entry is None:
            raise KubeconfigError(f'the current context "{name}" does not exist')
        before = entry.body.get("namespace") or "default"
        target = wanted
        if wanted == "-":
            target = history.previous_namespace(rules.precedence, name)
            if not target:
                raise KubeconfigError(f'no previous namespace for context "{name}"')
        ws.set_entry("contexts", name, {**entry.body, "namespace": target})
        return name, before, target

    name, before, target = run_edit(rules, edit)
    if before != target:
        history.remember_namespace(rules.precedence, name, before)
    print(f'Context "{name}" modified. Active namespace is "{target}".')
    return 0


def main(argv: list[str]) -> int:
    return ns_main(argv) if argv[0] == "ns" else use_main(argv)
