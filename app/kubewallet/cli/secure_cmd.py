"""`kubewallet secure USER...|--all` and `kubewallet unsecure USER...|--all`."""

from __future__ import annotations

import sys

SECURE_EPILOG = """\
examples:
  kubewallet secure alice                 # alice's token / key moves into the vault
  kubewallet secure --all                 # every user with an inline secret
  kubewallet secure bob --include-files   # also move bob's client-key file content (file removed)
  kubewallet secure alice --dry-run       # show the kubeconfig diff, change nothing
  kubewallet unsecure alice               # put alice's secrets back inline, as they were
  kubewallet secure eks-admin             # wrap a foreign plugin (aws eks get-token): answered from a cache
  kubewallet unsecure eks-admin           # its original exec entry back, exactly
"""


def _parser(name: str):
    import argparse

    parser = argparse.ArgumentParser(prog=f"kubewallet {name}", epilog=SECURE_EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     description=("Move users' inline secrets into the vault and serve "
                                                  "them through kubewallet's exec plugin."
                                                  if name == "secure" else
                                                  "Put secured users' secrets back inline."))
    parser.add_argument("users", nargs="*", metavar="USER")
    parser.add_argument("--all", action="store_true", help="every user that can be")
    parser.add_argument("--kubeconfig", help="the kubeconfig file (default: KUBECONFIG, ~/.kube/config)")
    if name == "secure":
        parser.add_argument("--include-files", action="store_true",
                            help="also move client-key / tokenFile file contents (the files are removed)")
        parser.add_argument("--command", default=None,
                            help="the plugin command written into the kubeconfig (default: kubewallet, "
                                 "or this installation's full path when kubewallet is not on PATH)")
        parser.add_argument("--dry-run", action="store_true", help="print the kubeconfig diff only")
    else:
        parser.add_argument("--keep-in-vault", action="store_true",
                            help="leave the secrets in the vault as well")
    return parser


def main(argv: list[str]) -> int:
    name = argv[0]
    ns = _parser(name).parse_args(argv[1:])
    from kubewallet.errors import UsageError
    from kubewallet.credentials import secure
    from kubewallet.kubeconfig import LoadingRules

    if bool(ns.users) == ns.all:
        raise UsageError(f"name one or more users, or pass --all (see 'kubewallet {name} --help')")
    from kubewallet.execplugin import wrapping
    from kubewallet.kubeconfig import load_workspace

    rules = LoadingRules.from_env(ns.kubeconfig)
    users = None if ns.all else ns.users
    ws = load_workspace(rules)
    if name == "unsecure":
        unwrap, rest = wrapping.split_unsecure(ws, users)
        for user in wrapping.unwrap(rules, unwrap) if unwrap else []:
            print(f"user {user}: its original exec plugin restored")
        done = secure.unsecure(rules, rest, keep_in_vault=ns.keep_in_vault) if rest != [] else []
        for user in done:
            print(f"user {user}: secrets restored inline")
        if not done and not unwrap:
            print("no secured users")
        return 0
    if ns.command is None:
        ns.command = _plugin_command()
    wrap, users, offered = wrapping.split_secure(ws, users)
    if ns.dry_run:
        for diff in wrapping.preview(rules, wrap, ns.command).values() if wrap else []:
            sys.stdout.write(diff)
        return _dry_run(rules, users, ns) if users != [] else 0
    for user, original in wrapping.wrap(rules, wrap, command=ns.command) if wrap else []:
        print(f"user {user}: its exec plugin ({original}) is wrapped: kubewallet runs it and keeps "
              "its answer until shortly before it expires ('kubewallet unsecure "
              f"{user}' restores it)")
    for user in offered:
        print(f"user {user} runs the exec plugin {ws.users[user].body['exec'].get('command')}: "
              f"'kubewallet secure {user}' wraps it, so kubectl calls answer from a cache",
              file=sys.stderr)
    if users == []:
        return 0
    results = secure.secure(rules, users, include_files=ns.include_files, command=ns.command)
    for r in results:
        print(f"user {r.user}: moved {', '.join(r.moved)} into the vault ({r.ref}); "
              f"{r.file} now runs '{ns.command} credential get'")
        for path in r.removed_files:
            print(f"  removed {path} (its content is in the vault)")
    if not results:
        print("no user with an inline secret", file=sys.stderr)
    return 0


def _plugin_command() -> str:
    """`kubewallet` when kubectl will find it on PATH, else this installation's entry point (a
    kubeconfig that names a command kubectl cannot find fails with only the installHint)."""
    import os
    import shutil

    if shutil.which("kubewallet"):
        return "kubewallet"
    here = os.path.join(os.path.dirname(sys.executable), "kubewallet")
    if os.access(here, os.X_OK):
        print(f"note: kubewallet is not on PATH; the kubeconfig will run {here}", file=sys.stderr)
        return here
    return "kubewallet"


def _dry_run(rules, users, ns) -> int:
    from kubewallet.credentials import secure
    from kubewallet.credentials.fields import redact_diff
    from kubewallet.kubeconfig import load_workspace

    ws = load_workspace(rules)
    names = users if users is not None else [n for n, e in ws.users.items() if secure.securable(e.body)]
    for n in names:
        p = secure.plan(ws, n, include_files=ns.include_files, command=ns.command)
        ws.set_entry("users", n, p.new_body)
    for diff in ws.pending_diff().values():
        sys.stdout.write(redact_diff(diff))
    return 0
