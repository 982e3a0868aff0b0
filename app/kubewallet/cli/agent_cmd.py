"""`kubewallet agent start|stop|status|lock|unlock|run`: the in-memory credential agent.

`start` runs the agent in the background (a new session, detached from the terminal) and returns
when it answers; `run` serves in the foreground (for a systemd user unit or a debugger).
"""

from __future__ import annotations

import sys

EPILOG = """\
examples:
  kubewallet agent start --timeout 8h   # hold secrets for 8 hours after the vault is opened
  kubewallet agent status
  kubewallet agent lock                 # forget every secret now
  kubewallet agent unlock               # open the vault now (asks for a passphrase vault's passphrase)
  kubewallet agent stop
"""


def parse_duration(text: str) -> float:
    """`90`, `90s`, `15m`, `8h`, `1d` -> seconds."""
    from kubewallet.errors import UsageError

    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    text = text.strip().lower()
    factor = units.get(text[-1:], None)
    number = text[:-1] if factor else text
    try:
        value = float(number) * (factor or 1)
    except ValueError:
        raise UsageError(f"not a duration: {text!r} (use e.g. 900, 15m, 8h)") from None
    if value <= 0:
        raise UsageError("the timeout must be positive")
    return value


def _parser():
    import argparse

    parser = argparse.ArgumentParser(prog="kubewallet agent", epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     description="Hold vault secrets in memory and serve them to the "
                                                 "exec plugin over a user-only Unix socket.")
    sub = parser.add_subparsers(dest="action", required=True)
    for name, text in (("start", "start the agent in the background"),
                       ("run", "run the agent in the foreground")):
        p = sub.add_parser(name, help=text, formatter_class=argparse.RawDescriptionHelpFormatter,
                           epilog=f"examples:\n  kubewallet agent {name}\n  kubewallet agent {name} --timeout 8h")
        p.add_argument("--timeout", type=parse_duration, default=None,
                       help="forget secrets this long after opening the vault (e.g. 15m, 8h)")
        p.add_argument("--passphrase-stdin", action="store_true", help=argparse.SUPPRESS)
    sub.add_parser("stop", help="stop the agent (it forgets everything)",
                   formatter_class=argparse.RawDescriptionHelpFormatter, epilog="examples:\n  kubewallet agent stop")
    sub.add_parser("status", help="is an agent running, and is it holding secrets", formatter_class=argparse.RawDescriptionHelpFormatter,
                   epilog="examples:\n  kubewallet agent status")
    sub.add_parser("lock", help="forget every secret now", formatter_class=argparse.RawDescriptionHelpFormatter,
                   epilog="examples:\n  kubewallet agent lock        e.g. from a screen-lock hook")
    sub.add_parser("unlock", help="open the vault in the agent now", formatter_class=argparse.RawDescriptionHelpFormatter,
                   epilog="examples:\n  kubewallet agent unlock      asks for the passphrase of an encrypted-file vault once")
    return parser


def _passphrase_if_needed() -> str | None:
    import os

    from kubewallet.vault import open_vault

    if open_vault().backend() != "passphrase":
        return None
    env = os.environ.get("KUBEWALLET_VAULT_PASSPHRASE")
    if env:
        return env
    if not sys.stdin.isatty():
        from kubewallet.errors import VaultLockedError

        raise VaultLockedError("the vault is an encrypted file and there is no terminal to ask for "
                               "its passphrase", hint="set KUBEWALLET_VAULT_PASSPHRASE or run this "
                                                      "in a terminal")
    import getpass

    passphrase = getpass.getpass("Passphrase for the kubewallet vault: ")
    open_vault(passphrase=passphrase).unlock()  # a wrong one fails here, not in the background
    return passphrase


