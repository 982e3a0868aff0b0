"""`kubewallet whoami`: the offline `kubectl auth whoami` — the user name, uid, groups and extra
the API server will derive from the context's credential, and where each comes from."""

from __future__ import annotations

import argparse
import json

EPILOG = """\
examples:
  kubewallet whoami                      # the current context
  kubewallet whoami --context prod -o json
  kubewallet whoami --context dev --username-claim email --groups-claim groups

OIDC clusters map claims with the API server's --oidc-* flags; kubewallet assumes the server's
defaults (username claim 'sub' prefixed with 'ISSUER#', no groups) unless told otherwise with the
flags here or the settings saved per cluster in the GUI (~/.config/kubewallet/oidc-claims.json).
Exit status: 0 an identity was derived, 1 it could not be (or the server would reject it).
"""


def main(argv: list[str]) -> int:
    from kubewallet.cli.token import print_identity, rules_from_args
    from kubewallet.inspect.sources import default_vault_reader
    from kubewallet.inspect.timewords import local_time, now_utc
    from kubewallet.inspect.whoami import whoami
    from kubewallet.kubeconfig import LoadingRules, load_workspace

    p = argparse.ArgumentParser(prog=f"kubewallet {argv[0]}", epilog=EPILOG,
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                description="Who the API server will think you are, offline.")
    p.add_argument("--context")
    p.add_argument("--kubeconfig")
    p.add_argument("--username-claim"), p.add_argument("--username-prefix")
    p.add_argument("--groups-claim"), p.add_argument("--groups-prefix")
    p.add_argument("--issuer-url"), p.add_argument("--client-id")
    p.add_argument("--no-vault", action="store_true", help="do not open the vault")
    p.add_argument("-o", "--output", choices=("text", "json"), default="text")
    args = p.parse_args(argv[1:])
    ws = load_workspace(LoadingRules.from_env(args.kubeconfig))
    result = whoami(ws, args.context, now=now_utc(), rules_for=lambda c: rules_from_args(args, c),
                    vault_reader=None if args.no_vault else default_vault_reader())
    who = result.identity
    if args.output == "json":
        print(json.dumps(result.to_json(), indent=2))
    else:
        print(f"context:    {result.context}")
        print(f"cluster:    {result.cluster or '-'}")
        print(f"user entry: {result.user or '-'}")
        print(f"credential: {result.credential}")
        if who is not None:
            if who.impersonated_by is not None:
                print("impersonating as:")
            print_identity(who, "  ")
            if who.expires_at:
                print(f"  expires:  {local_time(who.expires_at)} "
                      f"({'expired' if who.expires_at <= now_utc() else 'valid'})")
            if who.impersonated_by is not None:
                print("real identity (needs permission to impersonate):")
                print_identity(who.impersonated_by, "  ")
        for problem in result.problems:
            print(f"problem:    {problem}")
    return 0 if who is not None and who.username and not who.rejected else 1
