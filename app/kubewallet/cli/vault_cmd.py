"""`kubewallet vault status|list|rm|init`: the secret store, never showing a value."""

from __future__ import annotations

import sys

EPILOG = """\
examples:
  kubewallet vault status              # backend (OS keyring or encrypted file), state, count
  kubewallet vault list                # references and the users that use them
  kubewallet vault rm users/old        # refuses while a user still uses it (--force to insist)
  kubewallet vault init --file         # headless box: an encrypted file, key from a passphrase
  KUBEWALLET_VAULT_PASSPHRASE=... kubewallet vault init --file   # the same, for automation
  kubewallet vault init --keyring      # move the secrets back under a key in the OS keyring
"""


def _parser():
    import argparse

    parser = argparse.ArgumentParser(prog="kubewallet vault", epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     description="The vault: secrets by reference, encrypted.")
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("status", help="which backend, where, locked or not, how many secrets", formatter_class=argparse.RawDescriptionHelpFormatter,
                   epilog="examples:\n  kubewallet vault status")
    lst = sub.add_parser("list", help="references and the users that use them (never values)", formatter_class=argparse.RawDescriptionHelpFormatter,
                         epilog="examples:\n  kubewallet vault list\n  kubewallet vault list -o json")
    lst.add_argument("--kubeconfig")
    rm = sub.add_parser("rm", help="remove a secret", formatter_class=argparse.RawDescriptionHelpFormatter,
                        epilog="examples:\n  kubewallet vault rm users/old-admin          refused while a user still uses it\n  kubewallet vault rm users/old-admin --force")
    rm.add_argument("refs", nargs="+", metavar="REF")
    rm.add_argument("--force", action="store_true", help="remove even if a user still uses it")
    rm.add_argument("--kubeconfig")
    init = sub.add_parser("init", help="choose the backend (existing secrets are re-encrypted)", formatter_class=argparse.RawDescriptionHelpFormatter,
                          epilog="examples:\n  kubewallet vault init --file        no OS keyring here: an encrypted file, key from a passphrase\n  kubewallet vault init --keyring     back to the OS keyring")
    group = init.add_mutually_exclusive_group(required=True)
    group.add_argument("--file", action="store_true",
                       help="an encrypted file; the key is derived (scrypt) from a passphrase")
    group.add_argument("--keyring", action="store_true", help="a data key in the OS keyring")
    return parser


def _prompt(text: str) -> str:
    import getpass

    return getpass.getpass(text)


def _new_passphrase() -> str:
    import os

    from kubewallet.errors import UsageError

    env = os.environ.get("KUBEWALLET_VAULT_PASSPHRASE")
    if env:
        return env
    if not sys.stdin.isatty():
        raise UsageError("no terminal to ask for a passphrase; set KUBEWALLET_VAULT_PASSPHRASE")
    first = _prompt("New vault passphrase: ")
    if len(first) < 8:
        raise UsageError("the passphrase must have at least 8 characters")
    if _prompt("Again: ") != first:
        raise UsageError("the passphrases differ; nothing was changed")
    return first


def main(argv: list[str]) -> int:
    ns = _parser().parse_args(argv[1:])
    from kubewallet.vault import open_vault

    interactive = sys.stdin.isatty()
    vault = open_vault(prompt=_prompt if interactive else None, interactive=interactive)
    if ns.action == "status":
        return _status(vault)
    if ns.action == "init":
        if ns.file:
            vault.reencrypt(source="passphrase", passphrase=_new_passphrase())
            print(f"vault {vault.path}: an encrypted file (AES-256-GCM, key from scrypt over your "
                  "passphrase); give the passphrase with KUBEWALLET_VAULT_PASSPHRASE, at the prompt, "
                  "or to 'kubewallet agent start'")
        else:
            vault.reencrypt(source="keyring")
            print(f"vault {vault.path}: data key in the OS keyring")
        return 0
    from kubewallet.credentials.secure import usage
    from kubewallet.kubeconfig import LoadingRules, load_workspace

    used = usage(load_workspace(LoadingRules.from_env(ns.kubeconfig)))
    if ns.action == "list":
        entries = vault.entries()
        if not entries:
            print("the vault is empty")
            return 0
        width = max(len(e.ref) for e in entries)
        print(f"{'REFERENCE':<{width}}  {'KIND':<18}  {'EXPIRES':<20}  USED BY")
        for e in entries:
            users = ", ".join(used.get(e.ref, [])) or "-  (unused)"
            print(f"{e.ref:<{width}}  {e.meta.get('kind') or '-':<18}  "
                  f"{e.meta.get('expires') or '-':<20}  {users}")
        return 0
    from kubewallet.errors import VaultError

    refs = set(vault.refs())
    for ref in ns.refs:
        if ref not in refs:
            raise VaultError(f"no secret {ref!r} in the vault", hint="'kubewallet vault list' shows them")
        if used.get(ref) and not ns.force:
            if ref.startswith("oidc/"):
                effect = ("their next kubectl call after the id_token expires needs a new login"
                          if ref.endswith("/refresh-token") else "their OIDC logins would fail")
                raise VaultError(f"{ref!r} is used by the OIDC login of user(s) {', '.join(used[ref])}; "
                                 f"{effect}", hint="--force to remove it anyway")
            raise VaultError(f"{ref!r} is used by user(s) {', '.join(used[ref])}; kubectl would fail "
                             "for them", hint=f"'kubewallet unsecure {used[ref][0]}' first, or --force")
    for ref in ns.refs:
        vault.delete(ref)
        print(f"removed {ref}")
    return 0


def _status(vault) -> int:
    st = vault.status()
    print(f"vault file: {st.path}{'' if st.exists else ' (not created yet)'}")
    backend = {"keyring": "OS keyring", "passphrase": "encrypted file (passphrase)"}.get(st.backend,
                                                                                        st.backend)
    print(f"backend:    {backend} — {st.detail}")
    print(f"state:      {st.state}" + (f", {st.count} secret(s)" if st.count is not None else ""))
    if st.problem:
        print(f"problem:    {st.problem}")
    if st.hint:
        print(f"what to do: {st.hint}")
    from kubewallet.agent import client

    try:
        agent = client.request({"op": "status"}, timeout=1.0)
        print(f"agent:      running (pid {agent.get('pid')}), "
              + ("holding secrets" if agent.get("unlocked") else "holding nothing (it opens the vault on "
                                                                 "the next request)"))
    except client.NoAgent as exc:
        print(f"agent:      not used ({exc})" if exc.untrusted else
              "agent:      not running ('kubewallet agent start' makes kubectl calls faster)")
    return 0 if st.state in ("unlocked", "not initialized") else 1
