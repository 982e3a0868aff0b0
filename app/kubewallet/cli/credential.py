"""`kubewallet credential get|update|allow|flush`: the exec credential plugin kubectl runs, renewing what it
serves, and dropping what wrapped foreign plugins answered.

`get` runs on every kubectl call, so its arguments are parsed by hand (argparse and its gettext
cost more than the rest of the call through the agent) and only `kubewallet.execplugin.serve` and
the agent client are imported; argparse is built only for `--help` and mistakes. Its stdout is the
ExecCredential and nothing else; errors are one line on stderr and exit 1.
"""

from __future__ import annotations

import sys

GET_USAGE = "usage: kubewallet credential get --ref REF [--user NAME] [--no-agent]"
EPILOG = """\
examples:
  # what 'kubewallet secure alice' writes into the kubeconfig (kubectl runs it):
  kubewallet credential get --user alice --ref users/alice
  # try it by hand (prints an ExecCredential with the secret; mind your terminal):
  KUBERNETES_EXEC_INFO='{"apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":false}}' \\
      kubewallet credential get --ref users/alice
  # renew what a secured user serves:
  kubewallet credential update alice --token-stdin < new-token.txt
  kubewallet credential update alice --client-certificate new.crt --client-key new.key
  # a secret goes only to the clusters it was secured for; allow one more (a context's cluster):
  kubewallet credential allow --ref users/alice --context staging
  # forget what wrapped plugins (aws eks get-token, ...) answered, so the next call runs them:
  kubewallet credential flush
  kubewallet credential flush eks-admin
"""


