"""`kubewallet gui` (also plain `kubewallet` and `kubewallet --demo`): open the desktop window.

Qt is imported only here, inside `main`, so no other command pays for it.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

EPILOG = """examples:
  kubewallet                        open the window on $KUBECONFIG (or ~/.kube/config)
  kubewallet --demo                 open it on a generated demo workspace (nothing of yours is touched)
  kubewallet gui --kubeconfig FILE  open it on one file
  kubewallet gui --page users       start on a given page
"""


def use_demo(directory: Path) -> None:
    """Build the demo workspace (`kubewallet.demo`) in `directory` and point this process at it:
    its KUBECONFIG files and its own vault file, so nothing of the person's is read or touched."""
    from kubewallet.demo import build

    os.environ.update(build(directory).env)


def main(argv: list[str]) -> int:
    start = time.perf_counter()
    parser = argparse.ArgumentParser(prog=f"kubewallet {argv[0]}", description="Open the desktop application.",
                                     epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--demo", action="store_true", help="open a generated demo workspace in a temp folder")
    parser.add_argument("--kubeconfig", metavar="FILE", help="use this file only (as kubectl --kubeconfig)")
    parser.add_argument("--page", metavar="NAME", help="the page to start on (contexts, clusters, users, ...)")
    parser.add_argument("--report-startup", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv[1:])

    if sys.platform.startswith("linux") and not any(
            os.environ.get(v) for v in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")):
        # without this, Qt aborts the process ("could not connect to display") with a core dump
        from kubewallet.errors import UsageError

        raise UsageError("no display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset)",
                         hint="run it in a desktop session, or see 'kubewallet --help' for the commands")

    from kubewallet.kubeconfig import LoadingRules

    if args.demo:
        from kubewallet.credentials.copies import DEMO, private_dir

        use_demo(Path(private_dir(DEMO, runtime=False)))  # killed demos' folders removed first
        rules = LoadingRules.from_env()
    else:
        rules = LoadingRules.from_env(args.kubeconfig)

    from kubewallet.gui.app import run

    return run(rules, page=args.page, report_timings=start if args.report_startup else None)
