"""`kubewallet shell CONTEXT`: a subshell pinned to one context, as kubie and kubeswitch do it.

Why a private copy and not `kubectl config use-context`: `current-context` lives in a file that
every terminal shares, so switching in one terminal switches all of them (and a script running
in another terminal suddenly talks to production). Here the subshell's `KUBECONFIG` points at a
file of its own: the chosen context, minified and flattened (`export_context`: only its cluster
and user, file references inlined), with `current-context` set to it. kubectl, helm, k9s and
kubewallet itself inside that shell all see that one context; the user's kubeconfig is never
written. Edits made inside (`kubewallet ns`, `kubectl config set-context`) change the copy only
and end with the shell.

The copy holds what the context needs to authenticate (a token or key when the kubeconfig holds
one inline; only the exec entry for users secured by kubewallet), so it lives in a directory
made with mode 0700 (under `$XDG_RUNTIME_DIR`, a per-user tmpfs, when there is one), the file
itself 0600, and it is removed when the shell exits, and also when this process gets SIGTERM or
SIGHUP (the terminal closed): the shell gets SIGHUP, then, if it lingers, SIGKILL. Only SIGKILL
of this process leaves a copy behind; the next `kubewallet shell` removes such leftovers (the
directory names carry the owning pid).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys

ENV_CONTEXT = "KUBEWALLET_SHELL_CONTEXT"
ENV_NAMESPACE = "KUBEWALLET_SHELL_NAMESPACE"
ENV_SOURCE = "KUBEWALLET_SHELL_SOURCE"     # the kubeconfig files the copy came from (pathsep list)

EPILOG = """examples:
  kubewallet shell prod-eu                  a shell where kubectl talks to prod-eu only
  kubewallet shell dev -- kubectl get pods  run one command in that context, no shell
  echo 'kubectl config current-context' | kubewallet shell dev --shell bash
  kubewallet shell staging --nested         a shell inside a kubewallet shell (from the same files)
  kubewallet shell acme/prod                a context of ~/.kube/config.d/acme.yaml (kubeconfig folders)

Each terminal can hold its own context: the global current-context is not touched. Inside,
KUBECONFIG is a private copy (minified and flattened, mode 0600 in a 0700 folder) that is
removed when the shell exits; KUBEWALLET_SHELL_CONTEXT and KUBEWALLET_SHELL_NAMESPACE name the
context for your prompt:

  # ~/.bashrc
  PS1='${KUBEWALLET_SHELL_CONTEXT:+(⎈ $KUBEWALLET_SHELL_CONTEXT${KUBEWALLET_SHELL_NAMESPACE:+:$KUBEWALLET_SHELL_NAMESPACE}) }'"$PS1"
  # ~/.zshrc
  setopt PROMPT_SUBST
  PROMPT='${KUBEWALLET_SHELL_CONTEXT:+(⎈ $KUBEWALLET_SHELL_CONTEXT) }'"$PROMPT"
  # fish: functions/fish_right_prompt.fish
  function fish_right_prompt; set -q KUBEWALLET_SHELL_CONTEXT; and echo "⎈ $KUBEWALLET_SHELL_CONTEXT"; end
