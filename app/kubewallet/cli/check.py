"""`kubewallet check`: which contexts still work — connect, TLS, authenticate, and ask the server
who we are, side by side; `--prune` offers to drop the ones that cannot be reached."""

from __future__ import annotations

import argparse
import json
import sys

from kubewallet.errors import KubewalletError, UsageError

EPILOG = """\
examples:
  kubewallet check                         # the current context
  kubewallet check --all-contexts          # every context, side by side
  kubewallet check dev prod -o json --timeout 3
  kubewallet check --all-contexts --prune  # then offer to remove the unreachable ones

Stages, in order (the first that fails is reported): connect (DNS and TCP, through proxy-url),
tls (the cluster's CA or the system's, tls-server-name), auth (the credential kubectl would
send, exec plugins included, then a SelfSubjectReview; GET /version on older servers), ok.
No credential is ever sent to a server whose certificate failed verification, and no login is
started: a context that needs one says "needs a login" (--interactive lets plugins ask).
--prune removes contexts that failed at connect or tls (unreachable, or a server the kubeconfig
does not trust; never a mistake in the entry itself), and the clusters and users only they used, after showing the diff and asking; the previous file is kept as a backup
('kubewallet restore' lists them).

exit status: 0 every checked context works, 1 one or more do not, 3 usage error
"""


class _Parser(argparse.ArgumentParser):
    """Usage mistakes exit 3, so they never read as "a context failed" (1)."""

    def error(self, message: str):
        exc = UsageError(message, hint=f"see '{self.prog} --help'")
        exc.exit_code = 3
        raise exc


def _parser(prog: str) -> argparse.ArgumentParser:
    p = _Parser(prog=prog, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
                description="Check that contexts still work: connect, TLS, authenticate, and ask the "
                            "server who you are.")
    p.add_argument("contexts", nargs="*", metavar="CONTEXT", help="contexts to check (default: the current one)")
    p.add_argument("-A", "--all-contexts", action="store_true", help="check every context")
    p.add_argument("-o", "--output", choices=("table", "json"), default="table")
    p.add_argument("--timeout", type=float, default=5.0, metavar="SECONDS",
                   help="time allowed per context, exec plugin included (default 5)")
    p.add_argument("--interactive", action="store_true",
                   help="let exec plugins ask for a login at this terminal, one at a time (never by "
                        "default; give them a --timeout long enough to answer)")
    p.add_argument("--prune", action="store_true",
                   help="offer to remove contexts that failed at connect or tls (asks first)")
    p.add_argument("--no-vault", action="store_true",
                   help="do not open the vault for the offline identity comparison")
    p.add_argument("--kubeconfig")
    return p


def _print_table(results) -> None:
    rows = [(r.context, r.status_word, r.stage, f"{r.seconds:.2f}s", r.server_version or "-", r.message)
            for r in results]
    head = ("CONTEXT", "RESULT", "STAGE", "TIME", "VERSION", "MESSAGE")
    widths = [max(len(row[i]) for row in [head, *rows]) for i in range(5)]
    for row in [head, *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[5])
    for r in results:
        notes = [f"! {d}" for d in r.differences] + [f"warning: {w}" for w in r.warnings]
        if r.ok and r.groups:
            notes.insert(0, f"groups: {', '.join(r.groups)}")
        for note in notes:
            print(f"  {r.context}: {note}")


def _prune(rules, results, out) -> None:
    from kubewallet.execplugin.secure import redact_diff
    from kubewallet.kubeconfig import load_workspace, run_edit
    from kubewallet.kubeconfig.saving import list_backups
    from kubewallet.probe.prune import candidates, prune_edit

    names = candidates(results)
    if not names:
        print("nothing to prune: no context failed at connect or tls", file=out)
        return
    preview_ws = load_workspace(rules)
    plan = prune_edit(names)(preview_ws)
    print("\n--prune would remove:", file=out)
    for line in plan.lines():
        print(f"  {line}", file=out)
    for diff in preview_ws.pending_diff().values():
        out.write(redact_diff(diff))
    if plan.current_removed:
        print("warning: this removes your current context; pick another with 'kubewallet use'", file=out)
    print("Remove these entries? [y/N] ", end="", file=out, flush=True)
    answer = sys.stdin.readline().strip().lower() if sys.stdin else ""
    if answer not in ("y", "yes"):
        print("\nnothing removed", file=out)
        return
    done = run_edit(rules, prune_edit(plan.contexts))
    print(f"removed {len(done.contexts)} context(s), {len(done.clusters)} cluster(s), "
          f"{len(done.users)} user(s)", file=out)
    for path in dict.fromkeys(f.path for f in preview_ws.files if f.dirty):
        backups = list_backups(path)
        if backups:
            print(f"backup of {path}: {backups[0].path} ('kubewallet restore' puts it back)", file=out)


def main(argv: list[str]) -> int:
    args = _parser(f"kubewallet {argv[0]}").parse_args(argv[1:])
    if args.timeout <= 0:
        _parser(f"kubewallet {argv[0]}").error("--timeout must be more than 0 seconds")
    from kubewallet import __version__
    from kubewallet.inspect.report import select_contexts
    from kubewallet.inspect.sources import default_vault_reader
    from kubewallet.kubeconfig import LoadingRules, load_workspace
    from kubewallet.probe.check import CheckOptions, check_contexts

    rules = LoadingRules.from_env(args.kubeconfig)
    try:
        ws = load_workspace(rules)
        names = select_contexts(ws, args.contexts, args.all_contexts)
    except KubewalletError as exc:
        exc.exit_code = 3
        raise
    if not names:
        _parser(f"kubewallet {argv[0]}").error("the kubeconfig has no contexts to check")
    options = CheckOptions(timeout=args.timeout, interactive=args.interactive,
                           vault_reader=None if args.no_vault else default_vault_reader(),
                           user_agent=f"kubewallet/{__version__} (check)")
    results = check_contexts(ws, names, options)
    if args.output == "json":
        print(json.dumps([r.to_json() for r in results], indent=2))
    else:
        _print_table(results)
    if args.prune:
        _prune(rules, results, sys.stderr if args.output == "json" else sys.stdout)
    return 0 if all(r.ok for r in results) else 1
