"""The demo workspace: a generated, throwaway set of kubeconfig files that shows every feature.

`kubewallet --demo` builds it in a temporary directory, so a newcomer can switch, edit, secure,
inspect and ask "can I?" without touching their own `~/.kube/config`. Everything here is made at
run time (certificates with `cryptography`, tokens signed with a fresh key): nothing secret is
shipped, and every run differs.

What it holds, and what each item is there to show:
- clusters: one with embedded CA data, one with a CA *file* (relative path), one plain `http://`
  with `insecure-skip-tls-verify` (lint findings), and a second file that redefines a cluster
  name (first file wins; lint reports the duplicate);
- users of every credential kind: client certificates that are healthy, expiring in 9 days, and
  expired with the `system:masters` group; a bound ServiceAccount token and a legacy one that never
  expires; basic auth; an exec plugin that is not installed; a removed `gcp` auth-provider; an
  OIDC user through `kubewallet oidc-login` (an offline example: its issuer does not exist);
- contexts with namespaces, one naming a cluster that does not exist (dangling);
- `rbac/`: Roles, ClusterRoles and bindings for those identities, for the Access page;
- a secured user (`alice@prod-eu`): its certificate and key moved by `kubewallet secure` into a
  vault file *inside the demo folder*, encrypted under a demo passphrase, so the demo never
  touches the person's real keyring. `DemoWorkspace.env` holds what a process must set to see it.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

UTC = dt.timezone.utc
DEMO_ISSUER = "https://login.demo.invalid"  # reserved TLD: never resolves, clearly an example
DEMO_VAULT_PASSPHRASE = "kubewallet-demo"    # protects only generated, throwaway demo secrets
SECURED_USER = "alice@prod-eu"


@dataclass(frozen=True)
class DemoWorkspace:
    directory: Path
    files: tuple[Path, ...]
    rbac_dir: Path

    @property
    def kubeconfig(self) -> str:
        """The value for KUBECONFIG: both files, the primary first."""
        return os.pathsep.join(str(f) for f in self.files)

    @property
    def env(self) -> dict[str, str]:
        """What a process (the app, or kubectl started from it) sets to use the demo: the files,
        and the demo's own vault file with its passphrase, so the real keyring is never used."""
        return {"KUBECONFIG": self.kubeconfig,
                "KUBEWALLET_VAULT_FILE": str(self.directory / "vault.json"),
                "KUBEWALLET_VAULT_PASSPHRASE": DEMO_VAULT_PASSPHRASE,
                "KUBEWALLET_OIDC_CLAIMS_FILE": str(self.directory / "oidc-claims.json"),
                "KUBEWALLET_RBAC": str(self.rbac_dir),  # rbac.session.WORKSPACE_POLICY_ENV
                "KUBEWALLET_NO_AGENT_AUTOSTART": "1"}


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _pki():
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "demo-cluster-ca")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - dt.timedelta(days=400)).not_valid_after(now + dt.timedelta(days=3250))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .sign(ca_key, hashes.SHA256()))

    def pem(cert) -> bytes:
        return cert.public_bytes(serialization.Encoding.PEM)

    def issue(cn: str, orgs: list[str], start: dt.datetime, end: dt.datetime):
        key = ec.generate_private_key(ec.SECP256R1())
        attrs = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, o) for o in orgs]
        attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
        cert = (x509.CertificateBuilder().subject_name(x509.Name(attrs)).issuer_name(ca_name)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(start).not_valid_after(end)
                .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
                .sign(ca_key, hashes.SHA256()))
        key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
        return pem(cert), key_pem

    return now, pem(ca), issue


def _tokens(now: dt.datetime) -> tuple[str, str, str]:
    """A bound ServiceAccount token, a legacy one (no expiry), and an OIDC id_token."""
    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ts = int(now.timestamp())
    bound = jwt.encode({
        "aud": ["https://kubernetes.default.svc"], "exp": ts + 3600, "iat": ts - 60, "nbf": ts - 60,
        "iss": "https://kubernetes.default.svc", "sub": "system:serviceaccount:ci:builder",
        "kubernetes.io": {"namespace": "ci", "serviceaccount": {"name": "builder", "uid": "5f0c1e2a-demo"},
                          "pod": {"name": "builder-7d9f", "uid": "9a1b2c3d-demo"}},
    }, key, algorithm="RS256", headers={"kid": "demo-sa-key"})
    legacy = jwt.encode({
        "iss": "kubernetes/serviceaccount", "kubernetes.io/serviceaccount/namespace": "kube-system",
        "kubernetes.io/serviceaccount/secret.name": "legacy-deployer-token-x7k2p",
        "kubernetes.io/serviceaccount/service-account.name": "legacy-deployer",
        "kubernetes.io/serviceaccount/service-account.uid": "0e1d2c3b-demo",
        "sub": "system:serviceaccount:kube-system:legacy-deployer",
    }, key, algorithm="RS256")
    id_token = jwt.encode({
        "iss": DEMO_ISSUER, "aud": "kubernetes", "sub": "CgVhbGljZRIFbG9jYWw", "email": "alice@example.com",
        "email_verified": True, "groups": ["platform", "oncall"], "iat": ts - 300, "exp": ts + 2700,
        "nonce": "demo",
    }, key, algorithm="RS256", headers={"kid": "demo-oidc-key"})
    return bound, legacy, id_token


