"""`kubewallet can-i`, `who-can`, `access-matrix` and `rbac risks`: offline RBAC questions.

`can-i` takes `kubectl auth can-i`'s arguments and answers like it: `yes` (exit 0) or `no`
(exit 1) on stdout, `no - RBAC: ...` when a binding on the way referred to a missing role (the
reason the API server returns), warnings on stderr as `Warning: ...`, `-q` for silence, and
`--list` in kubectl's columns. Errors exit 3 (`RbacError`), never 0 or 1.

Kept light: argparse, json and the rbac core; PyYAML only when a manifest is YAML.
"""

from __future__ import annotations

import argparse
import os
import sys

from kubewallet.errors import RbacError

TYPE_CHECKING = False  # typing itself is not imported: can-i is a short process
if TYPE_CHECKING:
    from typing import NoReturn

CAN_I_EXAMPLES = """\
examples:
  # May alice list pods in namespace dev, given the manifests in ./rbac?
  kubewallet can-i list pods -n dev --as alice --rbac ./rbac

  # A ServiceAccount, a named object, a subresource, a non-resource URL
  kubewallet can-i get secrets/db-password -n prod --as system:serviceaccount:prod:api --rbac dump.yaml
  kubewallet can-i get pods --subresource log -n dev --as bob --as-group devs --rbac rbac/
  kubewallet can-i get /healthz --as carol --rbac rbac/ --with-defaults

  # Why (not)? The binding, role and rule; or the nearest misses
  kubewallet can-i delete deployments.apps -n dev --as alice --rbac rbac/ --explain

  # Everything alice may do in dev, as kubectl auth can-i --list prints it
  kubewallet can-i --list -n dev --as alice --rbac rbac/

exit status: 0 yes, 1 no, 3 error
"""


class _Parser(argparse.ArgumentParser):
    """argparse, but usage mistakes are RbacErrors (exit 3) so they never read as yes/no."""

    def error(self, message: str) -> NoReturn:
        raise RbacError(message, hint=f"see '{self.prog} --help'")


def _formatter(prog: str) -> argparse.HelpFormatter:
    """argparse's formatter sizes itself with shutil, which imports bz2 and lzma: ask os directly."""
    try:
        width = int(os.environ.get("COLUMNS", "")) or os.get_terminal_size().columns
    except (ValueError, OSError):
        width = 80
    return argparse.RawDescriptionHelpFormatter(prog, width=max(width - 2, 40))


def _common(p: argparse.ArgumentParser, *, identity: bool = True) -> None:
    p.add_argument("--rbac", action="append", default=[], metavar="PATH",
                   help="RBAC manifests: a file (YAML, JSON, List, kubectl get -o yaml dump) or a directory; repeatable")
    p.add_argument("--with-defaults", action="store_true",
                   help="add the ClusterRoles and bindings every cluster has (cluster-admin, admin, edit, view, system:*)")
    if identity:
        p.add_argument("--as", dest="as_user", metavar="USER", help="the user to ask for (kubectl's --as)")
        p.add_argument("--as-group", action="append", default=[], metavar="GROUP",
                       help="a group of that user; repeatable (kubectl's --as-group)")
        p.add_argument("--as-uid", default="", metavar="UID", help="the UID to impersonate (kubectl's --as-uid)")
        p.add_argument("--context", metavar="NAME",
                       help="take the user and groups from this kubeconfig context's credential")
        p.add_argument("--kubeconfig", metavar="PATH", help="kubeconfig file for --context")


def _scope(p: argparse.ArgumentParser) -> None:
    p.add_argument("-n", "--namespace", default="", help="the namespace (none: a cluster-scoped question)")
    p.add_argument("-A", "--all-namespaces", action="store_true", help="in all namespaces (namespace \"\")")


def _warn(text: str) -> None:
    print(f"Warning: {text}", file=sys.stderr)


def _load(args: argparse.Namespace, *, quiet: bool = False):
    from kubewallet.rbac.authorizer import Authorizer
    from kubewallet.rbac.loading import load_paths
    from kubewallet.rbac.model import Policy

    if not args.rbac and not args.with_defaults:
        raise RbacError("no RBAC manifests to read",
                        hint="pass --rbac PATH (files or directories) and/or --with-defaults")
    policy, report = load_paths(args.rbac) if args.rbac else (Policy(), None)
    if args.with_defaults:
        from kubewallet.rbac.defaults import with_defaults

        policy = with_defaults(policy)
    if report is not None and report.ignored and not quiet:
        other = ", ".join(f"{n} {k}" for k, n in sorted(report.ignored.items()))
        print(f"note: ignored {report.ignored_total} object(s) that are not RBAC ({other})", file=sys.stderr)
    return Authorizer(policy), report


