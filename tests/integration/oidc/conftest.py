"""The real OpenID provider, started once per test session and stopped at its end."""

from __future__ import annotations

import pytest

from tests.oidc_provider.harness import start_provider


@pytest.fixture(scope="session")
def oidc_provider():
    try:
        provider = start_provider(short_ttl=3)
    except RuntimeError as exc:
        pytest.fail(str(exc))
    yield provider
    provider.stop()


@pytest.fixture
def vault_env(secret_service, monkeypatch):
    """The real vault on the real Secret Service, per test (its own keyring service name, and
    its own vault file under the per-test XDG_DATA_HOME)."""
    return secret_service


@pytest.fixture
def kubelogin_port():
    """kubelogin's fixed ports held for this test alone, machine-wide (several checkouts run
    these tests at once); yields the port kubewallet's default login must take (8000, or 18000
    when something outside the tests holds 8000). See tests/support/kubelogin_ports.py."""
    from tests.support.kubelogin_ports import kubelogin_ports

    with kubelogin_ports() as port:
        if port is None:
            pytest.fail("both of kubelogin's ports (127.0.0.1:8000, 127.0.0.1:18000) are held by "
                        "another program on this machine: the drop-in tests need one of them")
        yield port
