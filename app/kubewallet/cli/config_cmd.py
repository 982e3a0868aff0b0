"""`kubewallet config ...`: a drop-in for `kubectl config ...` (same flags, output, exit status).

Only parsing and printing here; the rules live in `kubewallet.kubeconfig`. Messages are
kubectl's own words, so scripts written against kubectl keep working.
"""

from __future__ import annotations

import argparse
import copy
import os
import sys
from typing import Callable

from kubewallet.errors import KubeconfigError, UsageError

SUBCOMMANDS = ("view", "get-contexts", "get-clusters", "get-users", "current-context",
               "use-context", "use", "set-context", "rename-context", "delete-context",
               "delete-cluster", "delete-user", "set-cluster", "set-credentials", "set", "unset")

BOOL_FLAGS = {"--raw", "--minify", "--flatten", "--merge", "--allow-missing-template-keys", "--no-headers", "--current",
              "--embed-certs", "--insecure-skip-tls-verify", "--set-raw-bytes",
              "--exec-provide-cluster-info"}


class ConfigUsageError(UsageError):
    """Bad flags or arguments: kubectl exits 1 for these too (not 2), and scripts check that."""

    exit_code = 1


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # kubectl prints `error: ...` and exits 1 on bad usage
        raise ConfigUsageError(message, hint=f"see '{self.prog} --help'")


def _normalize_bools(argv: list[str]) -> tuple[list[str], dict[str, bool]]:
    """pflag accepts `--flag=true|false` for booleans; argparse does not. Values given as
    `=false` are recorded so a flag can be told apart from its absence (kubectl's tristate)."""
    out, explicit = [], {}
    for arg in argv:
        name, eq, value = arg.partition("=")
        if eq and name in BOOL_FLAGS:
            low = value.lower()
            if low not in ("true", "false", "1", "0", "t", "f"):
                raise ConfigUsageError(f'invalid argument "{value}" for "{name}" flag: '
                                 f'strconv.ParseBool: parsing "{value}": invalid syntax')
            explicit[name] = low in ("true", "1", "t")
            if explicit[name]:
                out.append(name)
            continue
        if arg in BOOL_FLAGS:
            explicit[arg] = True
        out.append(arg)
    return out, explicit


def _rules(args):
    """The loading rules. `kubectl config` never requires its --kubeconfig file to exist (it reads
    a missing one as empty and creates it on the first write), unlike `kubectl get`; so the file
    is given as a one-file list, which reads and routes edits the same way without the check."""
    from kubewallet.kubeconfig import LoadingRules

    if args.kubeconfig:
        return LoadingRules((args.kubeconfig,), None, "explicit")
    return LoadingRules.from_env(None)


def _load(args):
    from kubewallet.kubeconfig import load_workspace

    return load_workspace(_rules(args))


def _edit(args, edit: Callable):
    from kubewallet.kubeconfig import run_edit

    return run_edit(_rules(args), edit)


def _config_file(rules) -> str:
    return rules.explicit or rules.default_filename()


# ----- read-only commands -------------------------------------------------------------------

TEMPLATE_FORMATS = ("go-template", "go-template-file", "template", "templatefile")


def _view_printer(args, flags):
    """The printer kubectl builds before it reads any file (so a bad template fails first).

    None means YAML or JSON; otherwise a function of (view JSON, redacted view JSON for an error) -> text.
    The JSONPath engine is imported only when a template is asked for.
    """
    template = args.template or ""
    output = args.output if args.output is not None else ("go-template" if template else "yaml")
    if output in ("yaml", "json"):
        return None
    if output.split("=", 1)[0] in TEMPLATE_FORMATS:
        raise KubeconfigError(f"output format {output.split('=', 1)[0]} (Go templates) is not supported",
                              hint="use kubectl's JSONPath instead: -o jsonpath='{.current-context}'")
    from kubewallet.kubeconfig.jsonpath import printer

    return printer(output, template, allow_missing=flags.get("--allow-missing-template-keys", True))


