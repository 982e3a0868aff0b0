"""The plugin's one question to the agent, in the fewest imports Python allows.

Measured on this project's interpreter: `import json` adds ~14 ms to a 13 ms bare start (it pulls
in `re` and `enum`), `import socket` ~14 ms (`enum`, `selectors`), `dataclasses` more. Through the
agent the plugin must cost at most twice a bare interpreter, so this module uses the C modules
underneath them — `_socket` and `_json` — and asks the agent to do everything else: the agent
parses `KUBERNETES_EXEC_INFO`, builds the ExecCredential with `kubewallet.execplugin.protocol`,
checks expiry, and sends back the exact bytes for stdout and stderr. No JSON is parsed here.
Before the request leaves, `agent.trust.connect` checks the socket's folder and the peer's uid.

Request (one JSON line): {"op": "exec", "ref": R, "user": U, "exec_info": RAW}
Answer: b"<code>\\n<stdout line>\\n<stderr text>", where code 0 = serve (write stdout), 1 = fail
(stderr says why), 2 = the agent cannot answer (locked, vault trouble): read the vault directly.
"""

from __future__ import annotations

import _json
import os
import sys

SERVE, FAIL, FALLBACK = 0, 1, 2


def _quote(text: str) -> str:
    return _json.encode_basestring_ascii(text)


def exec_credential(ref: str, user: str | None, exec_info: str,
                    path: str | None = None, timeout: float = 5.0) -> tuple[int, str, str] | None:
    """(code, stdout, stderr) from the agent, or None when no agent of ours answers (when the
    socket fails the checks of `agent.trust`, the reason goes to stderr: kubectl shows it)."""
    request = '{"op":"exec","ref":%s,"user":%s,"exec_info":%s}\n' % (
        _quote(ref), _quote(user or ""), _quote(exec_info))
    data = ask(request, path, timeout)
    if data is None:
        return None
    head, _, rest = data.partition("\n")
    if head not in ("0", "1", "2"):
        return None
    out, _, err = rest.partition("\n")
    return int(head), out, err


def ask(request: str, path: str | None = None, timeout: float = 5.0) -> str | None:
    """Send one request line, return the whole answer; None when no agent answers. Also the
    wrapped plugins' cold path (`kubewallet.execplugin.wrapserve`), which must not import json."""
    from kubewallet.agent.trust import Untrusted, connect

    if path is None:
        from kubewallet.agent.paths import socket_path

        path = socket_path()
    try:
        sock = connect(path, timeout)
    except Untrusted as exc:
        sys.stderr.write(f"kubewallet: not using the agent socket {path}: {exc}\n")
        return None
    except OSError:  # no socket, refused: behave as if there were no agent
        return None
    try:
        sock.sendall(request.encode())
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    except OSError:  # timed out, reset: behave as if there were no agent
        return None
    finally:
        sock.close()
    return b"".join(chunks).decode("utf-8", "replace")


def enabled() -> bool:
    return os.environ.get("KUBEWALLET_NO_AGENT") != "1"
