"""A loopback HTTPS stand-in for the Kubernetes API server's *authentication step only*.

No kube-apiserver can run on these machines, yet "kubectl really sent this credential" must be
proven with the real kubectl and the real `kubernetes` Python client. This server does what the
API server does up to and including authentication (RECIPES.md, "An API server that checks
credentials"): TLS with a server certificate for 127.0.0.1 from the test CA, client certificates
verified against that CA (`CERT_OPTIONAL`, or `CERT_REQUIRED` for a mutual-TLS-only server), the
`Authorization: Bearer` token checked by a pluggable callable (a fixed table by default; the OIDC
tests plug in an id_token verifier against the provider's JWKS), and 401 with a `Status` body when
no valid credential came. Behind that it answers just enough for `kubectl get pods`,
`CoreV1Api.list_namespaced_pod` and `kubectl auth whoami`: `/version`, `/api`, `/apis`, `/api/v1`,
`/api/v1/namespaces/NS/pods` (a `Table` when the client asks for one, else a `PodList`), and
`POST /apis/authentication.k8s.io/v1/selfsubjectreviews` (the user name, and the groups: a
certificate's O values, or the `groups` table for a token user, plus `system:authenticated`;
`self_subject_review=False` answers 404 there, as servers before 1.28 do).
It does no authorization and stores nothing; every request is recorded in `requests`.
"""

from __future__ import annotations

import json
import ssl
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

TokenCheck = Callable[[str], "str | None"]


@dataclass(frozen=True)
class SeenRequest:
    """One request as the authentication step saw it."""

    method: str
    path: str
    token: str | None            # the bearer token, as sent
    client_subject: str | None   # the verified client certificate's subject, e.g. "CN=alice,O=dev"
    client_cn: str | None
    user: str | None             # who it authenticated as (None: rejected with 401)
    groups: tuple[str, ...] = ()  # the groups it authenticated with (certificate O values, or the table)


def _subject(cert: dict | None) -> tuple[str | None, str | None, tuple[str, ...]]:
    if not cert or "subject" not in cert:
        return None, None, ()
    parts, cn, orgs = [], None, []
    for rdn in cert["subject"]:
        for key, value in rdn:
            short = {"commonName": "CN", "organizationName": "O"}.get(key, key)
            parts.append(f"{short}={value}")
            if key == "commonName":
                cn = value
            elif key == "organizationName":
                orgs.append(value)
    # RFC 4514 writes the most specific RDN first; the certs here put O before CN.
    return ",".join(reversed(parts)), cn, tuple(orgs)


class ApiServer:
    """`with ApiServer(pki, tokens={"t0k3n": "alice"}) as api: api.url, api.requests`.

    `token_check(token) -> user name | None` replaces the fixed `tokens` table when given.
    `require_client_cert=True` makes the TLS handshake demand a client certificate (mutual TLS).
    `groups` maps a token user's name to its groups; `self_subject_review=False` makes the
    SelfSubjectReview API missing (404), as on servers before Kubernetes 1.28.
    """

    def __init__(self, pki, *, tokens: dict[str, str] | None = None,
                 token_check: TokenCheck | None = None, require_client_cert: bool = False,
                 pods: tuple[str, ...] = ("hello-kubewallet",),
                 groups: dict[str, tuple[str, ...]] | None = None, self_subject_review: bool = True) -> None:
        self.pki = pki
        self.tokens = dict(tokens or {})
        self.groups = dict(groups or {})
        self.self_subject_review = self_subject_review
        self.token_check = token_check or self.tokens.get
        self.require_client_cert = require_client_cert
        self.pods = pods
        self.requests: list[SeenRequest] = []
        self.failed_handshakes = 0   # TLS handshakes the client broke off (it did not trust us)
        self._lock = threading.Lock()
        self._dir = tempfile.TemporaryDirectory(prefix="apiserver-")
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle ----------------------------------------------------------------------------
    def _context(self) -> ssl.SSLContext:
        issued = self.pki.issue("127.0.0.1", server=True, ips=("127.0.0.1",), dns=("localhost",))
        d = Path(self._dir.name)
        (d / "server.crt").write_bytes(issued.cert_pem)
        (d / "server.key").write_bytes(issued.key_pem)
        (d / "ca.crt").write_bytes(self.pki.cert_pem)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(d / "server.crt", d / "server.key")
        ctx.load_verify_locations(d / "ca.crt")
        ctx.verify_mode = ssl.CERT_REQUIRED if self.require_client_cert else ssl.CERT_OPTIONAL
        return ctx

    def start(self) -> ApiServer:
        ctx = self._context()
        server = self

        class Handler(_Handler):
            api = server

        httpd = _Server(("127.0.0.1", 0), Handler)
        httpd.api = self
        httpd.daemon_threads = True
        httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True, do_handshake_on_connect=False)
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, name="apiserver", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        self._dir.cleanup()

    def __enter__(self) -> ApiServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ---- what tests use -----------------------------------------------------------------------
    @property
    def port(self) -> int:
        assert self._httpd is not None, "start() first"
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def cluster_entry(self) -> dict:
        """The `cluster:` body of a kubeconfig that reaches this server and trusts its CA."""
        return {"server": self.url, "certificate-authority-data": self.pki.cert_b64}

    def authenticated(self) -> list[SeenRequest]:
        with self._lock:
            return [r for r in self.requests if r.user is not None]

    def record(self, seen: SeenRequest) -> None:
        with self._lock:
            self.requests.append(seen)


