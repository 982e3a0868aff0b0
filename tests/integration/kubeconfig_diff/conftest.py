"""Fixtures of the differential suite: real certificate files and the `differ` that runs both tools."""

from __future__ import annotations

import pytest

from tests.integration.kubeconfig_diff.harness import Scenario, build, compare, run_tool, snapshot


@pytest.fixture(scope="session")
def pki_subs(pki) -> dict[str, str]:
    """Placeholders a scenario's files may use: real PEM data made at test time, and its base64."""
    leaf = pki.issue("alice", ["developers"])
    return {"$CA_PEM": pki.cert_pem.decode(), "$CERT_PEM": leaf.cert_pem.decode(),
            "$KEY_PEM": leaf.key_pem.decode(), "$CA_B64": pki.cert_b64,
            "$CERT_B64": leaf.cert_b64, "$KEY_B64": leaf.key_b64}


@pytest.fixture
def differ(tmp_path, kubectl, kubewallet_cmd, pki_subs):
    """Run a scenario under kubectl, then under kubewallet at the same path, and compare."""
    def run(scenario: Scenario):
        workdir = tmp_path / "w"
        subs = {"{dir}": str(workdir), **pki_subs}
        build(workdir, scenario, subs)
        original = snapshot(workdir)
        ref = run_tool([kubectl], workdir, tmp_path / "state-kubectl", scenario, subs)
        ours = run_tool(kubewallet_cmd, workdir, tmp_path / "state-kubewallet", scenario, subs)
        compare(scenario, original, ref, ours)
        return ref, ours
    return run
