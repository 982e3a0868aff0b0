"""`kubewallet oidc-login get-token | setup | clean`: kubelogin's command line, kubewallet's insides.

`get-token` takes the flags of `kubectl oidc-login get-token` (int128/kubelogin `pkg/cmd`), parsed
the way pflag parses them (`--flag=value` or `--flag value`, booleans as `--flag` or
`--flag=true|false`, `--oidc-extra-scope` and `--listen-address` repeatable and comma-separated),
so a kubeconfig migrates by changing only its `command`. kubelogin flags kubewallet does not
implement yet stop with an error naming them: ignoring one would change who the user logs in as.

`get-token` on a fresh cached id_token imports the standard library and three small stdlib-only
kubewallet modules, nothing else: it runs on every kubectl call.
"""

from __future__ import annotations

import os
import sys

from kubewallet.errors import UsageError
from kubewallet.oidc.flags import GetTokenFlags, parse_get_token

GET_TOKEN_HELP = """\
usage: kubewallet oidc-login get-token --oidc-issuer-url=URL --oidc-client-id=ID [flags]

Run as a kubectl exec credential plugin: print an ExecCredential with a verified id_token,
from the cache when fresh, else refreshed silently, else after a login in the browser.
Accepts the flags of `kubectl oidc-login get-token` (kubelogin).

flags:
  --oidc-issuer-url URL            issuer of the provider (https, or http on loopback only)
  --oidc-client-id ID              client ID registered at the provider
  --oidc-client-secret SECRET      client secret (prefer --oidc-client-secret-ref)
  --oidc-client-secret-ref REF     vault reference of the client secret (written by setup)
  --oidc-extra-scope SCOPE         scope to request besides openid (repeatable, a,b allowed)
  --oidc-use-pkce                  accepted for compatibility: PKCE S256 is always used
  --oidc-pkce-method auto|S256     accepted for compatibility: PKCE S256 is always used
  --grant-type TYPE                auto | authcode | authcode-keyboard | device-code
  --listen-address HOST:PORT       loopback listener address(es), tried in order
                                   (default 127.0.0.1:8000,127.0.0.1:18000; 127.0.0.1:0 = any free port)
  --oidc-redirect-url URL          redirect URL registered at the provider (default http://localhost:PORT)
  --oidc-redirect-url-hostname H   host name of the default redirect URL (default localhost)
  --oidc-auth-request-extra-params K=V,...  extra authorization request parameters
  --local-server-cert FILE         serve the loopback callback over https with this certificate
  --local-server-key FILE          ... and this key
  --open-url-after-authentication URL  send the browser there after the sign-in
  --oidc-use-access-token          give kubectl the access_token instead of the id_token
  --authentication-timeout-sec N   how long to wait for the browser (default 180)
  --skip-open-browser              print the URL only
  --browser-command CMD            run CMD URL instead of the default browser
  --certificate-authority FILE     CA for the provider's TLS (repeatable)
  --certificate-authority-data B64 base64 PEM CA (repeatable)
  --insecure-skip-tls-verify       do not verify the provider's certificate (dangerous)
  --token-cache-dir DIR            where the id_token is cached (default ~/.cache/kubewallet/oidc)
  --token-cache-storage S          disk | keyring (both: refresh token in the vault only) | none
  --force-refresh                  refresh (or log in) even when the cached token is fresh

example (users[].user.exec in a kubeconfig):
  command: kubewallet
  args: [oidc-login, get-token, --oidc-issuer-url=https://dex.example.com, --oidc-client-id=kubernetes]
"""


def get_token(args: list[str]) -> int:
    if any(a in ("-h", "--help") for a in args):
        print(GET_TOKEN_HELP, end="")
        return 0
    flags = parse_get_token(args)
    from kubewallet.oidc.tokencache import TokenCache, fast_exec_credential

    cache = TokenCache(flags.value("token-cache-dir"))
    key = flags.cache_key()
    if not flags.bools.get("force-refresh", False) and flags.storage() != "none":
        token = cache.load(key)
        if token is not None and token.is_fresh():
            answer = fast_exec_credential(token)
            if answer is not None:
                sys.stdout.write(answer)
                sys.stdout.flush()
                return 0
            return _answer(token)
    return _answer(_slow_path(flags, flags.config()))


def _answer(token) -> int:
    """The ExecCredential through the protocol module (its errors for a malformed exec info)."""
    from datetime import datetime, timezone

    from kubewallet.errors import ExecPluginError
    from kubewallet.execplugin.protocol import exec_credential, read_exec_info, write_exec_credential

    try:
        info = read_exec_info()
    except ValueError as exc:
        raise ExecPluginError(str(exc)) from None
    write_exec_credential(exec_credential(
        info.api_version, token=token.id_token,
        expiration=datetime.fromtimestamp(token.expiry, timezone.utc)))
    return 0