class _Server(ThreadingHTTPServer):
    api: ApiServer

    def handle_error(self, request, client_address) -> None:
        """A client that rejects our certificate aborts the handshake: count it, print nothing."""
        import sys

        if isinstance(sys.exc_info()[1], (ssl.SSLError, ConnectionError)):
            with self.api._lock:
                self.api.failed_handshakes += 1
            return
        super().handle_error(request, client_address)


def _status(code: int, reason: str, message: str) -> dict:
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}


class _Handler(BaseHTTPRequestHandler):
    api: ApiServer
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args) -> None:  # keep test output clean (and free of tokens)
        pass

    def _send(self, code: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _authenticate(self) -> SeenRequest:
        token = None
        auth = self.headers.get("Authorization", "")
        if auth.lower().startswith("bearer "):
            token = auth[7:].strip()
        try:
            cert = self.connection.getpeercert()
        except (ValueError, AttributeError):
            cert = None
        subject, cn, orgs = _subject(cert)
        user, groups = None, ()
        if token:
            # The API server tries the bearer token; a wrong token is a 401 even with a certificate.
            user = self.api.token_check(token)
            groups = tuple(self.api.groups.get(user, ())) if user else ()
        elif cn:
            user, groups = cn, orgs
        seen = SeenRequest(self.command, self.path, token, subject, cn, user, groups)
        self.api.record(seen)
        return seen

    def do_GET(self) -> None:
        seen = self._authenticate()
        if seen.user is None:
            self._send(401, _status(401, "Unauthorized", "Unauthorized"))
            return
        path = self.path.split("?", 1)[0].rstrip("/")
        if path == "/version":
            self._send(200, {"major": "1", "minor": "35", "gitVersion": "v1.35.0-kubewallet-stub",
                             "platform": "linux/amd64"})
        elif path == "/api":
            self._send(200, {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [
                {"clientCIDR": "0.0.0.0/0", "serverAddress": f"127.0.0.1:{self.api.port}"}]})
        elif path == "/apis":
            self._send(200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": []})
        elif path == "/api/v1":
            self._send(200, {"kind": "APIResourceList", "groupVersion": "v1", "resources": [
                {"name": "pods", "singularName": "pod", "namespaced": True, "kind": "Pod",
                 "verbs": ["get", "list"], "shortNames": ["po"], "categories": ["all"]},
                {"name": "namespaces", "singularName": "namespace", "namespaced": False,
                 "kind": "Namespace", "verbs": ["get", "list"], "shortNames": ["ns"]}]})
        elif path.startswith("/api/v1/namespaces/") and path.endswith("/pods") and path.count("/") == 5:
            self._send(200, self._pods(path.split("/")[4]))
        else:
            self._send(404, _status(404, "NotFound", "the server could not find the requested resource"))

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        sent = self.rfile.read(length) if length else b""
        seen = self._authenticate()
        if seen.user is None:
            self._send(401, _status(401, "Unauthorized", "Unauthorized"))
            return
        path = self.path.split("?", 1)[0].rstrip("/")
        if path == "/apis/authentication.k8s.io/v1/selfsubjectreviews" and self.api.self_subject_review:
            try:
                asked = json.loads(sent or b"{}")
            except ValueError:
                asked = {}
            if asked.get("kind") != "SelfSubjectReview":
                self._send(400, _status(400, "BadRequest", "expected a SelfSubjectReview"))
                return
            info = {"username": seen.user, "groups": [*seen.groups, "system:authenticated"]}
            self._send(201, {"kind": "SelfSubjectReview", "apiVersion": "authentication.k8s.io/v1",
                             "metadata": {"creationTimestamp": None}, "status": {"userInfo": info}})
        else:
            self._send(404, _status(404, "NotFound", "the server could not find the requested resource"))

    def _pods(self, namespace: str) -> dict:
        created = "2026-01-01T00:00:00Z"
        if "as=Table" in self.headers.get("Accept", ""):
            cols = [{"name": n, "type": t, "format": f, "description": "", "priority": 0}
                    for n, t, f in (("Name", "string", "name"), ("Ready", "string", ""),
                                    ("Status", "string", ""), ("Restarts", "string", ""),
                                    ("Age", "string", ""))]
            rows = [{"cells": [name, "1/1", "Running", "0", "1d"],
                     "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                                "metadata": {"name": name, "namespace": namespace,
                                             "creationTimestamp": created}}}
                    for name in self.api.pods]
            return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {"resourceVersion": "1"},
                    "columnDefinitions": cols, "rows": rows}
        items = [{"metadata": {"name": name, "namespace": namespace, "creationTimestamp": created},
                  "spec": {"containers": [{"name": "app", "image": "registry.example/app:1"}]},
                  "status": {"phase": "Running"}} for name in self.api.pods]
        return {"kind": "PodList", "apiVersion": "v1", "metadata": {"resourceVersion": "1"}, "items": items}
