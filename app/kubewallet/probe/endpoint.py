"""Where a cluster entry dials and what it trusts, read the way client-go builds its transport.

- `server` is an URL; its host and port are dialled (443 for https, 80 for http when none is
  given), and its path is a prefix for every API path (client-go `rest.DefaultServerURL`).
- `tls-server-name` replaces the host for SNI and for the certificate's name check.
- `certificate-authority-data` wins over `certificate-authority` (a path relative to the file
  that names it); with neither, the system's trust store is used.
- `insecure-skip-tls-verify` turns verification off (kubectl refuses it together with a CA;
  client-go: "specifying a root certificates file with the insecure flag is not allowed").
- `proxy-url` (http, https, socks5) wins; otherwise `HTTPS_PROXY`/`HTTP_PROXY` and `NO_PROXY`
  from the environment, and a loopback server is never proxied (Go's `http.ProxyFromEnvironment`).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from kubewallet.inspect.sources import field_material
from kubewallet.oidc.config import is_loopback_host  # the one loopback rule (Go's httpproxy uses the same)


@dataclass(frozen=True)
class Endpoint:
    server: str
    scheme: str
    host: str
    port: int
    prefix: str                 # path prefix of the server URL, "" or "/k8s"
    server_name: str            # SNI and name check: tls-server-name, else host
    ca_pem: bytes | None        # None: the system's trust store
    ca_source: str              # "certificate-authority-data of cluster dev" / "the system's trust store"
    insecure: bool
    proxy: str                  # "" (direct) or the proxy URL in use
    problem: str = ""           # why the entry cannot be dialled at all
    trust_problem: str = ""     # why its TLS settings cannot be used (a CA file missing, ...)

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}" if ":" not in self.host else f"[{self.host}]:{self.port}"


def environment_proxy(scheme: str, host: str) -> str:
    """The proxy Go's `http.ProxyFromEnvironment` picks for this server, "" for none."""
    if is_loopback_host(host):
        return ""
    import urllib.request

    proxies = urllib.request.getproxies_environment()
    proxy = proxies.get(scheme, "")
    if proxy and urllib.request.proxy_bypass_environment(host, proxies):
        return ""
    return proxy


def endpoint(ws, cluster_name: str) -> Endpoint:
    """The endpoint of one cluster entry; `problem` says why there is none."""
    entry = ws.clusters.get(cluster_name)
    if entry is None:
        return Endpoint("", "", "", 0, "", "", None, "", False, "",
                        problem=f"cluster {cluster_name!r} does not exist in the kubeconfig")
    body = entry.body or {}
    server = str(body.get("server") or "")
    try:
        parts = urlsplit(server)
        scheme = (parts.scheme or "https").lower()
        port = parts.port or (443 if scheme == "https" else 80)
        host, prefix = parts.hostname or "", parts.path.rstrip("/")
    except ValueError:  # a bad port or IPv6 literal: client-go refuses the URL too
        scheme, port, host, prefix = "", 0, "", ""
    problem = trust_problem = ""
    if not server:
        problem = f"cluster {cluster_name!r} has no server"
    elif scheme not in ("https", "http") or not host or not port:
        problem = f"cluster {cluster_name!r} has a server URL kubectl cannot use: {server}"
    insecure = bool(body.get("insecure-skip-tls-verify"))
    ca_pem, ca_source = None, "the system's trust store"
    material = field_material(ws, entry, "certificate-authority-data", "certificate-authority")
    if material is not None:
        if material.data is None:
            trust_problem = material.error
        else:
            ca_pem, ca_source = material.data, f"the CA of {material.source}"
    if insecure and material is not None:
        trust_problem = ("specifying a root certificates file with the insecure flag is not allowed "
                   f"(cluster {cluster_name!r})")
    proxy = str(body.get("proxy-url") or "") or environment_proxy(scheme, host)
    return Endpoint(server, scheme, host, port, prefix,
                    str(body.get("tls-server-name") or "") or host, ca_pem, ca_source, insecure,
                    proxy, problem, trust_problem)


def cluster_info(ws, cluster_name: str) -> dict | None:
    """`spec.cluster` of KUBERNETES_EXEC_INFO for plugins with provideClusterInfo (client-go's
    `clientauthentication.Cluster`: server, tls-server-name, insecure, CA data, proxy-url and the
    `client.authentication.k8s.io/exec` extension's config)."""
    entry = ws.clusters.get(cluster_name)
    if entry is None:
        return None
    body = entry.body or {}
    info: dict = {"server": body.get("server", "")}
    if body.get("tls-server-name"):
        info["tls-server-name"] = body["tls-server-name"]
    if body.get("insecure-skip-tls-verify"):
        info["insecure-skip-tls-verify"] = True
    material = field_material(ws, entry, "certificate-authority-data", "certificate-authority")
    if material is not None and material.data is not None:
        import base64

        info["certificate-authority-data"] = base64.b64encode(material.data).decode()
    if body.get("proxy-url"):
        info["proxy-url"] = body["proxy-url"]
    for ext in body.get("extensions") or []:
        if isinstance(ext, dict) and ext.get("name") == "client.authentication.k8s.io/exec":
            info["config"] = ext.get("extension")
    return info


def proxy_parts(proxy: str) -> tuple[str, str, int, str, str]:
    """(scheme, host, port, user, password) of a proxy URL, default ports as Go's; port 0 when
    the URL cannot be used."""
    try:
        parts = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
        scheme = parts.scheme.lower()
        default = {"http": 80, "https": 443, "socks5": 1080, "socks5h": 1080}.get(scheme, 0)
        return (scheme, parts.hostname or "", parts.port or default,
                unquote(parts.username or ""), unquote(parts.password or ""))
    except ValueError:  # a bad port or IPv6 literal: the connect stage says the URL is unusable
        return "", "", 0, "", ""
