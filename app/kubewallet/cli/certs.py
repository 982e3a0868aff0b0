"""`kubewallet certs`: certificate expiry report, renewal requests and import.

Thin by design (see DESIGN.md): parse flags, call `kubewallet.inspect`, print.
"""

from __future__ import annotations

import argparse
import json
import sys

EPILOG = """\
exit status (for cron and CI):
  0  every certificate is valid for longer than the warning window
  1  something expires within the warning window (--warn, default 30d)
  2  something has expired, is not valid yet, cannot be read, or is broken (its key does
     not match, it has no key, it is not for client authentication)
  3  the report could not be made (no kubeconfig, unknown context)

examples:
  kubewallet certs                         # the current context's certificates
  kubewallet certs --all-contexts --warn 14d
  kubewallet certs --context prod -o json | jq '.[] | select(.status != "ok")'
  kubewallet certs renew jane > jane-csr.yaml   # new key (kept in the vault) + a CSR manifest
  kubectl apply -f jane-csr.yaml && kubectl certificate approve kubewallet-jane-...
  kubectl get csr kubewallet-jane-... -o jsonpath='{.status.certificate}' | base64 -d > jane.crt
  kubewallet certs import jane jane.crt    # checks key and identity, swaps it in
"""


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A plain, kubectl-like table (two spaces between columns, no borders)."""
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip() for row in [headers, *rows]]
    return "\n".join(lines)


def _parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     description="Certificate expiry report over the kubeconfig's "
                                                 "contexts, sorted by expiry. Subcommands: "
                                                 "'renew USER' (new key + CSR manifest) and "
                                                 "'import USER FILE' (swap the signed certificate in); "
                                                 "see 'kubewallet certs renew --help'.")
    parser.add_argument("--kubeconfig", help="the kubeconfig file (default: $KUBECONFIG, ~/.kube/config)")
    parser.add_argument("--context", help="only this context")
    parser.add_argument("--all-contexts", "-A", action="store_true",
                        help="every context (default: the current context)")
    parser.add_argument("--warn", default="30d", help="warning window, e.g. 30d, 12h, 2w (default 30d)")
    parser.add_argument("-o", "--output", choices=("table", "json", "wide"), default="table")
    parser.add_argument("--no-vault", action="store_true",
                        help="do not open the vault for users secured by kubewallet")
    return parser


def _renew_parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     description="Make a new private key (kept in the vault) and a "
                                                 "certificates.k8s.io/v1 CertificateSigningRequest "
                                                 "for the same identity (CN and O).")
    parser.add_argument("user", help="the kubeconfig user whose client certificate to renew")
    parser.add_argument("--kubeconfig")
    parser.add_argument("--key-type", choices=("ecdsa", "rsa"), default=None,
                        help="default: the same kind as the current key")
    parser.add_argument("--expiration", default="", help="spec.expirationSeconds, e.g. 90d (the "
                                                         "signer may shorten it)")
    parser.add_argument("--name", help="metadata.name of the CSR (default: kubewallet-USER-DATE)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the manifest here (default stdout)")
    return parser


def _import_parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     description="Take a signed certificate back (PEM, DER or "
                                                 "base64; '-' for stdin), check that it matches the "
                                                 "renewal key and the user's identity, swap it in.")
    parser.add_argument("user")
    parser.add_argument("file", help="the signed certificate, or '-' for stdin")
    parser.add_argument("--kubeconfig")
    parser.add_argument("--allow-identity-change", action="store_true",
                        help="accept a certificate whose CN/O differ from the current one")
    return parser


def _load(path: str | None):
    from kubewallet.kubeconfig import LoadingRules, load_workspace

    return load_workspace(LoadingRules.from_env(path))


def _report(argv: list[str], prog: str) -> int:
    from kubewallet.errors import KubewalletError
    from kubewallet.inspect import report
    from kubewallet.inspect.sources import default_vault_reader
    from kubewallet.inspect.timewords import local_time, now_utc, parse_duration

    args = _parser(prog).parse_args(argv)
    warn = parse_duration(args.warn)
    now = now_utc()
    try:
        ws = _load(args.kubeconfig)
        names = report.select_contexts(ws, args.context, args.all_contexts)
        records = report.certificate_report(ws, names, now=now, warn=warn,
                                            vault_reader=None if args.no_vault else default_vault_reader())
    except KubewalletError as exc:
        exc.exit_code = 3
        raise
    if args.output == "json":
        print(json.dumps([r.to_json(now, warn) for r in records], indent=2))
        return report.exit_status(records, now, warn)
    if not records:
        print(f"no certificates in {'context ' + names[0] if len(names) == 1 else 'these contexts'}")
        return 0
    rows = []
    for r in records:
        status = r.status(now, warn).upper()
        if r.info is None:
            rows.append([status, "-", "-", r.label, r.error, ",".join(r.contexts)])
            continue
        row = [status, r.info.expiry_words(now), local_time(r.info.not_after)[:16], r.label,
               r.info.subject + ("  [system:masters]" if r.info.masters and r.role == "client" else "")]
        if args.output == "wide":
            row += [str(r.info.key), r.info.signature_algorithm, r.info.serial[:23]]
        row.append(",".join(r.contexts))
        rows.append(row)
    headers = ["STATUS", "EXPIRY", "NOT AFTER", "CERTIFICATE", "SUBJECT"]
    if args.output == "wide":
        headers += ["KEY", "SIGNATURE", "SERIAL"]
    print(table(headers + ["CONTEXTS"], rows))
    notes = [(r, c) for r in records for c in r.checks if c.level in ("error", "warning")]
    if notes:
        print()
        for r, c in notes:
            mark = "!!" if c.level == "error" else " !"
            print(f"{mark} {r.label}: {c.text}")
    return report.exit_status(records, now, warn)


def _renew(argv: list[str], prog: str) -> int:
    from kubewallet.inspect import renewal
    from kubewallet.inspect.timewords import parse_duration

    args = _renew_parser(prog).parse_args(argv)
    ws = _load(args.kubeconfig)
    seconds = int(parse_duration(args.expiration).total_seconds()) if args.expiration else None
    result = renewal.start_renewal(ws, args.user, store=renewal.vault_store(),
                                   key_type=args.key_type, expiration_seconds=seconds,
                                   name=args.name)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(result.manifest)
        where = args.output
    else:
        sys.stdout.write(result.manifest)
        where = "stdout"
    print(f"new {result.key_type} key kept in the vault as {result.key_ref}; CSR {result.name} "
          f"for CN={result.common_name}"
          + "".join(f", O={o}" for o in result.organizations) + f" written to {where}", file=sys.stderr)
    print(f"next: kubectl apply -f FILE && kubectl certificate approve {result.name}, then\n"
          f"      kubectl get csr {result.name} -o jsonpath='{{.status.certificate}}' | base64 -d "
          f"> {args.user}.crt && kubewallet certs import {args.user} {args.user}.crt", file=sys.stderr)
    return 0


def _import(argv: list[str], prog: str) -> int:
    from kubewallet.errors import InspectError
    from kubewallet.inspect import renewal
    from kubewallet.kubeconfig import LoadingRules

    args = _import_parser(prog).parse_args(argv)
    if args.file == "-":
        data = sys.stdin.buffer.read()
    else:
        try:
            with open(args.file, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            raise InspectError(f"cannot read {args.file} ({exc.strerror})") from None
    result = renewal.import_certificate(LoadingRules.from_env(args.kubeconfig), args.user, data,
                                        store=renewal.vault_store(),
                                        allow_identity_change=args.allow_identity_change)
    print(result.summary)
    return 0


def main(argv: list[str]) -> int:
    prog = f"kubewallet {argv[0]}"
    rest = argv[1:]
    if rest[:1] == ["renew"]:
        return _renew(rest[1:], f"{prog} renew")
    if rest[:1] == ["import"]:
        return _import(rest[1:], f"{prog} import")
    return _report(rest, prog)
