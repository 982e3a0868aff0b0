"""The `kubewallet` command: a dispatcher that imports one subcommand module and nothing else.

Why not one big argparse tree: building it would import every subcommand (YAML, HTTP, Qt),
and `kubewallet credential get` runs on every kubectl call. Each subcommand module exposes
`main(argv: list[str]) -> int` and builds its own parser (with `prog="kubewallet NAME"`).
The table below is the whole public surface; `--help` is printed from it.
"""

from __future__ import annotations

import os
import sys

# name -> (module under kubewallet.cli, one line for --help)
COMMANDS: dict[str, tuple[str, str]] = {
    "config": ("config_cmd", "kubectl-compatible kubeconfig commands (view, use-context, set-context, ...)"),
    "use": ("switch", "switch context (no argument: pick one; '-' goes back to the previous one)"),
    "ns": ("switch", "set the current context's namespace"),
    "import": ("transfer", "merge other kubeconfig files in, reporting conflicting names"),
    "export": ("transfer", "write a self-contained kubeconfig for one context"),
    "restore": ("restore", "list and restore the automatic kubeconfig backups"),
    "vault": ("vault_cmd", "the secret store: status, list, rm, init"),
    "secure": ("secure_cmd", "move a user's inline secrets into the vault"),
    "unsecure": ("secure_cmd", "put a secured user's secrets back inline"),
    "credential": ("credential", "the exec credential plugin kubectl runs (credential get ...)"),
    "agent": ("agent_cmd", "the in-memory credential agent (start, stop, status, lock)"),
    "oidc-login": ("oidc_login", "OpenID Connect login as a kubelogin-compatible plugin"),
    "certs": ("certs", "certificate expiry report, renewal requests and import"),
    "token": ("token", "decode a JWT and the identity it carries"),
    "whoami": ("whoami", "who the API server will think you are, offline"),
    "check": ("check", "which contexts still work: connect, TLS, authenticate, ask the server who you are"),
    "lint": ("lint", "security lint of the kubeconfig"),
    "can-i": ("can_i", "offline 'kubectl auth can-i' over RBAC manifests"),
    "who-can": ("can_i", "every subject allowed to do something, and through what"),
    "access-matrix": ("can_i", "resources x verbs grid for a subject"),
    "rbac": ("can_i", "RBAC analysis (rbac risks)"),
    "completion": ("completion", "shell completion script for bash, zsh or fish"),
    "shell": ("shell", "a subshell pinned to one context"),
    "man": ("manpage", "print the kubewallet(1) manual page (roff): kubewallet man | man -l -"),
    "gui": ("gui_cmd", "open the desktop application"),
}


def _usage() -> str:
    from kubewallet import __version__

    width = max(map(len, COMMANDS))
    lines = [
        f"kubewallet {__version__}: kubeconfig files and the credentials they carry",
        "",
        "usage: kubewallet [--debug] COMMAND [ARGS...]",
        "       kubewallet [--demo]          open the desktop application",
        "",
        "commands:",
    ]
    lines += [f"  {name:<{width}}  {text}" for name, (_, text) in COMMANDS.items()]
    lines += ["", "Run 'kubewallet COMMAND --help' for a command's options and examples."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Entry point of `kubewallet` and `kubectl-wallet`; returns the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = os.environ.get("KUBEWALLET_DEBUG") == "1"
    while args and args[0] == "--debug":
        debug = True
        args.pop(0)

    if not args or args[0] in ("--demo",) or (args[0].startswith("-") and args[0] not in
                                              ("-h", "--help", "--version", "-V")):
        args = ["gui", *args]
    head = args[0]
    if head in ("-h", "--help", "help"):
        print(_usage())
        return 0
    if head in ("--version", "-V", "version"):
        from kubewallet import __version__

        print(f"kubewallet {__version__}")
        return 0
    entry = COMMANDS.get(head)
    if entry is None:
        print(f"error: unknown command {head!r}; see 'kubewallet --help'", file=sys.stderr)
        return 2

    from importlib import import_module

    from kubewallet.errors import KubewalletError

    try:
        module = import_module(f"kubewallet.cli.{entry[0]}")
        return int(module.main(args) or 0)
    except KubewalletError as exc:
        if debug:
            import traceback

            traceback.print_exc()
        print(f"error: {exc.one_line()}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `kubewallet config view | head`: the reader went away; not an error worth a traceback.
        try:
            sys.stdout = None  # type: ignore[assignment]
        finally:
            return 0


if __name__ == "__main__":
    raise SystemExit(main())
