"""kubelogin's get-token flags, parsed as pflag parses them."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kubewallet.oidc.flags import UNSUPPORTED, login_from_exec, parse_get_token
from kubewallet.errors import UsageError

BASE = ["--oidc-issuer-url=https://dex.example.com", "--oidc-client-id=kubernetes"]


def test_a_typical_kubelogin_kubeconfig_parses():
    flags = parse_get_token([*BASE, "--oidc-client-secret", "s3cret", "--oidc-extra-scope=email,groups",
                             "--oidc-extra-scope", "profile", "--listen-address=127.0.0.1:8000",
                             "--listen-address=127.0.0.1:18000", "--certificate-authority=/ca.pem",
                             "--certificate-authority=/ca2.pem", "--insecure-skip-tls-verify=false",
                             "--skip-open-browser", "--grant-type=device-code", "-v1"])
    config = flags.config()
    assert config.issuer == "https://dex.example.com" and config.client_id == "kubernetes"
    assert config.client_secret == "s3cret"
    assert config.extra_scopes == ("email", "groups", "profile")
    assert config.scopes == ("openid", "email", "groups", "profile")
    assert config.tls.ca_files == ("/ca.pem", "/ca2.pem")
    assert config.tls.insecure_skip_verify is False
    options = flags.login_options()
    assert options.listen_addresses == ("127.0.0.1:8000", "127.0.0.1:18000")
    assert options.skip_open_browser and options.grant_type == "device-code"


def test_the_secret_is_never_in_the_command_shown_in_hints():
    flags = parse_get_token([*BASE, "--oidc-client-secret=s3cret", "--oidc-extra-scope=email"])
    line = flags.command_line()
    assert "s3cret" not in line
    assert "--oidc-client-secret=<secret as in your kubeconfig>" in line
    assert "--oidc-extra-scope=email" in line


@pytest.mark.parametrize("flag", sorted(UNSUPPORTED))
def test_every_unsupported_kubelogin_flag_is_refused_by_name(flag):
    with pytest.raises(UsageError) as err:
        parse_get_token([*BASE, f"--{flag}=x"])
    assert f"--{flag} is a kubelogin flag kubewallet does not support yet" in err.value.message


@pytest.mark.parametrize("args, message", [
    (["--oidc-client-id=k"], "--oidc-issuer-url is missing"),
    (["--oidc-issuer-url=https://x"], "--oidc-client-id is missing"),
])
def test_mandatory_flags(args, message):
    with pytest.raises(UsageError, match=message):
        parse_get_token(args).config()


@pytest.mark.parametrize("args, message", [
    (["--bogus"], "unknown flag --bogus"),
    (["--oidc-client-id"], "flag needs an argument: --oidc-client-id"),
    (["--force-refresh=maybe"], "--force-refresh takes true or false"),
    (["positional"], "get-token takes no arguments"),
])
def test_mistakes_are_usage_errors(args, message):
    with pytest.raises(UsageError, match=message):
        parse_get_token(args)


@pytest.mark.parametrize("grant, message", [
    ("password", "--grant-type=password is not supported by kubewallet yet"),
    ("client-credentials", "not supported by kubewallet yet"),
    ("implicit", "--grant-type must be one of"),
])
def test_grant_types(grant, message):
    with pytest.raises(UsageError, match=message):
        parse_get_token([*BASE, f"--grant-type={grant}"])   # refused even when a token is cached


def test_kubelogin_defaults_when_no_listen_flags_are_given():
    """No --listen-address: kubelogin's 127.0.0.1:8000 then :18000, redirect http://localhost:PORT."""
    from kubewallet.oidc.loopback import DEFAULT_LISTEN_ADDRESSES, DEFAULT_REDIRECT_HOSTNAME

    options = parse_get_token(BASE).login_options()
    assert options.listen_addresses == () and options.redirect_hostname is None
    assert DEFAULT_LISTEN_ADDRESSES == ("127.0.0.1:8000", "127.0.0.1:18000")
    assert DEFAULT_REDIRECT_HOSTNAME == "localhost"