def cmd_view(args, flags) -> int:
    from kubewallet.kubeconfig import view

    try:
        printer = _view_printer(args, flags)
    except KubeconfigError as exc:
        return _kubectl_error(exc)
    if flags.get("--merge") is False:
        raise KubeconfigError("--merge=false is not supported; use --kubeconfig to view one file")
    ws = _load(args)
    doc = ws.merged()
    if args.minify:
        if args.context:  # kubectl's global --context picks the context to minify to
            doc["current-context"] = args.context
        doc = view.minify(doc)
    if args.flatten:
        def origin_dir(kind, name):
            return os.path.dirname(os.path.abspath(ws.entries(kind)[name].file))
        doc = view.flatten(doc, origin_dir)
    elif not args.raw:
        doc = view.shorten(doc)
    if printer is not None:
        # An error dumps the object: the redacted view, never the secrets --raw/--flatten show.
        redacted = (lambda: view.to_json(view.shorten(copy.deepcopy(doc)))) if args.flatten or args.raw else None
        from kubewallet.kubeconfig.jsonpath import JsonPathRuntimeError

        try:
            text = printer(view.to_json(doc), redacted)
        except JsonPathRuntimeError as exc:
            return _kubectl_error(exc)
        sys.stdout.flush()
        sys.stdout.buffer.write(text.encode("utf-8", "surrogateescape"))
    elif args.output == "json":
        sys.stdout.write(view.to_json(doc) + "\n")
    else:
        sys.stdout.write(view.to_yaml(doc))
    return 0


def _kubectl_error(exc: KubeconfigError) -> int:
    """kubectl's CheckErr: a message of several lines (a template read from a file, the object
    dump) as it is, others on one line with the hint."""
    text = f"error: {exc.message if chr(10) in exc.message else exc.one_line()}"
    sys.stderr.write(text if text.endswith("\n") else text + "\n")
    return 1


def cmd_get_contexts(args, flags) -> int:
    from kubewallet.kubeconfig.view import table

    ws = _load(args)
    if args.output not in (None, "", "name"):
        raise KubeconfigError(f"--output {args.output} is not available in kubectl config get-contexts; "
                              "resetting to default output format")
    names = sorted(ws.contexts, key=str.encode)
    missing = []
    if args.names:
        wanted = []
        for name in args.names:
            if name in ws.contexts:
                wanted.append(name)
            else:
                missing.append(name)
        names = sorted(wanted, key=str.encode)  # kubectl sorts the names it was given too
    if args.output == "name":
        sys.stdout.write("".join(f"{n}\n" for n in names))
    else:
        rows = [] if args.no_headers else [["CURRENT", "NAME", "CLUSTER", "AUTHINFO", "NAMESPACE"]]
        for name in names:
            body = ws.contexts[name].body
            rows.append(["*" if name == ws.current_context else "", name, body.get("cluster") or "",
                         body.get("user") or "", body.get("namespace") or ""])
        sys.stdout.write(table(rows))
    if len(missing) == 1:
        raise KubeconfigError(f"context {missing[0]} not found")
    if missing:
        # kubectl's CheckErr prints an aggregate of several errors one per line, without "error: ".
        sys.stdout.flush()
        sys.stderr.write("".join(f"context {n} not found\n" for n in missing))
        return 1
    return 0


def _cmd_get_names(kind: str) -> Callable:
    def run(args, flags) -> int:
        ws = _load(args)
        sys.stdout.write("NAME\n" + "".join(f"{n}\n" for n in sorted(ws.entries(kind), key=str.encode)))
        return 0
    return run


def cmd_current_context(args, flags) -> int:
    ws = _load(args)
    if not ws.current_context:
        raise KubeconfigError("current-context is not set")
    print(ws.current_context)
    return 0


# ----- edits ----------------------------------------------------------------------------------

def cmd_use_context(args, flags) -> int:
    name = args.name

    from kubewallet.kubeconfig import switch_to

    if not name:
        raise KubeconfigError("empty context names are not allowed")
    switch_to(_rules(args), name)
    print(f'Switched to context "{name}".')
    return 0


def cmd_set_context(args, flags) -> int:
    from kubewallet.kubeconfig.entries import ContextFlags, context_body

    if args.current and args.name:
        raise KubeconfigError("you cannot specify both a context name and --current")
    if not args.current and not args.name:
        raise KubeconfigError("you must specify a non-empty context name or --current")
    given = ContextFlags(args.cluster, args.user, args.namespace)

    def edit(ws):
        name = args.name
        if args.current:
            if not ws.current_context:
                raise KubeconfigError("no current context is set")
            name = ws.current_context
        existing = ws.contexts.get(name)
        ws.set_entry("contexts", name, context_body(existing.body if existing else None, given))
        return name, existing is not None

    name, existed = _edit(args, edit)
    print(f'Context "{name}" {"modified" if existed else "created"}.')
    return 0


