"""The Qt-free helpers behind the window: the CA summary, secret masking in the
save diff, credential kinds; and the filter proxy at 1,000 rows."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from hypothesis import given, settings, strategies as st

from kubewallet.errors import InspectError
from kubewallet.gui.dialogs.save_diff import mask_secrets
from kubewallet.gui.models.ca import ca_summary
from kubewallet.gui.models.entries import credential_kind


def test_ca_summary_names_subject_and_expiry(pki):
    text = ca_summary(pki.cert_b64)
    assert "CN=kubewallet-test-ca" in text and "expires" in text
    assert ca_summary(pki.cert_pem) == text
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=400)
    assert "EXPIRED" in ca_summary(pki.cert_pem, now=later)


def test_ca_summary_reads_a_der_file_as_kubewallet_certs_does(pki, tmp_path):
    """A CA saved as DER (what some cluster installers hand out as ca.crt) is summarised by the
    editor, as `kubewallet certs` reads it, not refused."""
    from cryptography.hazmat.primitives import serialization

    der = pki.cert.public_bytes(serialization.Encoding.DER)
    (tmp_path / "ca.der").write_bytes(der)
    text = ca_summary((tmp_path / "ca.der").read_bytes())
    assert text == ca_summary(pki.cert_pem) and "CN=kubewallet-test-ca" in text


@pytest.mark.parametrize("data", [b"", b"not base64 !!", base64.b64encode(b"hello"),
                                  b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"])
def test_ca_summary_rejects_garbage_clearly(data):
    with pytest.raises(InspectError):
        ca_summary(data)


@given(st.binary(max_size=300))
@settings(max_examples=150)
def test_ca_summary_fuzz_only_raises_inspect_error(data):
    try:
        ca_summary(data)
    except InspectError:
        pass


def test_mask_secrets_hides_values_of_secret_fields_only():
    diff = ("-    token: abc\n+    token: def\n     server: https://x\n"
            "+    client-key-data: S0VZ\n+      refresh-token: r1\n+    username: bob\n")
    masked = mask_secrets(diff)
    for secret in ("abc", "def", "S0VZ", "r1"):
        assert secret not in masked
    assert "server: https://x" in masked and "username: bob" in masked


@pytest.mark.parametrize("body, kind", [
    ({"client-certificate-data": "x", "client-key-data": "y"}, "client certificate"),
    ({"tokenFile": "/t"}, "token"),
    ({"username": "u", "password": "p"}, "basic auth"),
    ({"exec": {"command": "kubewallet", "args": ["oidc-login", "get-token"]}}, "exec (OIDC)"),
    ({"exec": {"command": "/usr/bin/aws", "args": ["eks", "get-token"]}}, "exec (aws)"),
    ({"auth-provider": {"name": "gcp"}}, "auth-provider (gcp)"),
    ({}, "none"),
])
def test_credential_kind(body, kind):
    assert credential_kind(body) == kind


def test_filter_over_a_thousand_contexts(qtbot, tmp_path, monkeypatch):
    from kubewallet.gui.models.entries import EntriesFilter, EntriesModel
    from kubewallet.kubeconfig import LoadingRules, load_workspace
    from tests.gui.conftest import write_kubeconfig_data

    data = {"apiVersion": "v1", "kind": "Config", "current-context": "ctx-0500",
            "clusters": [{"name": f"c{i}", "cluster": {"server": f"https://10.0.{i // 250}.{i % 250}"}}
                         for i in range(20)],
            "users": [{"name": "u", "user": {"token": "t"}}],
            "contexts": [{"name": f"ctx-{i:04d}", "context": {"cluster": f"c{i % 20}", "user": "u",
                                                              "namespace": f"team-{i % 7}"}}
                         for i in range(1000)]}
    path = write_kubeconfig_data(tmp_path / "big", data)
    ws = load_workspace(LoadingRules.from_env(str(path)))
    model = EntriesModel("contexts")
    model.set_workspace(ws, {"ctx-0999"})
    proxy = EntriesFilter()
    proxy.setSourceModel(model)
    assert proxy.rowCount() == 1000 and model.rows[0].name == "ctx-0999"  # favourite pinned first
    proxy.set_query("team-3 c5")           # every word must match, in any column
    names = {proxy.index(r, 0).data() for r in range(proxy.rowCount())}
    assert names and all("team-3" in model.rows[model.row_of(n.lstrip("★● "))].haystack for n in names)
    proxy.set_query("ctx-0500")
    assert proxy.rowCount() == 1 and proxy.index(0, 0).data().startswith("●")  # the current one
    proxy.sort(0, proxy.sortOrder().DescendingOrder)
    proxy.set_query("")
    assert model.rows[0].name == "ctx-0999" and model.rows[1].name == "ctx-0998"


@given(st.lists(st.integers(20, 600), min_size=1, max_size=8), st.integers(0, 7), st.integers(200, 1400))
@settings(max_examples=200)
def test_fitted_columns_never_need_a_horizontal_scroll_bar(content, important, available):
    from kubewallet.gui.widgets.columns import fit_widths

    important %= len(content)
    floors = [min(48, c) for c in content]
    widths = fit_widths(content, floors, important, available)
    if sum(floors) <= available:
        assert sum(widths) <= available
    if sum(content) <= available:  # room for everything: nothing is cut, the important one takes the rest
        assert all(w >= c for w, c in zip(widths, content)) and sum(widths) == available
    else:  # the other columns give way before the important one does
        others_at_floor = all(w <= f for i, (w, f) in enumerate(zip(widths, floors)) if i != important)
        assert widths[important] == content[important] or others_at_floor
