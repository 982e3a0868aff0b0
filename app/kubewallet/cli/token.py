"""`kubewallet token decode`: a JWT's header, claims, times and the identity it carries.

A token is a bearer credential: read it from stdin ('-') or from the kubeconfig (--user), so it
never sits in your shell history or in `ps`. A token given as an argument is accepted (people
paste), but the examples never do it.
"""

from __future__ import annotations

import argparse
import json
import sys

EPILOG = """\
examples:
  kubectl create token deployer -n team-a | kubewallet token decode -
  kubewallet token decode --user ci-bot                # the token the kubeconfig holds for ci-bot
  kubewallet token decode - --verify https://issuer.example/keys < id_token.txt
  kubewallet token decode - --verify sa.pub -o json < token.txt
  kubewallet token decode - --username-claim email --groups-claim groups < id_token.txt

The signature is checked only with --verify (a JWKS URL, a JWKS file, or a PEM public key or
certificate); otherwise the output says "unverified". Exit status: 0 decoded, 1 the token cannot
be read or the signature is invalid, 2 usage errors.
"""


def _parser(prog: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=prog, epilog=EPILOG,
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                description="Decode a JWT (header, claims, expiry) and derive the "
                                            "identity the API server will see.")
    p.add_argument("action", choices=("decode",), help="what to do (decode)")
    p.add_argument("token", nargs="?", default=None,
                   help="'-' to read the token from stdin (preferred), or the token itself")
    p.add_argument("--user", help="decode the token of this kubeconfig user (token, tokenFile, "
                                  "auth-provider id-token, or its vault entry)")
    p.add_argument("--kubeconfig")
    p.add_argument("--verify", metavar="JWKS_URL|FILE", help="check the signature against a JWKS "
                                                             "(URL or file) or a PEM public key")
    p.add_argument("--cluster", help="use this cluster's saved OIDC claim settings")
    p.add_argument("--username-claim"), p.add_argument("--username-prefix")
    p.add_argument("--groups-claim"), p.add_argument("--groups-prefix")
    p.add_argument("--issuer-url"), p.add_argument("--client-id")
    p.add_argument("-o", "--output", choices=("text", "json"), default="text")
    return p


def rules_from_args(args, cluster: str | None):
    from kubewallet.inspect import claimrules
    from kubewallet.inspect.identity import OidcClaimRules

    base = claimrules.rules_for(cluster) if cluster else OidcClaimRules()
    mapping = base.to_mapping()
    for attr, key in (("username_claim", "usernameClaim"), ("username_prefix", "usernamePrefix"),
                      ("groups_claim", "groupsClaim"), ("groups_prefix", "groupsPrefix"),
                      ("issuer_url", "issuerURL"), ("client_id", "clientID")):
        value = getattr(args, attr, None)
        if value is not None:
            mapping[key] = value
    return OidcClaimRules.from_mapping(mapping)


def _token_of_user(args) -> tuple[str, str]:
    from kubewallet.inspect.sources import default_vault_reader, user_token
    from kubewallet.kubeconfig import LoadingRules, load_workspace

    ws = load_workspace(LoadingRules.from_env(args.kubeconfig))
    return user_token(ws, args.user, default_vault_reader())


def print_identity(who, indent: str = "") -> None:
    if who is None:
        return
    print(f"{indent}user:     {who.username or '(unknown offline)'}")
    if who.uid:
        print(f"{indent}uid:      {who.uid}")
    print(f"{indent}groups:   {', '.join(who.groups) or '-'}")
    for key, values in who.extra:
        print(f"{indent}extra:    {key}={','.join(values)}")
    if who.origins:
        print(f"{indent}from:")
        for origin in who.origins:
            print(f"{indent}  {origin.part} {origin.value}: {origin.source}")
    if who.rejected:
        print(f"{indent}REJECTED: {who.rejected}")
    for warning in who.warnings:
        print(f"{indent}warning:  {warning}")
    for note in who.notes:
        print(f"{indent}note:     {note}")


def main(argv: list[str]) -> int:
    from kubewallet.errors import InspectError, UsageError
    from kubewallet.inspect import identity, tokens
    from kubewallet.inspect.timewords import local_time, now_utc

    args = _parser(f"kubewallet {argv[0]}").parse_args(argv[1:])
    if args.user and args.token:
        raise UsageError("give either a token (or '-') or --user, not both")
    if args.user:
        text, source = _token_of_user(args)
    elif args.token == "-" or (args.token is None and not sys.stdin.isatty()):
        text, source = sys.stdin.read(), "stdin"
    elif args.token:
        text, source = args.token, "the argument"
        print("note: a token on the command line is visible in 'ps' and your shell history; "
              "pipe it in with '-' instead", file=sys.stderr)
    else:
        raise UsageError("no token: pipe it in with '-' (or use --user USER)")
    now = now_utc()
    decoded = tokens.decode(text)
    verification = tokens.verify(decoded, args.verify)
    who = identity.from_decoded(decoded, source, now=now, rules=rules_from_args(args, args.cluster))
    if args.output == "json":
        print(json.dumps({
            "header": decoded.header, "claims": decoded.claims,
            "times": {c: {"utc": w.isoformat(), "local": local_time(w), "relative": r}
                      for c, w, r in decoded.times(now)},
            "expiry": decoded.expiry_words(now), "problems": list(decoded.problems),
            "signature": {"state": verification.state, "detail": verification.detail},
            "identity": who.to_json()}, indent=2, default=str))
    else:
        print(f"signature: {verification.label}")
        print("header:")
        for key, value in decoded.header.items():
            print(f"  {key}: {json.dumps(value)}")
        print("claims:")
        for key, value in decoded.claims.items():
            print(f"  {key}: {json.dumps(value)}")
        print("times:")
        for claim, when, rel in decoded.times(now):
            print(f"  {claim}: {local_time(when)} ({rel})")
        print(f"expiry: {decoded.expiry_words(now)}")
        if decoded.issuer:
            print(f"issuer: {decoded.issuer}")
        if decoded.audience:
            print(f"audience: {', '.join(decoded.audience)}")
        for problem in decoded.problems:
            print(f"problem: {problem}")
        print(f"identity ({who.kind}):")
        print_identity(who, "  ")
    if verification.state == "invalid":
        raise InspectError(f"the signature check failed: {verification.detail}")
    return 0
