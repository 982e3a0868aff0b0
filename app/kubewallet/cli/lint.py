"""`kubewallet lint`: a security lint of the kubeconfig, with a fix for each finding."""

from __future__ import annotations

import argparse
import json

EPILOG = """\
exit status (for CI):
  0  no findings (or only info)
  1  warnings only (plaintext secrets, group-readable file, expiring certificates, ...)
  2  at least one error (expired certificate, insecure-skip-tls-verify, removed auth-provider,
     dangling reference, exec command not found, ...)
  3  the kubeconfig could not be read

examples:
  kubewallet lint
  kubewallet lint --kubeconfig ci/kubeconfig -o json
  kubewallet lint --time-exec    # also time each exec plugin once; suggest wrapping slow ones
  KUBECONFIG=a.yaml:b.yaml kubewallet lint --warn 14d || echo "fix the kubeconfig"
"""


def main(argv: list[str]) -> int:
    from kubewallet.cli.certs import table
    from kubewallet.errors import KubewalletError
    from kubewallet.inspect import lint
    from kubewallet.inspect.sources import default_vault_reader
    from kubewallet.inspect.timewords import now_utc, parse_duration
    from kubewallet.kubeconfig import LoadingRules, load_workspace

    p = argparse.ArgumentParser(prog=f"kubewallet {argv[0]}", epilog=EPILOG,
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                description="Security lint of the kubeconfig (every file of the merge).")
    p.add_argument("--kubeconfig")
    p.add_argument("--warn", default="30d", help="expiry warning window (default 30d)")
    p.add_argument("--no-vault", action="store_true",
                   help="do not open the vault to check certificates of secured users")
    p.add_argument("--time-exec", action="store_true",
                   help="run each foreign exec plugin once and suggest wrapping the slow ones")
    p.add_argument("-o", "--output", choices=("table", "json"), default="table")
    args = p.parse_args(argv[1:])
    warn = parse_duration(args.warn)
    try:
        ws = load_workspace(LoadingRules.from_env(args.kubeconfig))
    except KubewalletError as exc:
        exc.exit_code = 3
        raise
    findings = lint.lint(ws, now=now_utc(), warn=warn,
                         vault_reader=None if args.no_vault else default_vault_reader(),
                         time_exec=args.time_exec)
    if args.output == "json":
        print(json.dumps([f.to_json() for f in findings], indent=2))
    elif not findings:
        print("no findings")
    else:
        print(table(["SEVERITY", "CODE", "SUBJECT", "FINDING"],
                    [[f.severity.upper(), f.code, f.subject, f.message] for f in findings]))
        fixes = [f for f in findings if f.fix]
        if fixes:
            print("\nfixes:")
            for f in fixes:
                print(f"  {f.subject}: {f.fix}")
    return lint.exit_status(findings)