def main(argv: list[str]) -> int:
    ns = _parser().parse_args(argv[1:])
    from kubewallet.agent import client
    from kubewallet.errors import AgentError

    if ns.action == "run":
        import os

        from kubewallet.agent import memory
        from kubewallet.agent.server import AgentServer, serve_forever

        if not memory.is_hardened():  # the allocator settings only take effect at process start
            os.execve(sys.executable, [sys.executable, "-m", "kubewallet", *argv],
                      memory.hardened_environment(dict(os.environ)))

        passphrase = sys.stdin.readline().rstrip("\n") if ns.passphrase_stdin else None
        return serve_forever(AgentServer(timeout=ns.timeout, passphrase=passphrase or None))
    if ns.action == "start":
        return _start(ns.timeout)
    try:
        if ns.action == "unlock":
            client.request({"op": "status"})  # an agent of ours answers, before asking anything
            answer = client.request({"op": "unlock", "passphrase": _passphrase_if_needed()})
        else:
            answer = client.request({"op": ns.action})
    except client.NoAgent as exc:
        if exc.untrusted:
            print(f"kubewallet: {exc}", file=sys.stderr)
        if ns.action in ("status", "stop", "lock"):
            print("no agent of yours is running" if exc.untrusted else f"no agent is running ({exc})")
            return 1 if ns.action == "status" else 0
        raise AgentError("no agent of yours is running" if exc.untrusted else str(exc),
                         hint="start one with 'kubewallet agent start'") from None
    if not answer.get("ok"):
        raise AgentError(answer.get("message", "the agent refused"), hint=answer.get("hint"))
    if ns.action == "status":
        state = "holding secrets" if answer.get("unlocked") else "locked (holds nothing)"
        print(f"agent running: pid {answer.get('pid')}, socket {answer.get('socket')}")
        print(f"state: {state}; served {answer.get('served')} request(s)")
        if answer.get("timeout"):
            left = answer.get("forget_in")
            print(f"timeout: {answer['timeout']:g} s" + (f", forgets in {left} s" if left is not None else ""))
        print("memory: " + "; ".join(_memory_notes(answer)))
    else:
        print({"stop": "agent stopped", "lock": "agent locked: it forgot every secret",
               "unlock": "agent unlocked"}[ns.action])
    return 0


def _memory_notes(answer: dict) -> list[str]:
    """How hard the agent's memory is to read (see kubewallet.agent.memory), in plain words."""
    notes = ["non-dumpable" if answer.get("dumpable") == 0 else
             "dumpable (other processes of yours can read it)"]
    if answer.get("locked_memory") is True:
        notes.append("secrets in locked memory (never swapped)")
    elif answer.get("locked_memory") is False:
        notes.append("secrets NOT in locked memory (mlock refused: raise 'ulimit -l'); they may be swapped")
    notes.append("freed memory cleared" if answer.get("hardened_allocator") else
                 "freed memory not cleared (an agent inside another program)")
    return notes


def _start(timeout: float | None) -> int:
    import os
    import subprocess
    import time

    from kubewallet.agent import client
    from kubewallet.agent.paths import ensure_private_dir, socket_path
    from kubewallet.errors import AgentError

    try:
        status = client.request({"op": "status"}, timeout=1.0)
        print(f"an agent is already running (pid {status.get('pid')}, socket {status.get('socket')})")
        return 0
    except client.NoAgent as exc:
        if exc.untrusted:
            # A folder of someone else's is refused here, before any passphrase is asked; a
            # socket in our own folder that another uid answers on is replaced by the new agent.
            ensure_private_dir(os.path.dirname(socket_path()))
            print(f"kubewallet: {exc}; starting your own agent in its place", file=sys.stderr)
    passphrase = _passphrase_if_needed()
    cmd = [sys.executable, "-m", "kubewallet", "agent", "run", "--passphrase-stdin"]
    if timeout is not None:
        cmd += ["--timeout", str(timeout)]
    from kubewallet.agent.memory import hardened_environment

    env = hardened_environment(dict(os.environ))  # so `agent run` need not restart itself for it
    env.pop("KUBEWALLET_VAULT_PASSPHRASE", None)  # handed over on stdin, never left in an environment
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True, env=env, close_fds=True)
    assert proc.stdin is not None
    proc.stdin.write(((passphrase or "") + "\n").encode())
    proc.stdin.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AgentError(f"the agent exited at start (status {proc.returncode})",
                             hint="run 'kubewallet agent run' to see why")
        try:
            client.request({"op": "status"}, timeout=1.0)
            break
        except client.NoAgent:
            time.sleep(0.05)
    else:
        raise AgentError("the agent did not answer within 10 s")
    print(f"agent started: pid {proc.pid}, socket {socket_path()}")
    return 0
