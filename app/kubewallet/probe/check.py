"""One context's check, and many side by side.

The story of one context, stopping at the first stage that fails:
1. **connect** — DNS and TCP to the server (through its proxy);
2. the credential is obtained as kubectl would (exec plugins without a person);
3. **tls** — the handshake, verified against the cluster's CA (or the system's) and name;
   `insecure-skip-tls-verify` passes with a warning;
4. **auth** — `POST /apis/authentication.k8s.io/v1/selfsubjectreviews` (Kubernetes 1.28+; what
   `kubectl auth whoami` asks), falling back to an authenticated `GET /version` when the server
   answers 404 (older servers: identity unknown, but the credential was accepted);
5. **ok** — with `GET /version`'s `gitVersion`, and the server's identity set against the
   offline `whoami` (`inspect.whoami`), any difference flagged.

A credential is written only on a connection that passed step 3 (see `transport.py`). The whole
context gets `timeout` seconds, the exec plugin included; contexts run in a bounded thread pool,
so thirty unreachable clusters cost one timeout, not thirty.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

from kubewallet.errors import KubewalletError
from kubewallet.execplugin.run import NeedsLogin
from kubewallet.probe import transport as tp
from kubewallet.probe.credential import Credential, obtain
from kubewallet.probe.endpoint import endpoint
from kubewallet.probe.result import CheckResult

SSR_PATH = "/apis/authentication.k8s.io/v1/selfsubjectreviews"
SSR_BODY = json.dumps({"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"}).encode()
MAX_WORKERS = 32


@dataclass(frozen=True)
class CheckOptions:
    timeout: float = 5.0
    interactive: bool = False            # let exec plugins ask a person (kubectl's default)
    vault_reader: Callable[[str], str | None] | None = None   # for the offline whoami
    user_agent: str = field(default="kubewallet-check")


def _json(body: bytes) -> dict:
    try:
        value = json.loads(body)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _status_words(answer: tp.Answer, cred: Credential) -> tuple[str, str]:
    """(reason, message) for an answer that is not a success."""
    if answer.status == 401:
        if cred.what.startswith("none"):
            return tp.UNAUTHORIZED, "the server refuses anonymous requests (401): this user sends no credential"
        kind = "token" if "token" in cred.what else "client certificate" if "certificate" in cred.what \
            else "credential"
        return tp.UNAUTHORIZED, f"{kind} refused (401): {cred.what}"
    message = str(_json(answer.body).get("message") or answer.reason)[:200]
    return tp.ERROR, f"the server answered {answer.status} {answer.reason}: {message}"


def _identity(answer: tp.Answer) -> tuple[str | None, tuple[str, ...]]:
    info = ((_json(answer.body).get("status") or {}).get("userInfo") or {})
    groups = info.get("groups") if isinstance(info.get("groups"), list) else []
    return (str(info["username"]) if info.get("username") else None), tuple(str(g) for g in groups)


def _compare(result: CheckResult, ws, options: CheckOptions) -> CheckResult:
    """The server's identity set against kubewallet's offline whoami."""
    from kubewallet.inspect.timewords import now_utc
    from kubewallet.inspect.whoami import whoami

    try:
        who = whoami(ws, result.context, now=now_utc(), vault_reader=options.vault_reader).identity
    except KubewalletError:
        who = None
    if who is None or not who.username:
        return result
    expected, groups = who.username, tuple(who.groups)
    diffs: list[str] = []
    if result.user is not None:
        if result.user != expected:
            diffs.append(f"the server says you are {result.user!r}; kubewallet whoami expected {expected!r}")
        only_server = sorted(set(result.groups) - set(groups))
        only_offline = sorted(set(groups) - set(result.groups))
        if only_server:
            diffs.append("groups only the server reports: " + ", ".join(only_server))
        if only_offline:
            diffs.append("groups kubewallet whoami expected that the server does not report: " + ", ".join(only_offline))
    return replace(result, expected_user=expected, expected_groups=groups, differences=tuple(diffs))


def check_context(ws, name: str, options: CheckOptions = CheckOptions()) -> CheckResult:
    start = time.monotonic()
    budget = tp.Budget(start + options.timeout, options.timeout)
    body = ws.contexts[name].body or {}
    cluster = str(body.get("cluster") or "")
    ep = endpoint(ws, cluster)
    base = CheckResult(name, False, tp.CONNECT, tp.ERROR, "", 0.0, cluster=cluster, server=ep.server)

    def done(result: CheckResult) -> CheckResult:
        return replace(result, seconds=time.monotonic() - start)

    if ep.problem:
        return done(replace(base, message=ep.problem))
    warnings: list[str] = []
    sock = session = None
    try:
        sock = tp.connect(ep, budget)
        cred, problem = None, None
        try:
            cred = obtain(ws, name, allow_interactive=options.interactive, timeout=max(budget.left(), 0.1))
        except NeedsLogin as exc:
            problem = tp.ProbeFailure(tp.AUTH, tp.NEEDS_LOGIN, f"needs a login: {exc.one_line()}")
        except KubewalletError as exc:
            problem = tp.ProbeFailure(tp.AUTH, tp.ERROR, exc.one_line())
        if ep.trust_problem:
            raise tp.ProbeFailure(tp.TLS, tp.ERROR, ep.trust_problem)
        if ep.scheme == "https":
            ctx = tp.tls_context(ep, cred.client_cert if cred else None)
            sock = tp.handshake(sock, ep, ctx, budget)
            if ep.insecure:
                warnings.append("TLS verification is off (insecure-skip-tls-verify): anyone on the path "
                                "could pose as this server")
        else:
            warnings.append("plain http: nothing is encrypted and the server is not verified")
        if problem is not None or cred is None:
            raise problem or tp.ProbeFailure(tp.AUTH, tp.ERROR, "no credential")
        base = replace(base, credential=cred.what, warnings=tuple(warnings))
        session = tp.Session(sock, ep, budget)
        headers = (*cred.headers, ("Accept", "application/json"), ("User-Agent", options.user_agent))
        review = session.request("POST", SSR_PATH, (*headers, ("Content-Type", "application/json")), SSR_BODY)
        user, groups = None, ()
        if review.status in (200, 201):
            user, groups = _identity(review)
        elif review.status == 403:
            warnings.append("the server forbids SelfSubjectReview (403): the credential was accepted, "
                            "the identity is not known")
        elif review.status not in (404, 405):
            raise tp.ProbeFailure(tp.AUTH, *_status_words(review, cred))
        version = session.request("GET", "/version", headers)
        if version.status != 200:
            if review.status in (404, 405):
                raise tp.ProbeFailure(tp.AUTH, *_status_words(version, cred))
        elif review.status in (404, 405):
            warnings.append("the server has no SelfSubjectReview API (Kubernetes before 1.28): the credential "
                            "was accepted, the identity is not known")
        git = str(_json(version.body).get("gitVersion") or "") if version.status == 200 else ""
        if cred.what.startswith("none") and user == "system:anonymous":
            warnings.append("this user sends no credential: the server treats you as system:anonymous")
        who = f"as {user}" if user else "authenticated"
        result = replace(base, ok=True, stage=tp.OK, reason=tp.WORKS, message=f"works, {who}" +
                         (f" (server {git})" if git else ""), user=user, groups=groups,
                         server_version=git, warnings=tuple(warnings))
        return done(_compare(result, ws, options))
    except tp.ProbeFailure as failure:
        return done(replace(base, stage=failure.stage, reason=failure.reason, message=failure.message,
                            warnings=tuple(warnings)))
    finally:
        if session is not None:
            session.close()
        elif sock is not None:
            sock.close()


def _serialised(reader: Callable[[str], str | None] | None):
    """The vault is opened once, on first use: one worker at a time may ask it."""
    if reader is None:
        return None
    lock = threading.Lock()

    def read(ref: str) -> str | None:
        with lock:
            return reader(ref)

    return read


def check_contexts(ws, names: Iterable[str], options: CheckOptions = CheckOptions(), *,
                   workers: int = MAX_WORKERS,
                   on_result: Callable[[CheckResult], None] | None = None) -> list[CheckResult]:
    """Check several contexts side by side (a bounded pool); results in the order asked."""
    names = list(names)
    if not names:
        return []
    options = replace(options, vault_reader=_serialised(options.vault_reader))

    def one(name: str) -> CheckResult:
        try:
            result = check_context(ws, name, options)
        except Exception as exc:  # noqa: BLE001 - one broken context must not hide the others' answers
            result = CheckResult(name, False, tp.CONNECT, tp.ERROR,
                                 f"kubewallet could not check this context (an internal error, "
                                 f"{type(exc).__name__}: please report it)", 0.0)
        if on_result is not None:
            on_result(result)
        return result

    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(names))), thread_name_prefix="check") as pool:
        return list(pool.map(one, names))