"""


def _parser(prog: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=prog, usage=f"{prog} [-h] [--kubeconfig FILE] [--shell PATH] [--nested] "
                                "CONTEXT [-- COMMAND [ARG ...]]", description="Start a subshell pinned to one context, "
                                "through a private copy of the kubeconfig.", epilog=EPILOG,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("context", help="the context to pin the shell to (also one of a kubeconfig folder "
                   "file, as 'kubewallet use' lists them)")
    p.add_argument("--kubeconfig", metavar="FILE", help="read the context from this file (as kubectl)")
    p.add_argument("--shell", metavar="PATH", help="the shell to start (default: $SHELL, else your login shell)")
    p.add_argument("--nested", action="store_true",
                   help="allow starting it inside another kubewallet shell")
    return p


def _default_shell() -> str:
    shell = os.environ.get("SHELL")
    if shell:
        return shell
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_shell or "/bin/sh"
    except (ImportError, KeyError):
        return "/bin/sh"


def _write_copy(doc: dict) -> tuple[str, str]:
    from kubewallet.credentials.copies import SHELL, private_dir
    from kubewallet.kubeconfig.yamlio import dump_yaml

    directory = private_dir(SHELL)   # mode 0700; leftovers of killed shells removed first
    path = os.path.join(directory, "config")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(dump_yaml(doc))
    return directory, path


def _find_context(args, environ):
    """(workspace holding the context, the context, the main loading rules).

    CONTEXT is looked up as `kubewallet use` does: in the main kubeconfig (--kubeconfig, else
    kubectl's rules) and in the kubeconfig folders (`~/.kube/config.d`, kubeconfig/folders.py),
    `FILE/NAME` where a name is in several files. Inside a nested shell, the main kubeconfig is
    the one the outer shell's copy came from (its own KUBECONFIG holds one context only)."""
    from kubewallet.kubeconfig import load_workspace
    from kubewallet.kubeconfig.folders import load_catalog

    env = dict(environ)
    source = environ.get(ENV_SOURCE)
    if environ.get(ENV_CONTEXT) and source and not args.kubeconfig:
        env["KUBECONFIG"] = source
    catalog = load_catalog(args.kubeconfig, env)
    ctx = catalog.find(args.context)
    return load_workspace(catalog.rules_for(ctx)), ctx, catalog.main


def _run(argv: list[str], env: dict[str, str]) -> int:
    """Run the shell; on SIGTERM/SIGHUP hang it up (then kill it if it lingers) and report 128+N.

    The handlers only record and forward, never raise: a signal may land while `Popen` is still
    between fork and exec (the child already running), and an exception there would lose the
    child. An interactive shell ignores SIGTERM, so what it gets is SIGHUP, as when a terminal
    closes; SIGKILL follows after 3 s if it is still there.
    """
    import shutil
    import subprocess

    state: dict = {"signum": 0, "pid": 0}

    def hang_up() -> None:
        def kill(signum, frame):  # noqa: ARG001
            try:
                os.kill(state["pid"], signal.SIGKILL)
            except ProcessLookupError:
                pass

        signal.signal(signal.SIGALRM, kill)
        signal.alarm(3)
        try:
            os.kill(state["pid"], signal.SIGHUP)
        except ProcessLookupError:
            pass

    def on_signal(signum, frame):  # noqa: ARG001
        if not state["signum"]:
            state["signum"] = signum
            if state["pid"]:
                hang_up()

    def ignore(signum, frame):  # noqa: ARG001 - Ctrl-C belongs to the shell, not to us
        return None

    watched = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT, signal.SIGALRM)
    previous = {s: signal.getsignal(s) for s in watched}
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    signal.signal(signal.SIGINT, ignore)   # a Python handler, so the child starts with the default
    try:
        try:
            proc = subprocess.Popen(argv, env=env)
        except OSError as exc:
            from kubewallet.errors import UsageError

            raise UsageError(f"cannot start {argv[0]}: {exc.strerror}", hint="pass --shell PATH") from None
        state["pid"] = proc.pid
        if state["signum"]:
            hang_up()
        code = proc.wait()
        signal.alarm(0)
        return 128 + state["signum"] if state["signum"] else code
    finally:
        for s, h in previous.items():
            signal.signal(s, h)
        shutil.rmtree(os.path.dirname(env["KUBECONFIG"]), ignore_errors=True)


def main(argv: list[str]) -> int:
    rest = argv[1:]
    command: list[str] = []
    if "--" in rest:   # `-- COMMAND ARGS`: run that instead of a shell (its flags are its own)
        cut = rest.index("--")
        rest, command = rest[:cut], rest[cut + 1:]
    args = _parser(f"kubewallet {argv[0]}").parse_args(rest)
    from kubewallet.errors import UsageError

    environ = dict(os.environ)
    outer = environ.get(ENV_CONTEXT)
    if outer and not args.nested:
        raise UsageError(f"this terminal is already in a kubewallet shell for context {outer!r}",
                         hint="exit that shell first, or pass --nested to start one inside it")

    from kubewallet.kubeconfig.transfer import export_context

    ws, ctx, main_rules = _find_context(args, environ)
    doc = export_context(ws, ctx.name)
    namespace = ws.contexts[ctx.name].body.get("namespace") or ""
    directory, path = _write_copy(doc)
    try:
        source = os.pathsep.join(os.path.abspath(p) for p in main_rules.precedence)
        env = dict(environ, KUBECONFIG=path, **{ENV_CONTEXT: ctx.label, ENV_NAMESPACE: namespace,
                                                 ENV_SOURCE: source})
        argv_child = command or [args.shell or _default_shell()]
        if not command and sys.stderr.isatty():
            print(f"kubewallet shell: context {ctx.label!r}{f' (namespace {namespace})' if namespace else ''}; "
                  "exit the shell to leave it", file=sys.stderr)
        return _run(argv_child, env)
    finally:
        import shutil

        shutil.rmtree(directory, ignore_errors=True)