def _identity(args: argparse.Namespace):
    """--as/--as-group/--as-uid: the API server's impersonation rules; else the context's own identity."""
    if args.as_user or args.as_group or args.as_uid:
        from kubewallet.rbac.impersonation import impersonate

        return impersonate(args.as_user or "", args.as_group, args.as_uid)
    from kubewallet.rbac.kubeidentity import identity_from_context

    return identity_from_context(args.context, args.kubeconfig)


def _request_from(verb: str, target: str, subresource: str, namespace: str, *, quiet: bool):
    from kubewallet.rbac.question import parse_question

    question = parse_question(verb, target, subresource, namespace)
    if not quiet:
        for warning in question.warnings:
            _warn(warning)
    return question.request


def can_i(argv: list[str]) -> int:
    p = _Parser(prog="kubewallet can-i", formatter_class=_formatter,
                description="Check whether an action is allowed, offline, from RBAC manifests "
                            "(kubectl auth can-i's arguments and answers).",
                epilog=CAN_I_EXAMPLES)
    p.add_argument("args", nargs="*", metavar="VERB (TYPE | TYPE/NAME | NONRESOURCEURL)")
    p.add_argument("--subresource", default="", help="a subresource such as log or scale")
    _scope(p)
    p.add_argument("-q", "--quiet", action="store_true", help="no output, only the exit status")
    p.add_argument("--list", action="store_true", help="print every allowed action (kubectl's columns)")
    p.add_argument("--no-headers", action="store_true", help="with --list: no header line")
    p.add_argument("--explain", action="store_true", help="say which binding, role and rule decided, or what came close")
    _common(p)
    args = p.parse_intermixed_args(argv)
    namespace = "" if args.all_namespaces else args.namespace

    if args.list:
        if args.args:
            raise RbacError("list option must be specified with no arguments")
        if args.quiet or args.all_namespaces or args.subresource:
            raise RbacError("list option can't be specified with neither quiet, all-namespaces nor subresource options")
        from kubewallet.rbac.listing import render_list, review_rules

        identity = _identity(args)
        authz, _ = _load(args)
        errors = authz.resolution_errors(identity, namespace)
        sys.stdout.write(render_list(review_rules(authz, identity, namespace), headers=not args.no_headers))
        if errors:
            from kubewallet.rbac.authorizer import aggregate_errors

            _warn(f"the list may be incomplete: {aggregate_errors(errors)}")
        return 0
    if args.no_headers:
        raise RbacError("--no-headers cannot be set without --list specified")
    if len(args.args) != 2:
        raise RbacError("you must specify two arguments: verb resource or verb resource/resourceName.",
                        hint="see 'kubewallet can-i --help' for help and examples")
    verb, target = args.args
    req = _request_from(verb, target, args.subresource, namespace, quiet=args.quiet)
    identity = _identity(args)
    authz, _ = _load(args, quiet=args.quiet)
    out = sys.stdout
    if args.explain:
        from kubewallet.rbac.explain import explain

        ex = explain(authz, identity, req)
        decision = ex.decision
    else:
        decision = authz.decide(identity, req)
    if not args.quiet:
        if decision.allowed:
            out.write("yes\n")
        else:
            reason = decision.reason
            out.write(f"no - {reason}\n" if reason else "no\n")
        if args.explain:
            out.write(ex.text() + "\n")
    return 0 if decision.allowed else 1


WHO_CAN_EXAMPLES = """\
examples:
  kubewallet who-can get secrets -n prod --rbac dump.yaml --with-defaults
  kubewallet who-can create pods --subresource exec -n kube-system --rbac rbac/
  kubewallet who-can impersonate users/alice --rbac rbac/ -o json
"""


