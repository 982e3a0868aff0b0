"""Generates the benchmark workspace: N contexts, users (with certificate data) and clusters,
spread over several kubeconfig files, as the issue's benchmarks prescribe.

The certificate data is a real PEM certificate and key (made once with `cryptography` and
reused), so the files have the size and shape of a real kubeconfig (about 4.6 MB for 1,000).
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml


def generate(directory: Path, contexts: int = 1000, files: int = 3) -> list[Path]:
    from tests.support.certs import Pki

    pki = Pki("bench-ca", key_kind="rsa")
    leaf = pki.issue("bench-user", ["bench-group"], key_kind="rsa")
    ca_b64, cert_b64, key_b64 = pki.cert_b64, leaf.cert_b64, leaf.key_b64
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    per = -(-contexts // files)
    for f in range(files):
        lo, hi = f * per, min(contexts, (f + 1) * per)
        doc = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": f"cluster-{i:04d}", "cluster": {
                "server": f"https://10.{i // 250}.{i % 250}.1:6443",
                "certificate-authority-data": ca_b64}} for i in range(lo, hi)],
            "users": [{"name": f"user-{i:04d}", "user": {
                "client-certificate-data": cert_b64, "client-key-data": key_b64}}
                for i in range(lo, hi)],
            "contexts": [{"name": f"context-{i:04d}", "context": {
                "cluster": f"cluster-{i:04d}", "user": f"user-{i:04d}", "namespace": f"ns-{i % 37}"}}
                for i in range(lo, hi)],
        }
        if f == 0:
            doc["current-context"] = "context-0000"
        path = directory / f"config-{f}.yaml"
        path.write_text(yaml.safe_dump(doc, sort_keys=True, width=1 << 20))
        path.chmod(0o600)
        paths.append(path)
    return paths


if __name__ == "__main__":
    out = generate(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 1000)
    print(":".join(map(str, out)))