def _slow_path(flags: GetTokenFlags, config):
    """Refresh or log in: only here do the network, the vault and the JWT checks get imported."""
    from kubewallet.oidc.config import check_issuer_url
    from kubewallet.oidc.session import Environment, environment_is_interactive, get_token as story
    from kubewallet.oidc.store import AgentMemory, open_storage

    check_issuer_url(config.issuer)
    options = flags.login_options()
    verbose = int(flags.value("v", "0") or 0) if (flags.value("v", "0") or "0").isdigit() else 0
    cache, store = open_storage(flags.storage(), flags.value("token-cache-dir"))
    env = Environment(store=store, cache=cache, interactive=environment_is_interactive(),
                      memory=AgentMemory() if flags.storage() != "none" else None,
                      login_command=flags.command_line())
    if verbose:
        base = env.progress

        def progress(step: str, text: str) -> None:
            print(f"oidc-login: {step} {text}".rstrip(), file=sys.stderr)
            base(step, text)

        env.progress = progress
    return story(config, options, env).token


# ---- setup ----------------------------------------------------------------------------------------

SETUP_EPILOG = """\
examples:
  kubewallet oidc-login setup --oidc-issuer-url=https://dex.example.com --oidc-client-id=kubernetes
  kubewallet oidc-login setup --oidc-issuer-url=https://accounts.google.com --oidc-client-id=ID \\
      --oidc-client-secret-stdin --oidc-username-claim=email --write --user=google --cluster=prod < secret.txt
"""


