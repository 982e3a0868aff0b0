"""Start and stop the real OpenID provider (`provider.mjs`) for a test session.

`scripts/bootstrap.sh` installs oidc-provider from npm into `tests/oidc_provider/node_modules`;
when it or Node is missing the test fails with what to run (never a skip: the provider is a
required real component).
"""

from __future__ import annotations

import json
import secrets
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent


@dataclass
class RunningProvider:
    issuer: str
    port: int
    process: subprocess.Popen
    log_path: Path
    confidential_secret: str
    realm_secrets: dict[str, str]      # realm name (a, b) -> its confidential client's secret

    def realm(self, name: str) -> str:
        """The issuer of realm `name`: another issuer on the same host and port (Keycloak-like)."""
        return f"{self.issuer}/realms/{name}"

    def stats(self) -> dict[str, int]:
        """How many requests each endpoint served so far (the provider's own count)."""
        with urllib.request.urlopen(f"{self.issuer}/_stats", timeout=10) as resp:
            return json.loads(resp.read())

    def jwks(self) -> dict:
        with urllib.request.urlopen(f"{self.issuer}/jwks", timeout=10) as resp:
            return json.loads(resp.read())

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start_provider(short_ttl: int = 3, timeout: float = 30.0) -> RunningProvider:
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node is missing: the OIDC tests need Node.js (see scripts/bootstrap.sh)")
    if not (HERE / "node_modules" / "oidc-provider").is_dir():
        raise RuntimeError("oidc-provider is not installed: run scripts/bootstrap.sh "
                           "(it runs npm install in tests/oidc_provider)")
    work = Path(tempfile.mkdtemp(prefix="oidc-provider-"))
    port_file, log_path = work / "port", work / "provider.log"
    secret = secrets.token_urlsafe(24)
    realms = {name: secrets.token_urlsafe(24) for name in ("a", "b")}
    env = dict(os.environ, OIDC_SHORT_IDTOKEN_TTL=str(short_ttl), OIDC_CONFIDENTIAL_SECRET=secret,
               OIDC_REALM_A_SECRET=realms["a"], OIDC_REALM_B_SECRET=realms["b"])
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([node, str(HERE / "provider.mjs"), str(port_file)], cwd=HERE,
                                stdout=log, stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_file.exists() and port_file.read_text().strip():
            port = int(port_file.read_text().strip())
            running = RunningProvider(f"http://127.0.0.1:{port}", port, proc, log_path, secret, realms)
            running.stats()
            return running
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError("the OpenID provider did not start:\n" + log_path.read_text()[-2000:])