def test_the_kubelogin_flags_kubewallet_now_accepts_keep_their_meaning(tmp_path):
    flags = parse_get_token([
        *BASE, "--token-cache-storage=keyring", "--oidc-auth-request-extra-params=prompt=consent,audience=a=b",
        "--oidc-auth-request-extra-params", "acr_values=mfa", "--oidc-use-access-token",
        "--open-url-after-authentication=https://example.com/done",
        "--local-server-cert=~/c.pem", "--local-server-key=~/k.pem",
        "--oidc-redirect-url-hostname=127.0.0.1"])
    assert flags.storage() == "keyring"
    options = flags.login_options()
    assert options.extra_params == (("prompt", "consent"), ("audience", "a=b"), ("acr_values", "mfa"))
    assert options.open_url_after == "https://example.com/done"
    assert options.redirect_hostname == "127.0.0.1"
    assert options.local_server_tls[0].endswith("/c.pem") and not options.local_server_tls[0].startswith("~")
    assert flags.config().use_access_token
    # Serving the access_token is another token: another cache entry than the id_token's.
    assert flags.cache_key() == flags.config().cache_key() != parse_get_token(BASE).cache_key()
    assert parse_get_token(BASE).cache_key() == parse_get_token(BASE).config().cache_key()


@pytest.mark.parametrize("args, message", [
    (["--token-cache-storage=memory"], "--token-cache-storage must be one of disk, keyring, none"),
    (["--oidc-auth-request-extra-params=prompt"], "takes key=value pairs"),
    (["--local-server-cert=/c.pem"], "--local-server-cert and --local-server-key go together"),
])
def test_new_flags_refuse_what_kubelogin_refuses(args, message):
    with pytest.raises(UsageError, match=message):
        parse_get_token([*BASE, *args]).login_options()


def test_pkce_method_plain_or_no_is_refused():
    with pytest.raises(UsageError, match="always uses PKCE with S256"):
        parse_get_token([*BASE, "--oidc-pkce-method=no"]).login_options()
    assert parse_get_token([*BASE, "--oidc-pkce-method=S256", "--oidc-use-pkce"]).login_options()


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(
    st.sampled_from(["--oidc-client-secret", "--grant-type", "--listen-address", "--v", "-v",
                     "--oidc-use-pkce", "--", "--oidc-issuer-url", "--token-cache-dir", "-"]),
    st.text(max_size=12)), max_size=8))
def test_fuzz_any_argv_parses_or_gives_a_usage_error_without_the_secret(args):
    secret = "ZZsecretZZ"
    try:
        flags = parse_get_token(["--oidc-client-secret", secret, *args])
    except UsageError as exc:
        assert secret not in exc.one_line()
        return
    try:
        flags.config()
        flags.login_options()
    except UsageError as exc:
        assert secret not in exc.one_line()
    assert secret not in flags.command_line()


def test_login_from_exec_recognises_kubewallet_kubectl_oidc_login_and_kubelogin():
    args = ["get-token", "--oidc-issuer-url=https://dex", "--oidc-client-id=k"]
    for body in ({"command": "kubewallet", "args": ["oidc-login", *args]},
                 {"command": "kubectl", "args": ["oidc-login", *args]},
                 {"command": "/usr/local/bin/kubelogin", "args": args}):
        flags = login_from_exec(body)
        assert flags is not None and flags.config().issuer == "https://dex"
    assert login_from_exec({"command": "aws", "args": ["eks", "get-token"]}) is None
    assert login_from_exec({"command": "kubelogin", "args": [*args, "--oidc-request-header=X=1"]}) is None
    assert login_from_exec({"command": "kubewallet", "args": ["oidc-login", "get-token"]}) is None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="ab=,x ", max_size=8), max_size=4))
def test_fuzz_extra_params_parse_as_pflag_string_to_string_or_refuse(items):
    """`--oidc-auth-request-extra-params`: every comma-separated item is key=value (the value
    may hold '='), or the whole flag is a UsageError naming it."""
    args = [*BASE, *[f"--oidc-auth-request-extra-params={i}" for i in items]]
    try:
        pairs = parse_get_token(args).extra_params()
    except UsageError as exc:
        assert "--oidc-auth-request-extra-params" in exc.message
        return
    expected = [v.strip() for i in items for v in i.split(",") if v.strip()]
    assert [f"{k}={v}" for k, v in pairs] == expected
    assert all(k for k, _ in pairs)
