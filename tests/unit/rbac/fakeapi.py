"""A loopback HTTP stand-in for the API server's discovery and authorization endpoints.

No kube-apiserver can run here. This server answers only what `kubectl auth can-i` asks:
legacy discovery (/api, /apis, /api/v1, /apis/G/V, built from kubewallet's resource table)
and SelfSubjectAccessReview / SelfSubjectRulesReview POSTs, whose answers come from a callback
(kubewallet's own evaluator). It exists so the real kubectl parses the arguments and prints the
results, and the tests compare kubectl's requests and output with kubewallet's.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from kubewallet.rbac.resources import builtin_types


# Custom resources the fake server advertises, as a cluster with their CRDs installed would.
CUSTOM = (("example.com", "v1", "widgets", "Widget", True, ()),)


def _discovery() -> dict[str, dict]:
    docs: dict[str, dict] = {"/api": {"kind": "APIVersions", "versions": ["v1"],
                                      "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0",
                                                                      "serverAddress": "127.0.0.1"}]}}
    groups: dict[str, list] = {}
    from kubewallet.rbac.resources import ResourceType

    for t in (*builtin_types(), *(ResourceType(*c) for c in CUSTOM)):
        gv = f"{t.group}/{t.version}" if t.group else t.version
        path = f"/apis/{gv}" if t.group else "/api/v1"
        doc = docs.setdefault(path, {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv,
                                     "resources": []})
        doc["resources"].append({"name": t.plural, "singularName": t.singular, "namespaced": t.namespaced,
                                 "kind": t.kind, "verbs": ["get", "list", "create", "delete"],
                                 **({"shortNames": list(t.short_names)} if t.short_names else {})})
        if t.group:
            groups.setdefault(t.group, [])
            if gv not in groups[t.group]:
                groups[t.group].append(gv)
    docs["/apis"] = {"kind": "APIGroupList", "apiVersion": "v1", "groups": [
        {"name": g, "versions": [{"groupVersion": gv, "version": gv.split("/")[1]} for gv in gvs],
         "preferredVersion": {"groupVersion": gvs[0], "version": gvs[0].split("/")[1]}}
        for g, gvs in groups.items()]}
    return docs


def _fields(data: bytes) -> dict[int, list]:
    """Protocol buffers wire format, just enough for the review objects: varints and bytes."""
    out: dict[int, list] = {}
    i = 0

    def varint() -> int:
        nonlocal i
        shift = value = 0
        while True:
            b = data[i]
            i += 1
            value |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return value

    while i < len(data):
        key = varint()
        number, wire = key >> 3, key & 7
        if wire == 0:
            out.setdefault(number, []).append(varint())
        elif wire == 2:
            n = varint()
            out.setdefault(number, []).append(data[i:i + n])
            i += n
        else:
            raise AssertionError(f"unexpected protobuf wire type {wire}")
    return out


def _strings(msg: bytes, names: dict[int, str]) -> dict[str, str]:
    f = _fields(msg)
    return {name: f[n][0].decode() for n, name in names.items() if n in f}


def _review_from_protobuf(raw: bytes, path: str) -> dict:
    """kubectl sends the reviews as protobuf (k8s envelope: magic, runtime.Unknown{raw=2})."""
    assert raw[:4] == b"k8s\x00"
    obj = _fields(_fields(raw[4:])[2][0])
    spec = _fields(obj.get(2, [b""])[0])
    if path.endswith("/selfsubjectrulesreviews"):
        return {"spec": _strings(obj.get(2, [b""])[0], {1: "namespace"})}
    out: dict = {}
    if 1 in spec:
        out["resourceAttributes"] = _strings(spec[1][0], {1: "namespace", 2: "verb", 3: "group", 4: "version",
                                                          5: "resource", 6: "subresource", 7: "name"})
    if 2 in spec:
        out["nonResourceAttributes"] = _strings(spec[2][0], {1: "path", 2: "verb"})
    return {"spec": out}


class FakeApiServer:
    def __init__(self, ssar: Callable[[dict], dict], ssrr: Callable[[dict], dict]) -> None:
        docs = _discovery()
        self.reviews: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):  # quiet
                pass

            def _send(self, code: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                path = self.path.split("?")[0]
                if path in docs:
                    self._send(200, docs[path])
                else:
                    self._send(404, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "code": 404,
                                     "reason": "NotFound", "message": "not found"})

            def do_POST(self):
                path = self.path.split("?")[0]
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if "protobuf" in (self.headers.get("Content-Type") or ""):
                    body = _review_from_protobuf(raw, path)
                else:
                    body = json.loads(raw)
                if path.endswith("/selfsubjectaccessreviews"):
                    outer.reviews.append(body)
                    body["status"] = ssar(body["spec"])
                elif path.endswith("/selfsubjectrulesreviews"):
                    body["status"] = ssrr(body["spec"])
                else:
                    return self._send(404, {"kind": "Status", "code": 404})
                self._send(201, body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "FakeApiServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def kubeconfig(self, path) -> str:
        path.write_text(
            "apiVersion: v1\nkind: Config\ncurrent-context: fake\n"
            f"clusters: [{{name: fake, cluster: {{server: 'http://127.0.0.1:{self.port}'}}}}]\n"
            "users: [{name: u, user: {token: not-a-secret}}]\n"
            "contexts: [{name: fake, context: {cluster: fake, user: u}}]\n")
        return str(path)
