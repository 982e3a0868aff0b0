"""`kubewallet import FILE...` and `kubewallet export CONTEXT -o FILE`."""

from __future__ import annotations

import argparse
import os
import sys

from kubewallet.errors import KubeconfigError, UsageError

IMPORT_EPILOG = """examples:
  kubewallet import ~/Downloads/new-cluster.yaml
  kubewallet import team.yaml --rename            conflicting names get the suffix -team
  kubewallet import a.yaml --rename=-old          ... or the suffix you give
  kubewallet import a.yaml --overwrite            replace entries with the same name
  kubewallet import a.yaml --dry-run              say what would happen, write nothing"""

EXPORT_EPILOG = """examples:
  kubewallet export prod-eu -o prod-eu.kubeconfig   one self-contained file (secrets included, mode 0600)
  kubewallet export prod-eu -o -                    to stdout"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):
        raise UsageError(message, hint=f"see '{self.prog} --help'")


def import_main(argv: list[str]) -> int:
    from kubewallet.kubeconfig import LoadingRules, load_workspace, run_edit
    from kubewallet.kubeconfig.transfer import import_files

    p = _Parser(prog="kubewallet import", description="Merge other kubeconfig files into yours.",
                epilog=IMPORT_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("files", nargs="+")
    p.add_argument("--rename", nargs="?", const="", default=None, metavar="SUFFIX",
                   help="rename conflicting entries (default suffix: -<file name>)")
    p.add_argument("--overwrite", action="store_true", help="replace entries whose name is taken")
    p.add_argument("--dry-run", action="store_true")
    p.add_argument("--kubeconfig")
    args = p.parse_args(argv[1:])
    if args.rename is not None and args.overwrite:
        raise UsageError("choose one of --rename and --overwrite")
    policy = "rename" if args.rename is not None else "overwrite" if args.overwrite else "fail"
    rules = LoadingRules.from_env(args.kubeconfig)

    def edit(ws):
        return import_files(ws, args.files, on_conflict=policy, suffix=args.rename or None), ws

    if args.dry_run:
        report, ws = edit(load_workspace(rules))
    else:
        report, ws = run_edit(rules, edit)
    for line in report.lines():
        print(line)
    if report.added or report.renamed or report.overwritten:
        verb = "would write" if args.dry_run else "wrote"
        print(f"{verb} {rules.default_filename()}")
    else:
        print("nothing to import: every entry is already present")
    return 0


def export_main(argv: list[str]) -> int:
    from kubewallet.kubeconfig import LoadingRules, load_workspace
    from kubewallet.kubeconfig.saving import atomic_write, real_target
    from kubewallet.kubeconfig.transfer import export_context
    from kubewallet.kubeconfig.yamlio import dump_yaml

    p = _Parser(prog="kubewallet export", description="Write a self-contained kubeconfig for one context.",
                epilog=EXPORT_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("context")
    p.add_argument("-o", "--output", required=True, help="file to write, or - for stdout")
    p.add_argument("--force", action="store_true", help="replace the output file if it exists")
    p.add_argument("--kubeconfig")
    args = p.parse_args(argv[1:])
    ws = load_workspace(LoadingRules.from_env(args.kubeconfig))
    text = dump_yaml(export_context(ws, args.context))
    if args.output == "-":
        sys.stdout.write(text)
        return 0
    target = real_target(args.output)
    if os.path.exists(target) and not args.force:
        raise KubeconfigError(f"{args.output} exists", hint="use --force to replace it")
    expected = target.read_bytes() if target.exists() else None
    atomic_write(target, text.encode(), expected=expected, mode=0o600)
    print(f'wrote context "{args.context}" to {args.output} (self-contained; it holds secrets, mode 0600)')
    return 0


def main(argv: list[str]) -> int:
    return export_main(argv) if argv[0] == "export" else import_main(argv)