def cmd_rename_context(args, flags) -> int:
    def edit(ws):
        where = _config_file(ws.rules)
        if args.old not in ws.contexts:
            raise KubeconfigError(f'cannot rename the context "{args.old}", it\'s not in {where}')
        if args.new in ws.contexts:
            raise KubeconfigError(f'cannot rename the context "{args.old}", the context '
                                  f'"{args.new}" already exists in {where}')
        ws.rename_context(args.old, args.new)

    _edit(args, edit)
    print(f'Context "{args.old}" renamed to "{args.new}".')
    return 0


def _cmd_delete(kind: str) -> Callable:
    word = kind[:-1]

    def run(args, flags) -> int:
        def edit(ws):
            where = _config_file(ws.rules)
            if args.name not in ws.entries(kind):
                raise KubeconfigError(f"cannot delete {word} {args.name}, not in {where}")
            warn = kind == "contexts" and ws.current_context == args.name
            ws.delete_entry(kind, args.name)
            return where, warn

        where, warn = _edit(args, edit)
        if warn:
            sys.stderr.write('warning: this removed your active context, use "kubectl config '
                             'use-context" to select a different one\n')
        print(f"deleted {word} {args.name} from {where}")
        return 0
    return run


def cmd_set_cluster(args, flags) -> int:
    from kubewallet.kubeconfig.entries import ClusterFlags, cluster_body

    given = ClusterFlags(args.server, args.tls_server_name, flags.get("--insecure-skip-tls-verify", False),
                         args.certificate_authority, flags.get("--embed-certs", False), args.proxy_url)
    given.check(args.name)

    def edit(ws):
        existing = ws.clusters.get(args.name)
        ws.set_entry("clusters", args.name, cluster_body(existing.body if existing else None, given))

    _edit(args, edit)
    print(f'Cluster "{args.name}" set.')
    return 0


def _string_slice(values: list[str] | None) -> list[str] | None:
    """pflag's StringSlice: each occurrence is a CSV record (`a,b` is two values, `"c,d"` one)."""
    if values is None:
        return None
    import csv

    out: list[str] = []
    for value in values:
        if value == "":
            continue
        out.extend(next(csv.reader([value])))
    return out


def _pairs(items: list[str], flag: str) -> tuple[dict[str, str], tuple[str, ...]]:
    """kubectl's ParsePairs: `key=value` to set, `key-` to remove; every other item (`=v`, `-`,
    `key`) is listed in one error."""
    sets: dict[str, str] = {}
    removes: list[str] = []
    invalid: list[str] = []
    for item in items:
        if "=" in item and not item.startswith("="):
            key, _, value = item.partition("=")
            sets[key] = value
        elif item.endswith("-") and item != "-":
            removes.append(item[:-1])
        else:
            invalid.append(item)
    if invalid:
        raise KubeconfigError(f"invalid {flag} format: {', '.join(invalid)}")
    return sets, tuple(removes)


def cmd_set_credentials(args, flags) -> int:
    from kubewallet.kubeconfig.entries import CredentialFlags, credential_body

    provider_args, provider_remove = _pairs(_string_slice(args.auth_provider_arg) or [], "auth-provider-arg")
    exec_args = _string_slice(args.exec_arg) or None
    exec_env, env_remove = _pairs(args.exec_env, "exec-env") if args.exec_env else (None, ())
    given = CredentialFlags(
        client_certificate=args.client_certificate, client_key=args.client_key, token=args.token,
        username=args.username, password=args.password, embed_certs=flags.get("--embed-certs", False),
        auth_provider=args.auth_provider, auth_provider_args=provider_args, auth_provider_remove=provider_remove,
        exec_command=args.exec_command, exec_api_version=args.exec_api_version,
        exec_args=tuple(exec_args) if exec_args else None, exec_env=exec_env, exec_env_remove=env_remove,
        exec_interactive_mode=args.exec_interactive_mode,
        exec_provide_cluster_info=flags.get("--exec-provide-cluster-info"))
    given.check(args.name)

    def edit(ws):
        existing = ws.users.get(args.name)
        ws.set_entry("users", args.name, credential_body(existing.body if existing else None, given))

    _edit(args, edit)
    print(f'User "{args.name}" set.')
    return 0


