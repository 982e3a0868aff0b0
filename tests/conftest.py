"""Fixtures shared by every test area: isolation from the user's own files, the real kubectl,
the real Secret Service on a private D-Bus, and a throwaway PKI.

Real components are required: when one cannot start, the test fails (it is never skipped),
because the README's test command installs all of them.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
ARTIFACTS = ROOT / "artifacts"

# A test's markers follow from the real components its fixtures start, so that
# `-m "not kubectl and not keyring and not oidc and not gui and not tools"` selects exactly the tests
# that need nothing but the venv, and no test can forget its marker.
FIXTURE_MARKERS = {
    "kubectl": "kubectl",
    "secret_service_env": "keyring",
    "own_secret_service": "keyring",
    "oidc_provider": "oidc",
    "qtbot": "gui",
    "qapp": "gui",
    "system_tool": "tools",
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        for fixture, marker in FIXTURE_MARKERS.items():
            if fixture in names:
                item.add_marker(marker)


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    """Every test gets its own HOME and XDG folders, and no KUBECONFIG from the person running it."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for var, sub in (("XDG_CONFIG_HOME", ".config"), ("XDG_CACHE_HOME", ".cache"),
                     ("XDG_DATA_HOME", ".local/share"), ("XDG_STATE_HOME", ".local/state")):
        (home / sub).mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(var, str(home / sub))
    # A runtime dir of its own, too: an agent socket (kubewallet's, like ssh-agent's) lives
    # there, and no test may ever reach an agent another test started.
    (home / "run").mkdir(mode=0o700, exist_ok=True)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(home / "run"))
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.setenv("KUBEWALLET_NO_AGENT_AUTOSTART", "1")
    yield home


@pytest.fixture(scope="session")
def kubectl() -> str:
    """Path of the real kubectl 1.35 that scripts/bootstrap.sh downloads (or $KUBECTL)."""
    path = os.environ.get("KUBECTL") or str(ROOT / ".cache" / "kubectl" / "kubectl")
    if not os.access(path, os.X_OK):
        pytest.fail(f"the real kubectl is missing at {path}: run scripts/bootstrap.sh")
    return path


@pytest.fixture(scope="session")
def system_tool():
    """Finds a program that scripts/bootstrap.sh installs from Debian (zsh, fish, man, pipx,
    desktop-file-validate, ...); a missing one fails the test, it is never skipped."""

    def find(name: str) -> str:
        path = shutil.which(name)
        if path is None:
            pytest.fail(f"{name} is missing: run scripts/bootstrap.sh (it installs the Debian packages)")
        return path

    return find


@pytest.fixture(scope="session")
def kubewallet_cmd() -> list[str]:
    """How to start the installed `kubewallet` entry point as a separate process."""
    exe = VENV_BIN / "kubewallet"
    if not exe.exists():
        pytest.fail(f"{exe} is missing: run scripts/bootstrap.sh (it installs the project)")
    return [str(exe)]


def _start_secret_service(tmp: Path) -> tuple[dict[str, str], list[int]]:
    """A private session bus with gnome-keyring-daemon's Secret Service, unlocked."""
    from tests.support.secretservice import start_secret_service

    for tool in ("dbus-daemon", "gnome-keyring-daemon"):
        if not shutil.which(tool):
            pytest.fail(f"{tool} is missing: run scripts/bootstrap.sh (Debian packages)")
    env, pid = start_secret_service(tmp)
    return {"DBUS_SESSION_BUS_ADDRESS": env["DBUS_SESSION_BUS_ADDRESS"]}, [pid]


def _daemons_on_bus(address: str) -> list[int]:
    """gnome-keyring-daemon processes started for this bus (and no other session's)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if (proc / "comm").read_text().strip() != "gnome-keyring-d":
                continue
            environ = (proc / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if f"DBUS_SESSION_BUS_ADDRESS={address}".encode() in environ:
            found.append(int(proc.name))
    return found


@pytest.fixture(scope="session")
def secret_service_env(tmp_path_factory):
    """Environment variables that point a process at a real, unlocked Secret Service."""
    env, pids = _start_secret_service(tmp_path_factory.mktemp("secret-service"))
    yield env
    pids = _daemons_on_bus(env["DBUS_SESSION_BUS_ADDRESS"]) + pids
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass


@pytest.fixture
def secret_service(secret_service_env, monkeypatch, request):
    """The real Secret Service for this test, with a service name of its own so tests never
    see each other's secrets. Yields that service name."""
    for key, value in secret_service_env.items():
        monkeypatch.setenv(key, value)
    name = "kubewallet-test-" + request.node.name.replace("[", "-").replace("]", "")[:60]
    monkeypatch.setenv("KUBEWALLET_KEYRING_SERVICE", name)
    import keyring
    from keyring.backends import SecretService

    backend = SecretService.Keyring()
    keyring.set_keyring(backend)
    backend.get_password(name, "probe")  # fails loudly here if the bus or daemon is not up
    yield name


@pytest.fixture(scope="session")
def pki():
    """A CA shared by the tests of one session; issue leaf certificates from it."""
    from tests.support.certs import Pki

    return Pki()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Where tests put what a person should look at (screenshots); CI keeps this folder."""
    path = ARTIFACTS / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path
