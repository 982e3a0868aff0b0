"""The Certificates page: timeline, table, detail, renew and import, on a real kubeconfig with an
expired, an expiring and a healthy client certificate."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.gui.conftest import write_kubeconfig_data

pytestmark = pytest.mark.gui
UTC = dt.timezone.utc


@pytest.fixture
def cert_state(qtbot, tmp_path, pki, gui_settings, monkeypatch):
    from kubewallet.gui.state import AppState
    from kubewallet.kubeconfig import LoadingRules

    now = dt.datetime.now(UTC)
    expired = pki.issue("old-admin", ("ops",), not_before=now - dt.timedelta(days=200),
                        not_after=now - dt.timedelta(days=3, minutes=5))
    expiring = pki.issue("jane", ("developers",), not_after=now + dt.timedelta(days=9, hours=1))
    healthy = pki.issue("kubernetes-admin", ("system:masters",), days=300, key_kind="rsa")
    users = [("old", expired), ("jane", expiring), ("admin", healthy)]
    data = {
        "apiVersion": "v1", "kind": "Config", "current-context": "jane",
        "clusters": [{"name": "prod", "cluster": {"server": "https://127.0.0.1:6443",
                                                  "certificate-authority-data": pki.cert_b64}}],
        "users": [{"name": n, "user": {"client-certificate-data": i.cert_b64, "client-key-data": i.key_b64}}
                  for n, i in users],
        "contexts": [{"name": n, "context": {"cluster": "prod", "user": n}} for n, _ in users],
    }
    path = write_kubeconfig_data(tmp_path / "kube" / "config", data)
    monkeypatch.setenv("KUBECONFIG", str(path))
    state = AppState(LoadingRules.from_env(), settings=gui_settings)
    state.load_now()
    yield state
    state.tasks.shutdown()


def _page(qtbot, state, wait_tasks):
    from kubewallet.gui.pages.certificates import CertificatesPage

    page = CertificatesPage(state)
    page.vault_reader_factory = lambda: None  # no secured users here: never open the vault
    qtbot.addWidget(page)
    page.resize(1200, 760)
    page.show()
    wait_tasks(state)
    return page


def test_timeline_table_and_detail(qtbot, cert_state, wait_tasks, artifacts_dir):
    page = _page(qtbot, cert_state, wait_tasks)
    model = page.model
    labels = [model.cell(r, 3) for r in model.records]
    assert labels == ["users/old client certificate", "users/jane client certificate",
                      "users/admin client certificate", "clusters/prod CA"]
    assert [model.cell(r, 0) for r in model.records] == ["expired", "expiring", "ok", "ok"]
    assert model.cell(model.records[0], 1) == "expired 3 days ago"
    assert model.cell(model.records[1], 1) == "expires in 9 days"
    assert "[system:masters]" in model.cell(model.records[2], 4)
    assert page.summary.text() == "4 certificates: 1 expired, 1 expiring, 2 ok"

    chart = page.chart
    from kubewallet.gui.models.certificates import urgency

    assert [urgency(r, chart.now) for r in chart.records] == ["expired", "urgent", "fine", "fine"]
    # bars run from not-before to not-after on one axis; the now line lies inside the healthy bars
    lo, hi = chart.time_range()
    rect = chart.plot_rect()
    now_x = chart.x_of(chart.now, lo, hi, rect)
    expired_bar, healthy_bar = chart.bar_rect(0), chart.bar_rect(2)
    assert expired_bar.right() < now_x < healthy_bar.right()
    assert healthy_bar.left() < now_x

    # clicking a bar selects the row and shows its detail, loudly for system:masters
    from PySide6.QtCore import QPoint

    qtbot.mouseClick(chart, __import__("PySide6.QtCore", fromlist=["Qt"]).Qt.MouseButton.LeftButton,
                     pos=QPoint(int(healthy_bar.center().x()), int(healthy_bar.center().y())))
    assert page.selected_record().owner == "users/admin"
    detail = page.detail.toPlainText()
    assert "system:masters" in detail and "bypasses all authorization" in detail
    assert "RSA 2048" in detail and "the private key matches the certificate" in detail
    assert page.renew_button.isEnabled()
    page.table.selectRow(3)
    assert not page.renew_button.isEnabled()  # a CA is not renewed from here
    page.table.selectRow(0)
    page.grab().save(str(artifacts_dir / "certificates.png"))


def test_warning_window_and_current_context_only(qtbot, cert_state, wait_tasks):
    page = _page(qtbot, cert_state, wait_tasks)
    page.warn_days.setValue(5)
    wait_tasks(cert_state)
    assert [page.model.cell(r, 0) for r in page.model.records][:2] == ["expired", "ok"]
    assert cert_state.settings.value("certificates/warn_days") == 5
    page.all_contexts.setChecked(False)
    wait_tasks(cert_state)
    assert [r.owner for r in page.model.records] == ["users/jane", "clusters/prod"]


def test_renew_then_import_from_the_page(qtbot, cert_state, wait_tasks, pki, tmp_path, secret_service):
    """Renew shows the CSR manifest (the key went into the real vault); importing the signed
    certificate swaps it in and the page reloads with the certificate healthy."""
    from tests.integration.inspect.test_renewal import sign_csr

    page = _page(qtbot, cert_state, wait_tasks)
    page.table.selectRow(0)
    assert page.selected_record().owner == "users/old"
    page.renew_selected()
    wait_tasks(cert_state)
    dialog = page.last_dialog
    assert dialog is not None and "kind: CertificateSigningRequest" in dialog.text.toPlainText()
    assert "PRIVATE KEY" not in dialog.text.toPlainText()
    (tmp_path / "signed.crt").write_bytes(sign_csr(pki, dialog.request.manifest, days=120))
    dialog.close()
    page.import_file(str(tmp_path / "signed.crt"))
    wait_tasks(cert_state)
    wait_tasks(cert_state)
    qtbot.waitUntil(lambda: any(r.owner == "users/old" and r.status(page.now, page.warn) == "ok"
                                for r in page.model.records), timeout=10000)
    assert "new client certificate CN=old-admin, O=ops" in page.banner.label.text()


def test_axis_ticks_fall_on_month_and_year_boundaries():
    from kubewallet.gui.pages.certificates import TimelineChart

    lo = dt.datetime(2024, 11, 23, tzinfo=UTC)
    years = TimelineChart.ticks(lo, dt.datetime(2030, 11, 23, tzinfo=UTC))
    assert [label for _, label in years] == ["2025", "2026", "2027", "2028", "2029", "2030"]
    assert all((w.month, w.day) == (1, 1) for w, _ in years)
    months = TimelineChart.ticks(lo, dt.datetime(2025, 11, 1, tzinfo=UTC))
    assert [label for _, label in months] == ["2025-01", "2025-03", "2025-05", "2025-07", "2025-09", "2025-11"]
    quarters = TimelineChart.ticks(lo, dt.datetime(2026, 11, 1, tzinfo=UTC))
    assert [label for _, label in quarters] == ["2025-01", "2025-04", "2025-07", "2025-10", "2026-01",
                                                "2026-04", "2026-07", "2026-10"]