def cmd_set(args, flags) -> int:
    from kubewallet.kubeconfig.properties import set_property

    if not args.value:
        raise KubeconfigError("you cannot use set to unset a property")
    if not args.property:
        raise KubeconfigError("you must specify a property")
    raw = flags.get("--set-raw-bytes", False)
    _edit(args, lambda ws: set_property(ws, args.property, args.value, raw))
    print(f'Property "{args.property}" set.')
    return 0


def cmd_unset(args, flags) -> int:
    from kubewallet.kubeconfig.properties import unset_property

    if not args.property:
        raise KubeconfigError("you must specify a property")
    _edit(args, lambda ws: unset_property(ws, args.property))
    print(f'Property "{args.property}" unset.')
    return 0


# ----- parsing ----------------------------------------------------------------------------------

EXAMPLES = {
    "view": ("kubewallet config view                      merged settings, secrets hidden",
             "kubewallet config view --minify --raw -o json   only the current context, with secrets",
             "kubewallet config view --minify -o jsonpath='{.clusters[0].cluster.server}'",
             "kubewallet config view -o jsonpath='{range .contexts[*]}{.name}{\"\\n\"}{end}'",
             "kubewallet config view --flatten --minify > one.kubeconfig"),
    "get-contexts": ("kubewallet config get-contexts", "kubewallet config get-contexts -o name",
                     "kubewallet config get-contexts prod staging --no-headers"),
    "get-clusters": ("kubewallet config get-clusters",),
    "get-users": ("kubewallet config get-users",),
    "current-context": ("kubewallet config current-context",),
    "use-context": ("kubewallet config use-context prod    (or the everyday form: kubewallet use prod)",),
    "use": ("kubewallet config use prod",),
    "set-context": ("kubewallet config set-context --current --namespace=payments",
                    "kubewallet config set-context dev --cluster=dev --user=jane --namespace=default"),
    "rename-context": ("kubewallet config rename-context old-name new-name",),
    "delete-context": ("kubewallet config delete-context staging",),
    "delete-cluster": ("kubewallet config delete-cluster old-cluster",),
    "delete-user": ("kubewallet config delete-user old-user",),
    "set-cluster": ("kubewallet config set-cluster prod --server=https://1.2.3.4:6443",
                    "kubewallet config set-cluster prod --certificate-authority=ca.crt --embed-certs"),
    "set-credentials": ("kubewallet config set-credentials jane --client-certificate=jane.crt --client-key=jane.key --embed-certs",
                        "kubewallet config set-credentials sso --exec-command=kubewallet --exec-api-version=client.authentication.k8s.io/v1 --exec-arg=oidc-login --exec-arg=get-token",
                        "(a token on the command line is visible in ps: prefer 'kubewallet secure USER' afterwards)"),
    "set": ("kubewallet config set contexts.dev.namespace payments",
            "kubewallet config set clusters.prod.certificate-authority-data $(base64 -w0 ca.crt)"),
    "unset": ("kubewallet config unset contexts.dev.namespace", "kubewallet config unset users.old-user"),
}


