"""kubectl's own completion of the plugin (`kubectl wallet <TAB>` through kubectl_complete-wallet)."""

from __future__ import annotations

from tests.unit.cli.test_completion import env, kubectl_complete, scripts  # noqa: F401 - fixtures


def test_kubectl_completes_the_plugin_through_kubectl_complete_wallet(kubectl, env):
    assert kubectl_complete(kubectl, env, "use", "") == (
        ["arn:aws:eks:eu-west-1:1234:cluster/prod", "dev", "prod-eu"], ":4")
    assert kubectl_complete(kubectl, env, "con") == (["config"], ":4")
    assert kubectl_complete(kubectl, env, "config", "delete-user", "b") == (["bob"], ":4")
    assert kubectl_complete(kubectl, env, "certs", "--output=w") == (["--output=wide"], ":4")
    assert kubectl_complete(kubectl, env, "import", "") == ([], ":0")     # 0: the shell completes files
