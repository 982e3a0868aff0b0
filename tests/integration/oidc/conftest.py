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