def _rbac() -> list[dict]:
    def role(kind, name, rules, ns=None, labels=None, aggregation=None):
        meta = {"name": name}
        if ns:
            meta["namespace"] = ns
        if labels:
            meta["labels"] = labels
        obj = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": meta, "rules": rules}
        if aggregation:
            obj["aggregationRule"] = aggregation
        return obj

    def binding(kind, name, role_kind, role_name, subjects, ns=None):
        meta = {"name": name}
        if ns:
            meta["namespace"] = ns
        return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": meta,
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role_name},
                "subjects": subjects}

    user = lambda n: {"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": n}  # noqa: E731
    group = lambda n: {"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": n}  # noqa: E731
    sa = lambda ns, n: {"kind": "ServiceAccount", "namespace": ns, "name": n}  # noqa: E731
    return [
        role("ClusterRole", "payments-reader", [
            {"apiGroups": [""], "resources": ["pods", "pods/log", "services", "configmaps"], "verbs": ["get", "list", "watch"]},
            {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get", "list", "watch"]}]),
        role("ClusterRole", "monitoring-aggregate", [], labels=None,
             aggregation={"clusterRoleSelectors": [{"matchLabels": {"demo.kubewallet.io/aggregate-to-monitoring": "true"}}]}),
        role("ClusterRole", "metrics-viewer", [
            {"apiGroups": ["metrics.k8s.io"], "resources": ["pods", "nodes"], "verbs": ["get", "list"]},
            {"nonResourceURLs": ["/metrics", "/healthz/*"], "verbs": ["get"]}],
             labels={"demo.kubewallet.io/aggregate-to-monitoring": "true"}),
        role("Role", "web-deployer", [
            {"apiGroups": ["apps"], "resources": ["deployments", "deployments/scale"], "verbs": ["get", "list", "update", "patch"]},
            {"apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["web-config"], "verbs": ["get", "update"]}],
             ns="web"),
        role("Role", "ci-builder", [
            {"apiGroups": [""], "resources": ["pods", "pods/exec"], "verbs": ["create", "get", "delete"]},
            {"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list"]}], ns="ci"),
        binding("RoleBinding", "dev-team-read-payments", "ClusterRole", "payments-reader", [group("dev-team")], ns="payments"),
        binding("ClusterRoleBinding", "sre-monitoring", "ClusterRole", "monitoring-aggregate", [group("sre")]),
        binding("RoleBinding", "deploy-bot-web", "Role", "web-deployer", [user("deploy-bot")], ns="web"),
        binding("RoleBinding", "ci-builder", "Role", "ci-builder", [sa("ci", "builder")], ns="ci"),
        binding("ClusterRoleBinding", "legacy-deployer-admin", "ClusterRole", "cluster-admin", [sa("kube-system", "legacy-deployer")]),
        binding("ClusterRoleBinding", "oidc-platform-view", "ClusterRole", "view", [group("oidc:platform")]),
    ]


def build(directory: Path) -> DemoWorkspace:
    """Write the demo workspace into `directory` (created if needed)."""
    directory = Path(directory)
    now, ca_pem, issue = _pki()
    day = dt.timedelta(days=1)
    certs = {"alice": issue("alice", ["dev-team", "sre"], now - 30 * day, now + 335 * day),
             "deploy-bot": issue("deploy-bot", ["ci"], now - 356 * day, now + 9 * day),
             "old-admin": issue("old-admin", ["system:masters"], now - 368 * day, now - 3 * day)}
    bound, legacy, id_token = _tokens(now)
    _write_side_files(directory, ca_pem, certs["deploy-bot"], id_token)
    primary = _primary_config(directory, ca_pem, certs, bound, legacy)
    team = _team_config(ca_pem)
    files = tuple(_write_kubeconfig(directory / name, doc) for name, doc in (("config", primary), ("team.yaml", team)))
    ws = DemoWorkspace(directory, files, _write_rbac(directory))
    _secure_one_user(ws)
    _cache_oidc_login(primary, id_token, now)
    _write_notes(ws)
    return ws


def _private(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    path.chmod(0o600)


def _write_side_files(directory: Path, ca_pem: bytes, bot: tuple[bytes, bytes], id_token: str) -> None:
    """The files the kubeconfig names by path: a CA file, a certificate and key on disk (the
    "secret in a file" case), the team's token file, and the OIDC user's id_token."""
    (directory / "certs").mkdir(parents=True, exist_ok=True)
    (directory / "certs" / "ca.crt").write_bytes(ca_pem)
    (directory / "certs" / "deploy-bot.crt").write_bytes(bot[0])
    _private(directory / "certs" / "deploy-bot.key", bot[1])
    _private(directory / "team-token.txt", b"demo-team-token-not-real\n")
    # The OIDC user's cached id_token, where `kubewallet oidc-login` keeps its cache, so the
    # Tokens page has a real id_token to decode without a provider.
    _private(directory / "oidc-id-token.jwt", (id_token + "\n").encode())


def _primary_config(directory: Path, ca_pem: bytes, certs: dict, bound: str, legacy: str) -> dict:
    """The main file: one user of every credential kind kubectl knows, and contexts that show
    each problem the window and `lint` point out (expired admin, dangling cluster, ...)."""
    alice, old = certs["alice"], certs["old-admin"]
    return {
        "apiVersion": "v1", "kind": "Config", "preferences": {},
        "clusters": [
            {"name": "prod-eu", "cluster": {"server": "https://prod-eu.k8s.demo.invalid:6443",
                                            "certificate-authority-data": _b64(ca_pem)}},
            {"name": "staging", "cluster": {"server": "https://staging.k8s.demo.invalid:6443",
                                            "certificate-authority": "certs/ca.crt"}},
            {"name": "dev-local", "cluster": {"server": "http://127.0.0.1:8080",
                                              "insecure-skip-tls-verify": True}},
            {"name": "ci", "cluster": {"server": "https://ci.k8s.demo.invalid",
                                       "certificate-authority-data": _b64(ca_pem),
                                       "tls-server-name": "kubernetes.default.svc"}},
        ],
        "users": [
            {"name": "alice@prod-eu", "user": {"client-certificate-data": _b64(alice[0]),
                                               "client-key-data": _b64(alice[1])}},
            {"name": "deploy-bot", "user": {"client-certificate": "certs/deploy-bot.crt",
                                            "client-key": "certs/deploy-bot.key"}},
            {"name": "old-admin", "user": {"client-certificate-data": _b64(old[0]),
                                           "client-key-data": _b64(old[1])}},
            {"name": "ci-builder", "user": {"token": bound}},
            {"name": "legacy-deployer", "user": {"token": legacy}},
            {"name": "basic-user", "user": {"username": "admin", "password": "demo-password-not-real"}},
            {"name": "oidc-alice", "user": {"exec": {
                "apiVersion": "client.authentication.k8s.io/v1", "command": "kubewallet",
                "args": ["oidc-login", "get-token", f"--oidc-issuer-url={DEMO_ISSUER}",
                         "--oidc-client-id=kubernetes", "--oidc-extra-scope=email",
                         "--oidc-extra-scope=groups", f"--token-cache-dir={directory / 'oidc-cache'}"],
                "interactiveMode": "IfAvailable",
                "installHint": "An offline example: login.demo.invalid does not exist."}}},
            {"name": "eks-user", "user": {"exec": {
                "apiVersion": "client.authentication.k8s.io/v1beta1", "command": "aws-iam-authenticator-demo",
                "args": ["token", "-i", "demo-cluster"]}}},
            {"name": "gke-legacy", "user": {"auth-provider": {"name": "gcp", "config": {
                "cmd-path": "/usr/lib/google-cloud-sdk/bin/gcloud", "access-token": "ya29.demo-not-real"}}}},
        ],
        "contexts": [
            {"name": "prod-eu", "context": {"cluster": "prod-eu", "user": "alice@prod-eu", "namespace": "payments"}},
            {"name": "staging", "context": {"cluster": "staging", "user": "deploy-bot", "namespace": "web"}},
            {"name": "dev", "context": {"cluster": "dev-local", "user": "basic-user", "namespace": "default"}},
            {"name": "ci", "context": {"cluster": "ci", "user": "ci-builder", "namespace": "ci"}},
            {"name": "legacy-admin", "context": {"cluster": "prod-eu", "user": "legacy-deployer", "namespace": "kube-system"}},
            {"name": "break-glass", "context": {"cluster": "prod-eu", "user": "old-admin"}},
            {"name": "oidc-prod", "context": {"cluster": "prod-eu", "user": "oidc-alice", "namespace": "payments"}},
            {"name": "eks-demo", "context": {"cluster": "ci", "user": "eks-user"}},
            {"name": "gke-legacy", "context": {"cluster": "ci", "user": "gke-legacy"}},
            {"name": "decommissioned", "context": {"cluster": "us-west-old", "user": "alice@prod-eu"}},
        ],
        "current-context": "staging",
    }


def _team_config(ca_pem: bytes) -> dict:
    """A second file on KUBECONFIG: its `staging` cluster is shadowed by the first file's."""
    return {
        "apiVersion": "v1", "kind": "Config",
        "clusters": [
            {"name": "team-sandbox", "cluster": {"server": "https://sandbox.team.demo.invalid",
                                                 "certificate-authority-data": _b64(ca_pem)}},
            {"name": "staging", "cluster": {"server": "https://shadowed.demo.invalid"}},
        ],
        "users": [{"name": "team-token", "user": {"tokenFile": "team-token.txt"}}],
        "contexts": [
            {"name": "team-a", "context": {"cluster": "team-sandbox", "user": "team-token", "namespace": "team-a"}},
            {"name": "team-b", "context": {"cluster": "team-sandbox", "user": "team-token", "namespace": "team-b"}},
        ],
    }


def _write_kubeconfig(path: Path, doc: dict) -> Path:
    import yaml

    _private(path, yaml.safe_dump(doc, sort_keys=False, width=1 << 20).encode())
    return path


def _write_rbac(directory: Path) -> Path:
    import yaml

    rbac_dir = directory / "rbac"
    rbac_dir.mkdir(exist_ok=True)
    (rbac_dir / "demo-policy.yaml").write_text(yaml.safe_dump_all(_rbac(), sort_keys=False))
    return rbac_dir


def _write_notes(ws: DemoWorkspace) -> None:
    # How the demo's API server maps OIDC claims (its --oidc-* flags), so the OIDC user lands in
    # the `oidc:platform` group that the demo's RBAC binds.
    (ws.directory / "oidc-claims.json").write_text(json.dumps(
        {"prod-eu": {"usernameClaim": "email", "groupsClaim": "groups", "groupsPrefix": "oidc:"}}, indent=2))
    (ws.directory / "README.txt").write_text(
        "kubewallet demo workspace (generated; safe to delete).\n"
        + "".join(f"{k}={v}\n" for k, v in ws.env.items() if k != "KUBEWALLET_VAULT_PASSPHRASE")
        + f"RBAC manifests: {ws.rbac_dir}\n")


def _cache_oidc_login(primary: dict, id_token: str, now: dt.datetime) -> None:
    """Put the OIDC user's id_token where `kubewallet oidc-login get-token` keeps it (the demo's
    own cache folder, named in the exec entry), so whoami and the Tokens page resolve it."""
    from kubewallet.oidc.flags import login_from_exec
    from kubewallet.oidc.tokencache import CachedToken, TokenCache

    exec_body = next(u["user"]["exec"] for u in primary["users"] if u["name"] == "oidc-alice")
    flags = login_from_exec(exec_body)
    ts = now.timestamp()
    TokenCache(flags.value("token-cache-dir")).save(flags.cache_key(), CachedToken(
        id_token, ts + 2700, ts - 300, DEMO_ISSUER, "kubernetes"))


def _secure_one_user(ws: DemoWorkspace) -> None:
    """Move one user's certificate and key into the demo's own encrypted vault file."""
    from kubewallet.execplugin.secure import secure
    from kubewallet.kubeconfig import LoadingRules
    from kubewallet.vault import open_vault

    env = ws.env
    vault = open_vault(env["KUBEWALLET_VAULT_FILE"], passphrase=DEMO_VAULT_PASSPHRASE)
    vault.reencrypt(source="passphrase", passphrase=DEMO_VAULT_PASSPHRASE)
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)  # secure() writes the exec entry; the vault file is named by env
    try:
        secure(LoadingRules.from_env(str(ws.files[0])), [SECURED_USER], vault=vault)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def build_demo(directory: Path) -> Path:
    """The primary kubeconfig file of a new demo workspace in `directory`.

    Use `build(directory).kubeconfig` for the full KUBECONFIG list (two files)."""
    return build(directory).files[0]


def describe(ws: DemoWorkspace) -> str:
    return json.dumps({"directory": str(ws.directory), "KUBECONFIG": ws.kubeconfig,
                       "rbac": str(ws.rbac_dir)}, indent=2)