def _setup_parser(prog: str):
    import argparse

    p = argparse.ArgumentParser(prog=prog, description=(
        "Log in once, show the id_token's claims and the identity the API server would derive "
        "from them, and offer to write the users[].user.exec entry (and a context)."),
        epilog=SETUP_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--oidc-issuer-url", required=True)
    p.add_argument("--oidc-client-id", required=True)
    p.add_argument("--oidc-client-secret-stdin", action="store_true",
                   help="read the client secret from stdin and keep it in the vault")
    p.add_argument("--replace-client-secret", action="store_true",
                   help="replace a different client secret the vault holds for this issuer and client")
    p.add_argument("--oidc-extra-scope", action="append", default=[])
    p.add_argument("--grant-type", default="auto")
    p.add_argument("--listen-address", action="append", default=[])
    p.add_argument("--oidc-redirect-url")
    p.add_argument("--skip-open-browser", action="store_true")
    p.add_argument("--browser-command")
    p.add_argument("--certificate-authority", action="append", default=[])
    p.add_argument("--certificate-authority-data", action="append", default=[])
    p.add_argument("--insecure-skip-tls-verify", action="store_true")
    p.add_argument("--token-cache-dir")
    p.add_argument("--authentication-timeout-sec", default="180")
    p.add_argument("--oidc-username-claim", default="sub", help="the API server's flag (default sub)")
    p.add_argument("--oidc-username-prefix", default=None)
    p.add_argument("--oidc-groups-claim", default="")
    p.add_argument("--oidc-groups-prefix", default="")
    p.add_argument("--write", action="store_true", help="write the kubeconfig entries without asking")
    p.add_argument("--user", help="kubeconfig user name to write (default oidc-ISSUERHOST)")
    p.add_argument("--cluster", help="cluster for the context to write (optional)")
    p.add_argument("--context", help="context name to write (default: the user name)")
    p.add_argument("--kubeconfig", help="the kubeconfig file to write to")
    return p


def _get_token_args(ns, secret_ref: str | None) -> list[str]:
    """The exec args to write: kubelogin-style flags, never the secret itself."""
    args = ["oidc-login", "get-token", f"--oidc-issuer-url={ns.oidc_issuer_url}",
            f"--oidc-client-id={ns.oidc_client_id}"]
    if secret_ref:
        args.append(f"--oidc-client-secret-ref={secret_ref}")
    args += [f"--oidc-extra-scope={s}" for s in ns.oidc_extra_scope]
    if ns.grant_type != "auto":
        args.append(f"--grant-type={ns.grant_type}")
    args += [f"--listen-address={a}" for a in ns.listen_address]
    if ns.oidc_redirect_url:
        args.append(f"--oidc-redirect-url={ns.oidc_redirect_url}")
    args += [f"--certificate-authority={os.path.abspath(c)}" for c in ns.certificate_authority]
    args += [f"--certificate-authority-data={c}" for c in ns.certificate_authority_data]
    if ns.insecure_skip_tls_verify:
        args.append("--insecure-skip-tls-verify")
    if ns.token_cache_dir:
        args.append(f"--token-cache-dir={ns.token_cache_dir}")
    if ns.browser_command:
        args.append(f"--browser-command={ns.browser_command}")
    return args


def setup(argv0: str, args: list[str]) -> int:
    import json
    from urllib.parse import urlsplit

    from kubewallet.oidc.session import Environment, get_token as story
    from kubewallet.oidc.store import VaultStore, client_secret_ref
    from kubewallet.oidc.tokencache import TokenCache

    ns = _setup_parser(f"kubewallet {argv0} setup").parse_args(args)
    secret = None   # never from argv here: setup is where a secret leaves the command line
    if ns.oidc_client_secret_stdin:
        secret = sys.stdin.readline().strip()
        if not secret:
            raise UsageError("--oidc-client-secret-stdin: nothing was read from stdin")
    store = VaultStore()
    secret_ref = None
    if secret:
        secret_ref = client_secret_ref(ns.oidc_issuer_url, ns.oidc_client_id)
        stored = store.get(secret_ref)
        if stored is not None and stored != secret and not ns.replace_client_secret:
            from kubewallet.errors import VaultError

            raise VaultError(f"the vault already holds a different client secret under {secret_ref!r}; "
                             "nothing was changed",
                             hint="pass --replace-client-secret if the provider's secret was rotated "
                                  "('kubewallet vault list' shows which users use it)")
        if stored != secret:
            store.put(secret_ref, secret)
            if stored is not None:
                print(f"Replaced the client secret stored under {secret_ref}.", file=sys.stderr)
    exec_args = _get_token_args(ns, secret_ref)
    flags = parse_get_token(exec_args[2:] + [f"--authentication-timeout-sec={ns.authentication_timeout_sec}"]
                            + (["--skip-open-browser"] if ns.skip_open_browser else []))
    config = flags.config()
    cache = TokenCache(flags.value("token-cache-dir"))
    env = Environment(store=store, cache=cache, interactive=True, login_command=flags.command_line())
    outcome = story(config, flags.login_options(), env)

    from kubewallet.oidc.jwtpeek import peek

    _, claims = peek(outcome.token.id_token)
    out = sys.stdout
    print(f"Signed in to {config.issuer} as client {config.client_id} "
          f"(token from {outcome.source}).", file=out)
    print("\nid_token claims:", file=out)
    print(json.dumps(claims, indent=2, sort_keys=True), file=out)
    identity, source = derive_identity(outcome.token.id_token, ns)
    print(f"\nThe API server would see you as (computed {source}):", file=out)
    print(f"  user:   {identity['username']}", file=out)
    print(f"  groups: {', '.join(identity['groups']) or '(none)'}", file=out)
    for note in identity.get("notes", ()):
        print(f"  note:   {note}", file=out)
    flags_line = [f"--oidc-issuer-url={config.issuer}", f"--oidc-client-id={config.client_id}",
                  f"--oidc-username-claim={ns.oidc_username_claim}"]
    if ns.oidc_username_prefix is not None:
        flags_line.append(f"--oidc-username-prefix={ns.oidc_username_prefix}")
    if ns.oidc_groups_claim:
        flags_line.append(f"--oidc-groups-claim={ns.oidc_groups_claim}")
    if ns.oidc_groups_prefix:
        flags_line.append(f"--oidc-groups-prefix={ns.oidc_groups_prefix}")
    print("\nkube-apiserver flags for this provider:\n  " + " \\\n  ".join(flags_line), file=out)

    user_name = ns.user or f"oidc-{urlsplit(config.issuer).hostname}"
    exec_entry = {"exec": {"apiVersion": "client.authentication.k8s.io/v1", "command": "kubewallet",
                           "args": exec_args, "interactiveMode": "IfAvailable",
                           "provideClusterInfo": False}}
    write = ns.write
    if not write and sys.stdin.isatty() and not ns.oidc_client_secret_stdin:
        answer = input(f"\nWrite user {user_name!r}"
                       + (f" and context {(ns.context or user_name)!r}" if ns.cluster else "")
                       + " into the kubeconfig? [y/N] ")
        write = answer.strip().lower() in ("y", "yes")
    if write:
        written = write_kubeconfig(ns.kubeconfig, user_name, exec_entry, ns.cluster, ns.context)
        print(f"\nWrote user {user_name!r}" + (f" and context {written!r}" if written else "")
              + ".", file=out)
    else:
        print("\nTo use it, put this user into your kubeconfig (or rerun with --write):", file=out)
        print(json.dumps({"name": user_name, "user": exec_entry}, indent=2), file=out)
    return 0


def derive_identity(id_token: str, ns) -> tuple[dict, str]:
    """The identity with the API server's --oidc-* rules: kubewallet.inspect.identity does it."""
    import datetime as dt

    from kubewallet.inspect.identity import OidcClaimRules, from_token

    rules = OidcClaimRules(issuer_url=ns.oidc_issuer_url, client_id=ns.oidc_client_id,
                           username_claim=ns.oidc_username_claim,
                           username_prefix=ns.oidc_username_prefix,
                           groups_claim=ns.oidc_groups_claim, groups_prefix=ns.oidc_groups_prefix)
    ident = from_token(id_token, "the id_token", now=dt.datetime.now(dt.timezone.utc), rules=rules)
    data = ident.to_json()
    if ident.rejected:
        data["notes"] = [f"the API server would reject this token: {ident.rejected}", *data["notes"]]
    return data, "with kubewallet.inspect.identity"


def write_kubeconfig(path: str | None, user: str, body: dict, cluster: str | None,
                     context: str | None) -> str | None:
    from kubewallet.kubeconfig import LoadingRules, run_edit

    rules = LoadingRules.from_env(path)
    context_name = (context or user) if cluster else None

    def edit(ws) -> None:
        ws.set_entry("users", user, body)
        if context_name:
            ws.set_entry("contexts", context_name, {"cluster": cluster, "user": user})

    run_edit(rules, edit)
    return context_name


# ---- clean ----------------------------------------------------------------------------------------

def clean(argv0: str, args: list[str]) -> int:
    import argparse

    from kubewallet.oidc.store import VaultStore
    from kubewallet.oidc.tokencache import TokenCache

    p = argparse.ArgumentParser(
        prog=f"kubewallet {argv0} clean",
        description="Forget OIDC logins: the cached id_tokens and the refresh tokens in the vault "
                    "(revoked at the provider when it can be reached). With an issuer and client "
                    "ID, only that login; without, every login in the cache directory.",
        epilog="examples:\n  kubewallet oidc-login clean\n"
               "  kubewallet oidc-login clean --oidc-issuer-url=https://dex.example.com "
               "--oidc-client-id=kubernetes",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--oidc-issuer-url")
    p.add_argument("--oidc-client-id")
    p.add_argument("--oidc-extra-scope", action="append", default=[])
    p.add_argument("--token-cache-dir")
    p.add_argument("--no-revoke", action="store_true", help="do not revoke at the provider")
    ns = p.parse_args(args)
    cache = TokenCache(ns.token_cache_dir)
    store = VaultStore()
    if ns.oidc_issuer_url or ns.oidc_client_id:
        if not (ns.oidc_issuer_url and ns.oidc_client_id):
            raise UsageError("give both --oidc-issuer-url and --oidc-client-id, or neither")
        from kubewallet.oidc.config import ProviderConfig
        from kubewallet.oidc.session import Environment, logout

        config = ProviderConfig(ns.oidc_issuer_url, ns.oidc_client_id,
                                extra_scopes=tuple(ns.oidc_extra_scope))
        done = logout(config, Environment(store=store, cache=cache), revoke=not ns.no_revoke)
        print("; ".join(done) if done else "nothing was stored for this login")
        return 0
    removed = 0
    for key, _token in cache.entries():
        cache.delete(key)
        ref = f"oidc/{key[:32]}/refresh-token"
        if store.get(ref) is not None:
            store.delete(ref)
        removed += 1
    vault = store.vault
    for ref in vault.refs() if os.path.exists(vault.path) else []:
        if ref.startswith("oidc/") and ref.endswith("/refresh-token"):
            vault.delete(ref)
    print(f"Deleted {removed} cached OIDC token(s) from {cache.directory} and the refresh tokens "
          "from the vault.")
    return 0


def main(argv: list[str]) -> int:
    sub = argv[1] if len(argv) > 1 else ""
    rest = argv[2:]
    if sub == "get-token":
        return get_token(rest)
    if sub == "setup":
        return setup(argv[0], rest)
    if sub == "clean":
        return clean(argv[0], rest)
    if sub in ("", "-h", "--help", "help"):
        print("usage: kubewallet oidc-login {get-token,setup,clean} [flags]\n\n"
              "  get-token  the kubectl exec credential plugin (kubelogin's flags)\n"
              "  setup      log in once, show the claims and identity, write the kubeconfig user\n"
              "  clean      forget cached tokens and refresh tokens\n\n"
              "example:\n  kubewallet oidc-login get-token --oidc-issuer-url=https://dex.example.com "
              "--oidc-client-id=kubernetes")
        return 0 if sub else 2
    raise UsageError(f"unknown oidc-login subcommand {sub!r}", hint="use get-token, setup or clean")
