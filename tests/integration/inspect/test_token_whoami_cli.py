"""`kubewallet token decode` and `kubewallet whoami` end to end, with tokens signed at test time."""

from __future__ import annotations

import json

from tests.integration.inspect.conftest import write_kubeconfig
from tests.support.inspect import Signer, bound_sa_claims, legacy_sa_claims, oidc_claims

ISS = "https://issuer.example"


def test_decode_from_stdin_with_verification(tmp_path, run):
    signer = Signer("rsa")
    token = signer.sign(bound_sa_claims("team-a", "deployer", expires_in=2 * 3600 + 60))
    (tmp_path / "jwks.json").write_text(json.dumps(signer.jwks))
    result = run("token", "decode", "-", "--verify", str(tmp_path / "jwks.json"), stdin=token + "\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("signature: signature verified")
    assert "expiry: expires in 2 hours" in out
    assert "user:     system:serviceaccount:team-a:deployer" in out
    assert "extra:    authentication.kubernetes.io/pod-name=web-0" in out
    assert token not in out


def test_unverified_label_and_json(run):
    token = Signer("ec").sign(oidc_claims("1234", iss=ISS, groups=["dev"]))
    result = run("token", "decode", "-", "-o", "json", "--groups-claim", "groups", stdin=token)
    data = json.loads(result.stdout)
    assert data["signature"]["state"] == "unverified"
    assert data["identity"]["username"] == f"{ISS}#1234"
    assert data["identity"]["groups"] == ["dev", "system:authenticated"]
    assert set(data["times"]) == {"exp", "iat"}


def test_wrong_key_fails_with_exit_1(tmp_path, run):
    token = Signer("rsa").sign(oidc_claims())
    (tmp_path / "other.pem").write_bytes(Signer("rsa").public_pem)
    result = run("token", "decode", "-", "--verify", str(tmp_path / "other.pem"), stdin=token)
    assert result.returncode == 1
    assert "INVALID signature" in result.stdout
    assert result.stderr.strip() == "error: the signature check failed: the signature does not match the key"


def test_garbage_gets_one_precise_line_and_no_echo(run):
    secretish = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXZhbHVlLW5vdC1qc29u.sig"
    result = run("token", "decode", "-", stdin=secretish)
    assert result.returncode == 1
    assert result.stderr.strip() == ("error: segment 2 (claims) is not JSON "
                                     "(Expecting value at line 1 column 1)")
    assert "c2VjcmV0" not in result.stderr + result.stdout
    assert "a JWT has 3 segments" in run("token", "decode", "-", stdin="abc.def").stderr


def _config(tmp_path, pki, users, contexts, current, clusters=None):
    clusters = clusters or [("prod", {"server": "https://127.0.0.1:6443",
                                      "certificate-authority-data": pki.cert_b64})]
    return write_kubeconfig(tmp_path / "config", clusters=clusters, users=users,
                            contexts=contexts, current=current)


def test_whoami_for_each_kind_of_credential(tmp_path, pki, run):
    signer = Signer("rsa")
    jane = pki.issue("jane", ("dev", "ops"))
    (tmp_path / "sa.token").write_text(signer.sign(bound_sa_claims("team-a", "deployer")) + "\n")
    cfg = _config(tmp_path, pki, users=[
        ("jane", {"client-certificate-data": jane.cert_b64, "client-key-data": jane.key_b64}),
        ("sa", {"tokenFile": "sa.token"}),
        ("legacy", {"token": signer.sign(legacy_sa_claims("kube-system", "ci-bot"))}),
        ("oidc", {"auth-provider": {"name": "oidc", "config": {
            "idp-issuer-url": ISS, "client-id": "kubernetes",
            "id-token": signer.sign(oidc_claims("1234", iss=ISS, email="a@x.io", groups=["dev"]))}}}),
        ("gke", {"auth-provider": {"name": "gcp"}}),
        ("imp", {"client-certificate-data": jane.cert_b64, "client-key-data": jane.key_b64,
                 "as": "bob", "as-groups": ["auditors"]}),
    ], contexts=[(n, {"cluster": "prod", "user": n}) for n in ("jane", "sa", "legacy", "oidc", "gke", "imp")],
        current="jane")
    k = ["--kubeconfig", str(cfg), "-o", "json"]

    def who(ctx, *extra):
        result = run("whoami", *k, "--context", ctx, *extra)
        return result.returncode, json.loads(result.stdout)

    code, data = who("jane")
    assert code == 0 and data["identity"]["username"] == "jane"
    assert data["identity"]["groups"] == ["dev", "ops", "system:authenticated"]
    code, data = who("sa")
    assert data["identity"]["username"] == "system:serviceaccount:team-a:deployer"
    assert data["credential"] == f"bearer token (users/sa tokenFile {tmp_path / 'sa.token'})"
    code, data = who("legacy")
    assert "never expires" in data["identity"]["warnings"][0]
    code, data = who("oidc")
    assert data["identity"]["username"] == f"{ISS}#1234"
    code, data = who("oidc", "--username-claim", "email", "--groups-claim", "groups", "--groups-prefix", "oidc:")
    assert data["identity"]["username"] == "a@x.io"
    assert data["identity"]["groups"] == ["oidc:dev", "system:authenticated"]
    code, data = who("gke")
    assert code == 1 and "removed from kubectl in 1.26" in data["problems"][0]
    code, data = who("imp")
    assert data["identity"]["username"] == "bob"
    assert data["identity"]["groups"] == ["auditors", "system:authenticated"]
    assert data["identity"]["impersonatedBy"]["username"] == "jane"
    text = run("whoami", "--kubeconfig", str(cfg)).stdout
    assert "user:     jane" in text and "group dev: O of users/jane client-certificate-data" in text


def test_saved_cluster_claim_settings_are_used(tmp_path, pki, run):
    from kubewallet.inspect import claimrules
    from kubewallet.inspect.identity import OidcClaimRules

    signer = Signer("ec")
    cfg = _config(tmp_path, pki, users=[("o", {"token": signer.sign(oidc_claims("s", iss=ISS, email="e@x.io"))})],
                  contexts=[("o", {"cluster": "prod", "user": "o"})], current="o")
    claimrules.save("prod", OidcClaimRules(username_claim="email"))
    data = json.loads(run("whoami", "--kubeconfig", str(cfg), "-o", "json").stdout)
    assert data["identity"]["username"] == "e@x.io"


def test_whoami_reads_the_oidc_login_cache(tmp_path, pki, run):
    """An exec entry running `kubewallet oidc-login get-token`: the identity comes from the
    id_token that very login cached (the plugin's own cache key), not from another login."""
    from kubewallet.oidc.flags import login_from_exec
    from kubewallet.oidc.tokencache import CachedToken, TokenCache

    signer = Signer("rsa")
    exec_entry = {"apiVersion": "client.authentication.k8s.io/v1", "command": "kubewallet",
                  "args": ["oidc-login", "get-token", f"--oidc-issuer-url={ISS}", "--oidc-client-id=kubernetes"]}
    cfg = _config(tmp_path, pki, users=[("sso", {"exec": exec_entry})],
                  contexts=[("sso", {"cluster": "prod", "user": "sso"})], current="sso")
    before = json.loads(run("whoami", "--kubeconfig", str(cfg), "-o", "json").stdout)
    assert before["identity"] is None and "no id_token cached" in before["problems"][0]
    TokenCache().save("other", CachedToken(signer.sign(oidc_claims("x", iss="https://else")), 2e9, 1e9,
                                           "https://else", "kubernetes"))
    TokenCache().save(login_from_exec(exec_entry).cache_key(), CachedToken(
        signer.sign(oidc_claims("u-7", iss=ISS, email="u7@x.io")), 2e9, 1e9, ISS, "kubernetes"))
    data = json.loads(run("whoami", "--kubeconfig", str(cfg), "-o", "json",
                          "--username-claim", "email").stdout)
    assert data["credential"] == "id_token cached by kubewallet oidc-login"
    assert data["identity"]["username"] == "u7@x.io"


def test_claim_settings_file_can_be_pointed_elsewhere(tmp_path, pki, run):
    signer = Signer("ec")
    cfg = _config(tmp_path, pki, users=[("o", {"token": signer.sign(oidc_claims("s", iss=ISS, email="e@x.io"))})],
                  contexts=[("o", {"cluster": "prod", "user": "o"})], current="o")
    (tmp_path / "claims.json").write_text(json.dumps({"prod": {"usernameClaim": "email"}}))
    data = json.loads(run("whoami", "--kubeconfig", str(cfg), "-o", "json",
                          env={"KUBEWALLET_OIDC_CLAIMS_FILE": str(tmp_path / "claims.json")}).stdout)
    assert data["identity"]["username"] == "e@x.io"
