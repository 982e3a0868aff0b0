"""Fixtures of the differential suite: real certificate files and the `differ` that runs both tools."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

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
    """Run a scenario under kubectl and under kubewallet, side by side, each in its own copy of
    the files, and compare (see harness.py)."""
    def run(scenario: Scenario):
        def one(name: str, tool: list[str]):
            workdir = tmp_path / name / "w"
            return run_tool(tool, workdir, tmp_path / name / "state", scenario,
                            {"{dir}": str(workdir), **pki_subs})

        original_dir = tmp_path / "original" / "w"
        build(original_dir, scenario, {"{dir}": str(original_dir), **pki_subs})
        original = snapshot(original_dir)
        with ThreadPoolExecutor(2) as pool:
            ref_future = pool.submit(one, "kubectl", [kubectl])
            ours = one("kubewallet", kubewallet_cmd)
            ref = ref_future.result()
        compare(scenario, original, ref, ours)
        return ref, ours
    return run