def who_can(argv: list[str]) -> int:
    p = _Parser(prog="kubewallet who-can", formatter_class=_formatter,
                description="Every subject allowed to do something, and through which binding and role.",
                epilog=WHO_CAN_EXAMPLES)
    p.add_argument("verb")
    p.add_argument("target", metavar="TYPE[/NAME] | NONRESOURCEURL")
    p.add_argument("--subresource", default="")
    _scope(p)
    p.add_argument("-o", "--output", choices=("table", "json"), default="table")
    _common(p, identity=False)
    args = p.parse_intermixed_args(argv)
    namespace = "" if args.all_namespaces else args.namespace
    req = _request_from(args.verb, args.target, args.subresource, namespace, quiet=False)
    authz, _ = _load(args)
    grants = authz.who_can(req)
    if args.output == "json":
        import json

        doc = {"request": req.describe(), "alwaysAllowed": ["Group system:masters"],
               "subjects": [{"kind": g.subject.kind, "name": g.subject.name,
                             "namespace": g.subject.namespace or (g.binding.namespace if g.subject.kind == "ServiceAccount" else ""),
                             "binding": g.binding.ref, "role": g.role.ref if g.role else "",
                             "ruleIndex": g.rule_index, "rule": g.rule.describe()} for g in grants]}
        print(json.dumps(doc, indent=2))
        return 0
    rows = [("SUBJECT", "BINDING", "ROLE", "RULE")]
    rows.append(("Group system:masters", "(the API server allows it everything before RBAC)", "", ""))
    for g in grants:
        rows.append((g.subject.describe(g.binding.namespace), g.binding.ref, g.role.ref if g.role else "",
                     f"{g.rule_index} {g.rule.describe()}"))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    for r in rows:
        print("  ".join(c.ljust(widths[i]) for i, c in enumerate(r[:3])) + "  " + r[3])
    return 0


MATRIX_EXAMPLES = """\
examples:
  kubewallet access-matrix --as alice -n dev --rbac rbac/
  kubewallet access-matrix --as system:serviceaccount:ci:deployer -n ci --rbac dump.yaml -o json
  kubewallet access-matrix --as bob --verbs get,list,create --rbac rbac/ --with-defaults
"""


def access_matrix(argv: list[str]) -> int:
    p = _Parser(prog="kubewallet access-matrix", formatter_class=_formatter,
                description="Resources x verbs: what one identity may do (like rakkess), as a table or JSON.",
                epilog=MATRIX_EXAMPLES)
    p.add_argument("-n", "--namespace", default="", help="the namespace (none: cluster-wide)")
    p.add_argument("--verbs", default="", help="comma-separated verbs (default: get,list,watch,create,update,patch,delete,deletecollection)")
    p.add_argument("-o", "--output", choices=("table", "json"), default="table")
    p.add_argument("--ascii", action="store_true", help="yes/no instead of check marks")
    _common(p)
    args = p.parse_intermixed_args(argv)
    from kubewallet.rbac.matrix import DEFAULT_VERBS
    from kubewallet.rbac.matrix import access_matrix as build

    identity = _identity(args)
    authz, _ = _load(args)
    verbs = tuple(v for v in args.verbs.split(",") if v) or DEFAULT_VERBS
    m = build(authz, identity, args.namespace, verbs)
    if args.output == "json":
        import json

        print(json.dumps(m.to_json(), indent=2))
    else:
        sys.stdout.write(m.render(ascii_only=args.ascii))
    return 0


RBAC_EXAMPLES = """\
examples:
  kubewallet rbac risks --rbac dump.yaml --with-defaults
  kubewallet rbac risks --rbac rbac/ --min-severity high -o json
"""


def rbac(argv: list[str]) -> int:
    p = _Parser(prog="kubewallet rbac", formatter_class=_formatter,
                description="RBAC analysis.", epilog=RBAC_EXAMPLES)
    sub = p.add_subparsers(dest="action", required=True, parser_class=_Parser)
    r = sub.add_parser("risks", help="subjects holding dangerous permissions, ranked, each with its path", formatter_class=argparse.RawDescriptionHelpFormatter,
                       epilog="examples:\n  kubewallet rbac risks --rbac dump.yaml --with-defaults\n  kubewallet rbac risks --rbac rbac/ --min-severity high -o json")
    r.add_argument("-o", "--output", choices=("table", "json"), default="table")
    r.add_argument("--min-severity", choices=("critical", "high", "medium", "low"), default="low")
    _common(r, identity=False)
    args = p.parse_args(argv)
    from kubewallet.rbac.risks import find_risks, render_risks

    authz, _ = _load(args)
    risks = find_risks(authz, min_severity=args.min_severity)
    if args.output == "json":
        import json

        print(json.dumps([x.to_json() for x in risks], indent=2))
    else:
        sys.stdout.write(render_risks(risks))
    return 0


def main(argv: list[str]) -> int:
    command, rest = argv[0], argv[1:]
    if command == "who-can":
        return who_can(rest)
    if command == "access-matrix":
        return access_matrix(rest)
    if command == "rbac":
        return rbac(rest)
    return can_i(rest)