def _parser():
    import argparse

    parser = argparse.ArgumentParser(prog="kubewallet credential", epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     description="The exec credential plugin kubectl runs.")
    sub = parser.add_subparsers(dest="action", required=True)
    get = sub.add_parser("get", help="answer kubectl with an ExecCredential (stdout only)",
                         epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    get.add_argument("--ref", required=True, help="the vault reference of the credential")
    get.add_argument("--user", help="the kubeconfig user this serves (named in messages)")
    get.add_argument("--no-agent", action="store_true", help="read the vault even if an agent runs")
    flush = sub.add_parser("flush", help="drop the answers held for wrapped plugins (all, or one user's)",
                           epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    flush.add_argument("user", nargs="?", help="only this user's (default: every wrapped plugin's)")
    allow = sub.add_parser("allow", help="let a secured secret be sent to one more cluster (a context's)",
                           epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    allow.add_argument("--ref", required=True, help="the vault reference (users/NAME, plugins/NAME)")
    allow.add_argument("--context", required=True, help="the context whose cluster (server and CA) to allow")
    allow.add_argument("--kubeconfig", help="the kubeconfig file (default: KUBECONFIG, ~/.kube/config)")
    upd = sub.add_parser("update", help="replace the credential a secured user serves",
                         epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    upd.add_argument("user")
    upd.add_argument("--token-stdin", action="store_true", help="read the new token from stdin")
    upd.add_argument("--client-certificate", metavar="FILE", help="the new certificate (PEM)")
    upd.add_argument("--client-key", metavar="FILE", help="the new private key (PEM)")
    upd.add_argument("--kubeconfig", help="the kubeconfig file (default: KUBECONFIG, ~/.kube/config)")
    return parser


def _parse_get(args: list[str]) -> dict | None:
    """The fast path's parser: exactly `--ref R`, `--user U`, `--no-agent` (also `--x=y`)."""
    out: dict = {"ref": None, "user": None, "no_agent": False}
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--no-agent":
            out["no_agent"] = True
        elif arg in ("--ref", "--user") and i + 1 < len(args):
            out[arg[2:]] = args[i + 1]
            i += 1
        elif arg.startswith(("--ref=", "--user=")):
            key, _, value = arg[2:].partition("=")
            out[key] = value
        else:
            return None
        i += 1
    return out if out["ref"] else None


def main(argv: list[str]) -> int:
    args = argv[1:]
    if args and args[0] == "get":
        parsed = _parse_get(args[1:])
        if parsed is not None:
            return _get(parsed["ref"], parsed["user"], use_agent=not parsed["no_agent"])
    ns = _parser().parse_args(args)
    if ns.action == "get":
        return _get(ns.ref, ns.user, use_agent=not ns.no_agent)
    if ns.action == "allow":
        from kubewallet.execplugin.binding import allow_cluster

        ident = allow_cluster(ns.ref, ns.context, kubeconfig=ns.kubeconfig)
        print(f"{ns.ref} may now be sent to {ident['server']} (context {ns.context!r})", file=sys.stderr)
        return 0
    if ns.action == "flush":
        from kubewallet.execplugin.wrapping import flush

        dropped = flush(ns.user)
        print(f"dropped {dropped} held credential{'s' if dropped != 1 else ''}"
              + (f" of user {ns.user!r}" if ns.user else ""), file=sys.stderr)
        return 0
    return _update(ns)


def _get(ref: str, user: str | None, *, use_agent: bool) -> int:
    import os

    no_agent_answered = False
    retry = False
    if ref.startswith("plugins/"):  # a wrapped foreign plugin (kubewallet.execplugin.wrapped)
        from kubewallet.agent.paths import ensure_private_dir, socket_path
        from kubewallet.execplugin.retry import second_call

        folder = os.path.dirname(socket_path())
        ensure_private_dir(folder)
        retry = second_call(ref, folder)
    if use_agent and not retry:
        from kubewallet.agent import fastclient

        if fastclient.enabled():
            answer = fastclient.exec_credential(ref, user, os.environ.get("KUBERNETES_EXEC_INFO", ""))
            no_agent_answered = answer is None
            if answer is not None and answer[0] == fastclient.FALLBACK and answer[1]:
                from kubewallet.execplugin.wrapserve import after_agent_miss

                return after_agent_miss(ref, answer[1])  # a wrapped plugin the agent did not hold
            if answer is not None and answer[0] != fastclient.FALLBACK:
                code, out, err = answer
                if err:
                    sys.stderr.write(err)
                    sys.stderr.flush()
                if code == fastclient.SERVE:
                    sys.stdout.write(out + "\n")
                    sys.stdout.flush()
                    return 0
                return 1
    from kubewallet.errors import ExecPluginError
    from kubewallet.execplugin.protocol import read_exec_info, write_exec_credential

    try:
        info = read_exec_info()
    except ValueError as exc:
        raise ExecPluginError(str(exc)) from None
    if ref.startswith("plugins/"):
        from kubewallet.execplugin import wrapserve

        code = wrapserve.serve(ref, user, info, retry=retry,
                               agent_answered=use_agent and not no_agent_answered)
        if code == 0 and no_agent_answered and os.environ.get("KUBEWALLET_NO_AGENT_AUTOSTART") != "1":
            _autostart_agent()
        return code
    from kubewallet.execplugin import serve

    value, meta = serve.from_vault(ref, info)
    write_exec_credential(serve.credential(value, meta, info, ref=ref, user=user))
    if no_agent_answered and os.environ.get("KUBEWALLET_NO_AGENT_AUTOSTART") != "1":
        _autostart_agent()
    return 0


def _autostart_agent() -> None:
    """Start an agent in the background after serving, so kubectl's next calls are fast (the
    ssh-agent/gpg-agent "start on first use" habit). Only for a keyring vault: it needs nobody to
    type anything, and the agent forgets after KUBEWALLET_AGENT_TIMEOUT seconds (default 3600).
    Its output goes nowhere, so kubectl never waits on it. KUBEWALLET_NO_AGENT_AUTOSTART=1 turns
    this off (the tests do)."""
    import os
    import subprocess

    from kubewallet.vault import open_vault

    try:
        if open_vault().backend() != "keyring":
            return
        subprocess.Popen([sys.executable, "-m", "kubewallet", "agent", "run", "--timeout",
                          os.environ.get("KUBEWALLET_AGENT_TIMEOUT", "3600")],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True, close_fds=True)
    except Exception:  # noqa: BLE001 - the credential is served; an agent is only a speed-up
        pass


def _update(ns) -> int:
    from kubewallet.credentials.secure import update_credential

    if ns.token_stdin == bool(ns.client_certificate or ns.client_key):
        from kubewallet.errors import UsageError

        raise UsageError("give either --token-stdin or --client-certificate with --client-key")
    if ns.token_stdin:
        token = sys.stdin.read().strip()
        ref = update_credential(ns.user, token=token, kubeconfig=ns.kubeconfig)
    else:
        if not (ns.client_certificate and ns.client_key):
            from kubewallet.errors import UsageError

            raise UsageError("--client-certificate and --client-key go together")
        with open(ns.client_certificate, encoding="ascii") as c, open(ns.client_key, encoding="ascii") as k:
            ref = update_credential(ns.user, cert_pem=c.read(), key_pem=k.read(), kubeconfig=ns.kubeconfig)
    print(f"updated the credential of user {ns.user!r} in the vault ({ref})", file=sys.stderr)
    return 0
