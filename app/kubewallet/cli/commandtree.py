"""The whole command line as data: every command, subcommand, flag and positional argument.

Shell completion (`kubewallet completion`) and the manual page (`kubewallet man`) are generated
from this tree, so they cannot drift from the commands themselves. The tree is read from the
real parsers: each command module builds its own `argparse` parser inside `main` (so that the
dispatcher imports one module only, see `cli/main.py`), so `main([name, "--help"])` is called
with `ArgumentParser.parse_known_args` and `print_help` patched to hand the parser back instead of
parsing. A command that dispatches by hand (`config`, `oidc-login`) is asked for its
subcommands (a `SUBCOMMANDS` tuple, else the `{a,b,c}` of its usage line), and each of those is
read the same way; so is a subcommand dispatched by hand ahead of a command's main parser when its
examples name it (`certs renew`). Building the tree imports every command module: about a second, paid when a
completion script or the man page is generated, never when a user presses TAB.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re
from dataclasses import dataclass, field, replace
from importlib import import_module


@dataclass(frozen=True)
class Flag:
    names: tuple[str, ...]            # ("-o", "--output")
    takes_value: bool
    choices: tuple[str, ...] = ()
    metavar: str = ""
    help: str = ""


@dataclass(frozen=True)
class Positional:
    name: str
    choices: tuple[str, ...] = ()
    repeats: bool = False             # nargs "*" or "+" (or REMAINDER)
    optional: bool = False


@dataclass(frozen=True)
class Command:
    path: tuple[str, ...]             # ("config", "view"); () is kubewallet itself
    summary: str = ""
    flags: tuple[Flag, ...] = ()
    positionals: tuple[Positional, ...] = ()
    subcommands: tuple["Command", ...] = ()
    help_text: str = ""               # the command's own --help output
    usage: str = ""
    description: str = ""
    epilog: str = ""

    @property
    def name(self) -> str:
        return " ".join(self.path)

    def walk(self):
        yield self
        for sub in self.subcommands:
            yield from sub.walk()


class _Captured(Exception):
    def __init__(self, parser: argparse.ArgumentParser) -> None:
        super().__init__("parser captured")
        self.parser = parser


@contextlib.contextmanager
def _capturing():
    parse, show = argparse.ArgumentParser.parse_known_args, argparse.ArgumentParser.print_help

    def fake_parse(self, args=None, namespace=None):  # noqa: ARG001
        raise _Captured(self)

    def fake_help(self, file=None):  # noqa: ARG001
        raise _Captured(self)

    argparse.ArgumentParser.parse_known_args = fake_parse  # type: ignore[method-assign]
    argparse.ArgumentParser.print_help = fake_help  # type: ignore[method-assign]
    try:
        yield
    finally:
        argparse.ArgumentParser.parse_known_args = parse  # type: ignore[method-assign]
        argparse.ArgumentParser.print_help = show  # type: ignore[method-assign]


def _capture(module, argv: list[str]) -> tuple[argparse.ArgumentParser | None, str]:
    """The parser `module.main(argv)` builds, or (None, what it printed) when it built none."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()), _capturing():
        try:
            module.main(argv)
        except _Captured as captured:
            return captured.parser, ""
        except (SystemExit, Exception):  # noqa: BLE001 - a command that cannot describe itself gets no flags
            pass
    return None, out.getvalue()


def _help_of(action: argparse.Action) -> str:
    text = action.help or ""
    return "" if text == argparse.SUPPRESS else " ".join(text.split())


def _from_parser(path: tuple[str, ...], summary: str, parser: argparse.ArgumentParser) -> Command:
    flags: list[Flag] = []
    positionals: list[Positional] = []
    subs: list[Command] = []
    for action in parser._actions:  # argparse has no public API to list a parser's arguments
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: _help_of(a) for a in action._choices_actions}
            seen: set[int] = set()
            for name, sub in action.choices.items():
                if id(sub) in seen:       # an alias of a subcommand already listed
                    continue
                seen.add(id(sub))
                subs.append(_from_parser((*path, name), helps.get(name, ""), sub))
            continue
        if action.help == argparse.SUPPRESS:
            continue
        choices = tuple(str(c) for c in action.choices) if action.choices else ()
        if action.option_strings:
            takes_value = action.nargs != 0
            metavar = action.metavar if isinstance(action.metavar, str) else (
                action.dest.upper() if takes_value and not choices else "")
            flags.append(Flag(tuple(action.option_strings), takes_value, choices, metavar, _help_of(action)))
        else:
            name = action.metavar if isinstance(action.metavar, str) else action.dest
            positionals.append(Positional(name, choices, action.nargs in ("*", "+", argparse.REMAINDER),
                                          action.nargs in ("?", "*")))
    first_line = (parser.description or "").strip().split("\n")[0].rstrip(".")
    return Command(path, summary or first_line,
                   tuple(flags), tuple(positionals), tuple(subs), parser.format_help(),
                   parser.format_usage().strip(), parser.description or "", parser.epilog or "")


