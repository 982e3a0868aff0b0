"""`kubewallet restore`: list the automatic kubeconfig backups and put one back.

Every write kubewallet makes keeps the replaced content (see `kubeconfig/saving.py`: the last
10 per file, user-only). Restoring goes through the same safe write, so the content it replaces
is itself backed up and a restore can be undone with another restore.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone

from kubewallet.errors import KubeconfigError, UsageError, VaultError

EPILOG = """examples:
  kubewallet restore                          list every backup, newest first
  kubewallet restore ~/.kube/config           list the backups of one file
  kubewallet restore ~/.kube/config --latest  put the newest backup back
  kubewallet restore ~/.kube/config --pick 3  put backup 3 of the listing back
  kubewallet restore --pick 2 --diff          show what restoring backup 2 would change
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):
        raise UsageError(message, hint=f"see '{self.prog} --help'")


def _size(n: int) -> str:
    for unit in ("B", "KiB", "MiB"):
        if n < 1024 or unit == "MiB":
            return f"{n} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)  # pragma: no cover


def _ago(taken: datetime) -> str:
    seconds = max(0, int((datetime.now(timezone.utc) - taken).total_seconds()))
    for size, word in ((86400, "d"), (3600, "h"), (60, "min")):
        if seconds >= size:
            return f"{seconds // size} {word} ago"
    return f"{seconds} s ago"


def _contexts(backup) -> str:
    """How many contexts a backup holds ('invalid' when it no longer parses; 'sealed' when it is
    sealed and the vault cannot open it now)."""
    import yaml

    from kubewallet.errors import KubewalletError
    from kubewallet.kubeconfig.saving import read_backup

    try:
        data = yaml.load(read_backup(backup), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except VaultError:
        return "sealed"
    except (KubewalletError, yaml.YAMLError):
        return "invalid"
    if data is None:
        return "0"
    if not isinstance(data, dict) or not isinstance(data.get("contexts") or [], list):
        return "invalid"
    return str(len(data.get("contexts") or []))


def _numbered(backups):
    """(number within its file, backup): the number `--pick` takes, 1 = newest."""
    seen: dict = {}
    out = []
    for b in backups:
        seen[b.origin] = seen.get(b.origin, 0) + 1
        out.append((seen[b.origin], b))
    return out


def _print_list(backups, file: str | None) -> None:
    from kubewallet.kubeconfig.view import table

    if not backups:
        print("no backups yet: kubewallet keeps one each time it changes a kubeconfig")
        return
    rows = [["#", "TAKEN (UTC)", "AGE", "SIZE", "CONTEXTS", "FILE"]]
    for number, b in _numbered(backups):
        rows.append([str(number), b.taken.strftime("%Y-%m-%d %H:%M:%S"), _ago(b.taken),
                     _size(b.size), _contexts(b), str(b.origin)])
    sys.stdout.write(table(rows))
    print(f"\nrestore one with: kubewallet restore {file or 'FILE'} --pick N  (or --latest); "
          f"what it replaces is backed up too")


def _diff(before: bytes, after: bytes, name: str) -> str:
    """The unified diff, secret values redacted (the one redaction, as `secure --dry-run`)."""
    import difflib

    from kubewallet.credentials.fields import redact_diff

    return redact_diff("".join(difflib.unified_diff(before.decode(errors="replace").splitlines(keepends=True),
                                        after.decode(errors="replace").splitlines(keepends=True),
                                        f"{name} (now)", f"{name} (restored)")))


def main(argv: list[str]) -> int:
    parser = _Parser(prog=f"kubewallet {argv[0]}", epilog=EPILOG,
                     formatter_class=argparse.RawDescriptionHelpFormatter,
                     description="List the automatic kubeconfig backups (newest first) and "
                                 "restore one.")
    parser.add_argument("file", nargs="?", help="the kubeconfig (default with --pick/--latest: "
                        "--kubeconfig, else the file kubectl would write)")
    parser.add_argument("--kubeconfig", help="the kubeconfig, as with kubectl")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--latest", action="store_true", help="restore the newest backup")
    which.add_argument("--pick", type=int, metavar="N", help="restore backup N of the listing")
    parser.add_argument("--diff", action="store_true",
                        help="with --pick/--latest: only show what would change")
    args = parser.parse_args(argv[1:])

    from kubewallet.kubeconfig.saving import list_backups, read_backup, real_target, restore_backup

    if args.file and args.kubeconfig and args.file != args.kubeconfig:
        raise UsageError("give the file once: as FILE or as --kubeconfig")
    file = args.file or args.kubeconfig
    restoring = args.latest or args.pick is not None
    if args.diff and not restoring:
        raise UsageError("--diff needs --pick N or --latest")
    if not restoring:
        _print_list(list_backups(file) if file else list_backups(), file)
        return 0

    if not file:
        from kubewallet.kubeconfig import LoadingRules

        file = LoadingRules.from_env().default_filename()
    backups = list_backups(file)
    if not backups:
        raise KubeconfigError(f"there are no backups of {real_target(file)}",
                              hint="kubewallet keeps one each time it changes the file; "
                                   "list them all with 'kubewallet restore'")
    number = 1 if args.latest else args.pick
    if not 1 <= number <= len(backups):
        raise UsageError(f"there is no backup {number} of {real_target(file)}: "
                         f"pick 1 to {len(backups)}", hint=f"list them: kubewallet restore {file}")
    chosen = backups[number - 1]
    if args.diff:
        try:
            now = real_target(file).read_bytes()
        except FileNotFoundError:
            now = b""
        sys.stdout.write(_diff(now, read_backup(chosen), str(file)) or "no difference\n")
        return 0
    written = restore_backup(chosen, file)
    print(f"Restored {written} from the backup taken {chosen.taken:%Y-%m-%d %H:%M:%S} UTC "
          f"({_contexts(chosen)} contexts); the content it replaced was backed up.")
    return 0
