"""`kubewallet config ...`: a drop-in for `kubectl config ...` (same flags, output, exit status).

Only parsing and printing here; the rules live in `kubewallet.kubeconfig`. Messages are
kubectl's own words, so scripts written against kubectl keep working.
"""

from __future__ import annotations

import argparse
import base64
import os
import sys
from typing import Any, Callable

from kubewallet.errors import KubeconfigError, UsageError

SUBCOMMANDS = ("view", "get-contexts", "get-clusters", "get-users", "current-context",
               "use-context", "use", "set-context", "rename-context", "delete-context",
               "delete-cluster", "delete-user", "set-cluster", "set-credentials", "set", "unset")

BOOL_FLAGS = {"--raw", "--minify", "--flatten", "--merge", "--no-headers", "--current",
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

def cmd_view(args, flags) -> int:
    from kubewallet.kubeconfig import view

    ws = _load(args)
    output = args.output or "yaml"
    if output not in ("yaml", "json"):
        raise KubeconfigError(f"unable to match a printer suitable for the output format "
                              f'"{output}", allowed formats are: go-template,go-template-file,json,jsonpath,'
                              "jsonpath-as-json,jsonpath-file,kyaml,name,template,templatefile,yaml")
    if flags.get("--merge") is False:
        raise KubeconfigError("--merge=false is not supported; use --kubeconfig to view one file")
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
    if output == "json":
        sys.stdout.write(view.to_json(doc) + "\n")
    else:
        sys.stdout.write(view.to_yaml(doc))
    return 0


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
    if args.current and args.name:
        raise KubeconfigError("you cannot specify both a context name and --current")
    if not args.current and not args.name:
        raise KubeconfigError("you must specify a non-empty context name or --current")

    def edit(ws):
        name = args.name
        if args.current:
            if not ws.current_context:
                raise KubeconfigError("no current context is set")
            name = ws.current_context
        existing = ws.contexts.get(name)
        body = dict(existing.body) if existing else {"cluster": "", "user": ""}
        for key, value in (("cluster", args.cluster), ("user", args.user), ("namespace", args.namespace)):
            if value is not None:
                body[key] = value
        ws.set_entry("contexts", name, body)
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


def _stat_for_embed(path: str, flag: str) -> None:
    """kubectl stats the files to embed before it loads anything (`could not stat ...`)."""
    try:
        os.stat(path)
    except OSError as exc:
        reason = (exc.strerror or str(exc)).lower()
        raise KubeconfigError(f"could not stat {flag} file {path}: stat {path}: {reason}") from None


def _read_for_embed(path: str) -> str:
    try:
        with open(path, "rb") as fh:
            return base64.b64encode(fh.read()).decode()
    except OSError:
        return ""  # kubectl ignores a read error after the stat succeeded (a directory): no data


def cmd_set_cluster(args, flags) -> int:
    embed = flags.get("--embed-certs", False)
    insecure = flags.get("--insecure-skip-tls-verify", False)
    if not args.name:
        raise KubeconfigError("you must specify a non-empty cluster name")
    if insecure and args.certificate_authority:
        raise KubeconfigError("you cannot specify a certificate authority and insecure mode at the same time")
    if embed:
        if not args.certificate_authority:
            raise KubeconfigError("you must specify a --certificate-authority to embed")
        _stat_for_embed(args.certificate_authority, "certificate-authority")

    def edit(ws):
        existing = ws.clusters.get(args.name)
        body = dict(existing.body) if existing else {"server": ""}
        if args.server is not None:
            body["server"] = args.server
        if args.tls_server_name is not None:
            body["tls-server-name"] = args.tls_server_name
        # kubectl 1.35 applies --insecure-skip-tls-verify whether given or not: any set-cluster
        # without it turns insecure mode off (measured against the real binary; we match it).
        body["insecure-skip-tls-verify"] = insecure
        if insecure:  # insecure mode clears any certificate authority
            body.pop("certificate-authority", None)
            body.pop("certificate-authority-data", None)
        if args.certificate_authority is not None:
            if embed:
                body["certificate-authority-data"] = _read_for_embed(args.certificate_authority)
                body["insecure-skip-tls-verify"] = False
                body.pop("certificate-authority", None)
            else:
                path = os.path.abspath(args.certificate_authority)  # Go's filepath.Abs("") is the cwd
                body["certificate-authority"] = path
                if path:
                    body["insecure-skip-tls-verify"] = False
                    body.pop("certificate-authority-data", None)
        if args.proxy_url is not None:
            body["proxy-url"] = args.proxy_url
        ws.set_entry("clusters", args.name, body)

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


def _pairs(items: list[str] | None, flag: str) -> tuple[dict[str, str], list[str]]:
    """kubectl's ParsePairs: `key=value` to set, `key-` to remove; anything else is refused."""
    sets: dict[str, str] = {}
    removes: list[str] = []
    for item in items or []:
        if "=" in item:
            key, _, value = item.partition("=")
            if not key:
                raise KubeconfigError(f"invalid {flag} format: {item}")
            sets[key] = value
        elif item.endswith("-"):
            removes.append(item[:-1])
        else:
            raise KubeconfigError(f"invalid {flag} format: {item}")
    return sets, removes


INTERACTIVE_MODES = ("IfAvailable", "Never", "Always")


def cmd_set_credentials(args, flags) -> int:
    embed = flags.get("--embed-certs", False)
    provider_args, provider_remove = _pairs(_string_slice(args.auth_provider_arg), "auth-provider-arg")
    exec_args = _string_slice(args.exec_arg) or None
    env_sets, env_remove = _pairs(args.exec_env, "exec-env")
    if not args.name:
        raise KubeconfigError("you must specify a non-empty user name")
    methods = []
    if args.token:
        methods.append("--token")
    if args.username or args.password:
        methods.append("--username/--password")
    if len(methods) > 1:
        raise KubeconfigError("you cannot specify more than one authentication method at the same "
                              "time: " + ", ".join(methods))
    if embed:
        if not args.client_certificate and not args.client_key:
            raise KubeconfigError("you must specify a --client-certificate or --client-key to embed")
        if args.client_certificate:
            _stat_for_embed(args.client_certificate, "client-certificate")
        if args.client_key:
            _stat_for_embed(args.client_key, "client-key")
    if args.exec_interactive_mode and args.exec_interactive_mode not in INTERACTIVE_MODES:
        raise KubeconfigError("invalid interactive mode type, can be only IfAvailable, Never, Always")

    def edit(ws):
        existing = ws.users.get(args.name)
        body: dict[str, Any] = dict(existing.body) if existing else {}
        for flag, path_key, data_key in (("client_certificate", "client-certificate", "client-certificate-data"),
                                         ("client_key", "client-key", "client-key-data")):
            value = getattr(args, flag)
            if value is None:
                continue
            if embed:
                body[data_key] = _read_for_embed(value)
                body.pop(path_key, None)
            else:
                body[path_key] = os.path.abspath(value)  # Go's filepath.Abs("") is the cwd
                body.pop(data_key, None)
        set_token = set_basic = False
        if args.token is not None:
            body["token"] = args.token
            set_token = bool(args.token)
        if args.username is not None:
            body["username"] = args.username
            set_basic = set_basic or bool(args.username)
        if args.password is not None:
            body["password"] = args.password
            set_basic = set_basic or bool(args.password)
        if args.auth_provider is not None:
            current = body.get("auth-provider")
            if not isinstance(current, dict) or current.get("name") != args.auth_provider:
                body["auth-provider"] = {"name": args.auth_provider}
        if isinstance(body.get("auth-provider"), dict):
            provider = dict(body["auth-provider"])
            config = dict(provider.get("config") or {})
            for key in provider_remove:
                config.pop(key, None)
            config.update(provider_args)
            provider["config"] = config
            body["auth-provider"] = provider
        if args.exec_command is not None:
            if isinstance(body.get("exec"), dict):
                # a new command drops the old arguments (kubectl resets them)
                body["exec"] = {k: v for k, v in body["exec"].items() if k != "args"}
                body["exec"]["command"] = args.exec_command
            else:
                body["exec"] = {"command": args.exec_command}
        if isinstance(body.get("exec"), dict):
            exe = dict(body["exec"])
            if args.exec_api_version is not None:
                exe["apiVersion"] = args.exec_api_version
            if exec_args is not None:
                exe["args"] = list(exec_args)
            if args.exec_interactive_mode is not None:
                exe["interactiveMode"] = args.exec_interactive_mode
            if "--exec-provide-cluster-info" in flags:
                exe["provideClusterInfo"] = flags["--exec-provide-cluster-info"]
            env = exe.get("env")
            env = [dict(e) for e in env] if isinstance(env, list) else None
            if env_remove:
                env = [e for e in env or [] if e.get("name") not in env_remove]
            for key, value in env_sets.items():
                env = env if env is not None else []
                for item in env:
                    if item.get("name") == key:
                        item["value"] = value
                        break
                else:
                    env.append({"name": key, "value": value})
            if env is not None:
                exe["env"] = env
            body["exec"] = exe
        if set_token or set_basic:
            if not set_token:
                body.pop("token", None)
            if not set_basic:
                body.pop("username", None)
                body.pop("password", None)
        ws.set_entry("users", args.name, body)

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
        p.add_argument("-o", "--output")
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
        p.add_argument("--exec-interactive-mode")  # checked in cmd_set_credentials, in kubectl's words
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