def _parser(sub: str) -> tuple[argparse.ArgumentParser, Callable]:
    examples = EXAMPLES.get(sub)
    p = _Parser(prog=f"kubewallet config {sub}", allow_abbrev=False,  # pflag has no abbreviations
                epilog="examples:\n  " + "\n  ".join(examples) if examples else None,
                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--kubeconfig", help="use this kubeconfig file instead of $KUBECONFIG or ~/.kube/config")
    if sub == "view":
        p.description = "Show the merged kubeconfig settings (secrets hidden unless --raw)."
        p.add_argument("-o", "--output", help="yaml, json, or kubectl's jsonpath=TEMPLATE, jsonpath-as-json=TEMPLATE, "
                                              "jsonpath-file=FILE")
        p.add_argument("--template", help="the template for -o jsonpath / jsonpath-file")
        p.add_argument("--allow-missing-template-keys", action="store_true",
                       help="=false: a missing field is an error (default true, as kubectl)")
        p.add_argument("--raw", action="store_true", help="show secrets and certificate data")
        p.add_argument("--minify", action="store_true", help="only what the current context uses")
        p.add_argument("--flatten", action="store_true", help="inline file references as data")
        p.add_argument("--merge", action="store_true")
        p.add_argument("--context", help="with --minify: the context to keep (default: the current one)")
        return p, cmd_view
    if sub == "get-contexts":
        p.add_argument("names", nargs="*")
        p.add_argument("-o", "--output")
        p.add_argument("--no-headers", action="store_true")
        return p, cmd_get_contexts
    if sub in ("get-clusters", "get-users"):
        return p, _cmd_get_names("clusters" if sub == "get-clusters" else "users")
    if sub == "current-context":
        return p, cmd_current_context
    if sub in ("use-context", "use"):
        p.add_argument("name")
        return p, cmd_use_context
    if sub == "set-context":
        p.add_argument("name", nargs="?", default="")
        p.add_argument("--current", action="store_true")
        p.add_argument("--cluster")
        p.add_argument("--user")
        p.add_argument("-n", "--namespace")  # kubectl's global namespace flag sets it here
        return p, cmd_set_context
    if sub == "rename-context":
        p.add_argument("old")
        p.add_argument("new")
        return p, cmd_rename_context
    if sub.startswith("delete-"):
        p.add_argument("name")
        return p, _cmd_delete({"delete-context": "contexts", "delete-cluster": "clusters",
                               "delete-user": "users"}[sub])
    if sub == "set-cluster":
        p.add_argument("name", nargs="?", default="")
        p.add_argument("--server")
        p.add_argument("--certificate-authority")
        p.add_argument("--embed-certs", action="store_true")
        p.add_argument("--insecure-skip-tls-verify", action="store_true")
        p.add_argument("--tls-server-name")
        p.add_argument("--proxy-url")
        return p, cmd_set_cluster
    if sub == "set-credentials":
        p.add_argument("name", nargs="?", default="")
        p.add_argument("--client-certificate")
        p.add_argument("--client-key")
        p.add_argument("--token")
        p.add_argument("--username")
        p.add_argument("--password")
        p.add_argument("--embed-certs", action="store_true")
        p.add_argument("--auth-provider")
        p.add_argument("--auth-provider-arg", action="append")
        p.add_argument("--exec-command")
        p.add_argument("--exec-api-version")
        p.add_argument("--exec-arg", action="append")
        p.add_argument("--exec-env", action="append")
        p.add_argument("--exec-interactive-mode")  # checked by CredentialFlags.check, in kubectl's words
        p.add_argument("--exec-provide-cluster-info", action="store_true")
        return p, cmd_set_credentials
    if sub == "set":
        p.add_argument("property")
        p.add_argument("value")
        p.add_argument("--set-raw-bytes", action="store_true")
        return p, cmd_set
    if sub == "unset":
        p.add_argument("property")
        return p, cmd_unset
    raise UsageError(f"unknown config subcommand {sub!r}",
                     hint="one of: " + ", ".join(SUBCOMMANDS))


def _refuse_unknown_flags(parser: argparse.ArgumentParser, argv: list[str]) -> None:
    """pflag's rule: anything that starts with `-` is a flag (`-0` too, unlike argparse, which
    takes it for a negative number), until `--`; an unknown one is an error, in pflag's words."""
    known = parser._option_string_actions
    for arg in argv:
        if arg == "--":
            return
        if arg.startswith("--"):
            name = arg.partition("=")[0]
            if name not in known:
                raise ConfigUsageError(f"unknown flag: {name}", hint=f"see '{parser.prog} --help'")
        elif arg.startswith("-") and len(arg) > 1 and f"-{arg[1]}" not in known:
            raise ConfigUsageError(f"unknown shorthand flag: '{arg[1]}' in {arg}",
                                   hint=f"see '{parser.prog} --help'")


def main(argv: list[str]) -> int:
    rest = argv[1:]
    # `--kubeconfig` may come before the subcommand, as with kubectl.
    pre: list[str] = []
    while rest and rest[0].startswith("--kubeconfig"):
        pre.append(rest.pop(0))
        if pre[-1] == "--kubeconfig" and rest:
            pre.append(rest.pop(0))
    if not rest or rest[0] in ("-h", "--help"):
        print("usage: kubewallet config SUBCOMMAND [flags]\n\nkubectl-compatible subcommands:\n  "
              + "\n  ".join(SUBCOMMANDS))
        return 0
    sub, rest = rest[0], rest[1:]
    rest, flags = _normalize_bools(pre + rest)
    parser, run = _parser(sub)
    _refuse_unknown_flags(parser, rest)
    args = parser.parse_args(rest)
    return run(args, flags)