def _describe(name: str, module_name: str, summary: str) -> Command:
    try:
        module = import_module(f"kubewallet.cli.{module_name}")
    except Exception:  # noqa: BLE001 - a command whose module cannot load is still listed
        return Command((name,), summary)
    parser, printed = _capture(module, [name, "--help"])
    if parser is not None:
        cmd = _from_parser((name,), summary, parser)
        if cmd.subcommands:
            return cmd
        # Subcommands dispatched by hand before the main parser (`certs renew`, `certs import`):
        # the examples name them; each is kept only if it answers with a parser of its own.
        words = dict.fromkeys(re.findall(rf"kubewallet {re.escape(name)} ([a-z][a-z-]+)", cmd.epilog))
        subs = []
        for word in words:
            sub_parser, _ = _capture(module, [name, word, "--help"])
            if sub_parser is not None and sub_parser.prog == f"kubewallet {name} {word}":
                subs.append(_from_parser((name, word), "", sub_parser))
        return replace(cmd, subcommands=tuple(subs)) if subs else cmd
    # A hand-written dispatcher: find its subcommands, then read each one's parser.
    names = list(getattr(module, "SUBCOMMANDS", ()) or ())
    if not names:
        match = re.search(r"\{([\w,-]+)\}", printed.splitlines()[0] if printed else "")
        names = match.group(1).split(",") if match else []
    subs = []
    for sub in names:
        sub_parser, sub_printed = _capture(module, [name, sub, "--help"])
        subs.append(_from_parser((name, sub), "", sub_parser) if sub_parser is not None
                    else Command((name, sub), "", help_text=sub_printed))
    flags = (Flag(("--kubeconfig",), True, (), "FILE", "use this kubeconfig file"),) if name == "config" else ()
    return Command((name,), summary, flags, (), tuple(subs), printed)


def build_tree() -> Command:
    """kubewallet's command tree, read from the dispatcher table and each command's parser."""
    from kubewallet.cli.main import COMMANDS

    top_flags = (
        Flag(("-h", "--help"), False, help="show the commands and exit"),
        Flag(("-V", "--version"), False, help="print the version and exit"),
        Flag(("--debug",), False, help="print a traceback on errors (also KUBEWALLET_DEBUG=1)"),
        Flag(("--demo",), False, help="open the desktop application on a generated demo workspace"),
    )
    subs = tuple(_describe(name, module, summary) for name, (module, summary) in COMMANDS.items())
    return Command((), "kubeconfig files and the credentials they carry", top_flags, (), subs)


@dataclass(frozen=True)
class ValueKinds:
    """What a positional argument or a flag's value completes to.

    Kinds: "contexts", "clusters", "users", "namespaces" (names read from the kubeconfig at TAB
    time), "targets" (contexts of the kubeconfig and of the kubeconfig folders, for use/shell), "files", "any" (free text: nothing to offer), or "choices:a b c".
    """

    positional: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)
    flags: dict[str, str] = field(default_factory=dict)
    flag_overrides: dict[tuple[tuple[str, ...], str], str] = field(default_factory=dict)


# Which arguments name something in the kubeconfig (the last kind repeats for nargs */+).
KINDS = ValueKinds(
    positional={
        ("use",): ("targets",), ("export",): ("contexts",), ("shell",): ("targets",),
        ("check",): ("contexts",),
        ("ns",): ("namespaces",),
        ("secure",): ("users",), ("unsecure",): ("users",),
        ("import",): ("files",), ("restore",): ("files",),
        ("config", "use-context"): ("contexts",), ("config", "use"): ("contexts",),
        ("config", "delete-context"): ("contexts",), ("config", "rename-context"): ("contexts", "any"),
        ("config", "set-context"): ("contexts",), ("config", "get-contexts"): ("contexts",),
        ("config", "delete-cluster"): ("clusters",), ("config", "set-cluster"): ("clusters",),
        ("config", "delete-user"): ("users",), ("config", "set-credentials"): ("users",),
        ("credential", "update"): ("users",), ("credential", "flush"): ("users",),
        ("certs", "renew"): ("users",), ("certs", "import"): ("users", "files"),
    },
    flags={
        "--context": "contexts", "--cluster": "clusters", "--user": "users",
        "--namespace": "namespaces", "-n": "namespaces",
        "--kubeconfig": "files", "--rbac": "files", "--verify": "files",
        "--client-certificate": "files", "--client-key": "files", "--certificate-authority": "files",
        "--shell": "files",
    },
    flag_overrides={
        (("export",), "-o"): "files", (("export",), "--output"): "files",
        (("certs", "renew"), "-o"): "files", (("certs", "renew"), "--output"): "files",
    },
)


def positional_kinds(cmd: Command) -> tuple[str, ...]:
    """One kind per positional (choices win, then the table above, else "any")."""
    table = KINDS.positional.get(cmd.path, ())
    kinds = []
    for i, pos in enumerate(cmd.positionals):
        if pos.choices:
            kinds.append("choices:" + " ".join(pos.choices))
        elif i < len(table):
            kinds.append(table[i])
        else:
            kinds.append("files" if pos.name.lower() in ("file", "files", "path") else "any")
    if not cmd.positionals and table:
        kinds = list(table)
    return tuple(kinds)


def flag_kind(cmd: Command, flag: Flag) -> str:
    """The kind of value a flag takes ("" when it takes none)."""
    if not flag.takes_value:
        return ""
    if flag.choices:
        return "choices:" + " ".join(flag.choices)
    for name in flag.names:
        kind = KINDS.flag_overrides.get((cmd.path, name))
        if kind:
            return kind
    for name in flag.names:
        kind = KINDS.flags.get(name)
        if kind:
            return kind
    return "any"
