"""`kubewallet shell CONTEXT` for real: the real kubectl inside a real (non-interactive) bash,
the user's kubeconfig checked byte for byte, the private copy checked for its modes and its
removal — on a normal exit, on SIGTERM and on SIGHUP."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.kubectl

KUBECONFIG = """\
apiVersion: v1
kind: Config
clusters:
- name: c1
  cluster: {server: "https://127.0.0.1:6443", certificate-authority: ca.crt}
- name: c2
  cluster: {server: "https://127.0.0.2:6443"}
users:
- {name: alice, user: {token: "alice-token"}}
- {name: bob, user: {tokenFile: bob.token}}
contexts:
- {name: dev, context: {cluster: c1, user: alice, namespace: web}}
- {name: prod, context: {cluster: c2, user: bob, namespace: payments}}
current-context: dev
"""


@pytest.fixture
def setup(tmp_path, kubectl, kubewallet_cmd):
    home = tmp_path / "kube"
    home.mkdir()
    (home / "ca.crt").write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    (home / "bob.token").write_text("bob-token\n")
    config = home / "config"
    config.write_text(KUBECONFIG)
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    env = dict(os.environ, KUBECONFIG=str(config), XDG_RUNTIME_DIR=str(runtime), TMPDIR=str(tmp_path),
               PATH=f"{Path(kubectl).parent}:{Path(kubewallet_cmd[0]).parent}:{os.environ['PATH']}",
               SHELL="/bin/bash")
    for var in ("KUBEWALLET_SHELL_CONTEXT", "KUBEWALLET_SHELL_SOURCE", "KUBEWALLET_SHELL_NAMESPACE"):
        env.pop(var, None)
    return {"config": config, "env": env, "runtime": runtime, "cmd": kubewallet_cmd,
            "before": config.read_bytes(), "mtime": config.stat().st_mtime_ns}


def run(setup, args, script: str | None = None, **kw):
    return subprocess.run([*setup["cmd"], "shell", *args], input=script, env=kw.pop("env", setup["env"]),
                          capture_output=True, text=True, timeout=60, **kw)


def leftovers(setup) -> list[Path]:
    return [p for p in setup["runtime"].iterdir() if p.name.startswith("kubewallet-shell-")]


def assert_untouched(setup):
    assert setup["config"].read_bytes() == setup["before"]
    assert setup["config"].stat().st_mtime_ns == setup["mtime"]


INSIDE = r'''
kubectl config current-context
kubectl config view -o jsonpath='{.contexts[*].name}{"\n"}'
kubectl config view --raw -o jsonpath='{.users[0].user.token}{"\n"}'
echo "ctx=$KUBEWALLET_SHELL_CONTEXT ns=$KUBEWALLET_SHELL_NAMESPACE"
echo "copy=$KUBECONFIG"
stat -c '%a' "$KUBECONFIG" "$(dirname "$KUBECONFIG")"
kubewallet ns elsewhere >/dev/null       # an edit inside changes the copy only
kubectl config view -o jsonpath='{.contexts[0].context.namespace}{"\n"}'
exit 3
'''


def test_shell_pins_the_context_in_a_private_copy(setup):
    out = run(setup, ["prod", "--shell", "/bin/bash"], INSIDE)
    assert out.returncode == 3, out.stderr           # the shell's exit status is ours
    lines = out.stdout.splitlines()
    assert lines[0] == "prod"                        # kubectl inside sees the chosen context
    assert lines[1] == "prod"                        # ... and only it (minified)
    assert lines[2] == "bob-token"                   # flattened: the tokenFile was inlined
    assert lines[3] == "ctx=prod ns=payments"
    copy = Path(lines[4].removeprefix("copy="))
    assert copy.parent.parent == setup["runtime"]    # on the per-user runtime dir
    assert lines[5:7] == ["600", "700"]
    assert lines[7] == "elsewhere"
    assert not copy.exists() and not copy.parent.exists()
    assert leftovers(setup) == []
    assert_untouched(setup)
    # the global current-context never moved
    kubectl = subprocess.run(["kubectl", "config", "current-context"], env=setup["env"],
                             capture_output=True, text=True, timeout=30)
    assert kubectl.stdout.strip() == "dev"


def test_shell_uses_dollar_shell_and_runs_a_command(setup):
    out = run(setup, ["dev"], "kubectl config current-context\n")
    assert out.returncode == 0 and out.stdout.strip() == "dev"
    out = run(setup, ["dev", "--", "kubectl", "config", "view", "--minify", "-o", "jsonpath={.clusters[0].cluster.server}"])
    assert out.returncode == 0 and out.stdout == "https://127.0.0.1:6443"
    out = run(setup, ["dev", "--", "bash", "-c", "exit 5"])
    assert out.returncode == 5
    assert leftovers(setup) == []
    assert_untouched(setup)


def test_two_terminals_two_contexts_at_once(setup):
    script = "sleep 0.5; kubectl config current-context\n"
    procs = [subprocess.Popen([*setup["cmd"], "shell", ctx, "--shell", "/bin/bash"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, env=setup["env"]) for ctx in ("dev", "prod")]
    outs = [p.communicate(script, timeout=60)[0].strip() for p in procs]
    assert outs == ["dev", "prod"]
    assert leftovers(setup) == []
    assert_untouched(setup)


@pytest.mark.parametrize("signum, shell_ignores_it", [(signal.SIGTERM, False), (signal.SIGHUP, False),
                                                      (signal.SIGTERM, True)])
def test_copy_removed_on_signal(setup, tmp_path, signum, shell_ignores_it):
    """SIGTERM/SIGHUP to kubewallet: the shell is hung up (killed after 3 s if it ignores that,
    as `trap '' HUP TERM` does here) and the copy is removed."""
    marker = tmp_path / "copy-path"
    trap = "trap '' HUP TERM\n" if shell_ignores_it else ""
    script = f'{trap}echo "$KUBECONFIG" > {marker}\nexec sleep 60\n'
    proc = subprocess.Popen([*setup["cmd"], "shell", "dev", "--shell", "/bin/bash"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=setup["env"])
    proc.stdin.write(script)
    proc.stdin.close()
    deadline = time.monotonic() + 30
    while not (marker.exists() and marker.read_text().strip()):
        assert time.monotonic() < deadline, "the shell never started"
        time.sleep(0.05)
    copy = Path(marker.read_text().strip())
    assert copy.exists()
    proc.send_signal(signum)
    assert proc.wait(timeout=30) == 128 + signum
    assert not copy.parent.exists()
    assert leftovers(setup) == []
    assert_untouched(setup)


def test_nested_shell_is_refused_unless_asked(setup):
    outer = run(setup, ["dev", "--shell", "/bin/bash"], "kubewallet shell prod -- true; echo status=$?\n")
    assert "status=2" in outer.stdout
    assert "already in a kubewallet shell for context 'dev'" in outer.stderr
    assert "--nested" in outer.stderr
    nested = run(setup, ["dev", "--shell", "/bin/bash"],
                 "kubewallet shell prod --nested -- kubectl config current-context\n")
    assert nested.returncode == 0 and nested.stdout.strip() == "prod"   # read from the user's files
    assert leftovers(setup) == []
    assert_untouched(setup)


def test_unknown_context_leaves_nothing(setup):
    out = run(setup, ["nope", "--", "true"])
    assert out.returncode != 0 and 'no context exists with the name: "nope"' in out.stderr
    assert leftovers(setup) == []


def test_leftovers_of_a_killed_shell_are_swept(setup):
    stale = setup["runtime"] / "kubewallet-shell-999999999-abcd"
    stale.mkdir(mode=0o700)
    (stale / "config").write_text("stale")
    mine_alive = setup["runtime"] / f"kubewallet-shell-{os.getpid()}-live"
    mine_alive.mkdir(mode=0o700)
    out = run(setup, ["dev", "--", "true"])
    assert out.returncode == 0
    assert not stale.exists()
    assert mine_alive.exists()      # its owner still runs: not ours to remove
    assert stat.S_IMODE(setup["runtime"].stat().st_mode) == 0o700


def test_help_has_examples_and_the_prompt_snippet(setup):
    out = run(setup, ["--help"])
    assert out.returncode == 0
    assert "examples:" in out.stdout and "PS1=" in out.stdout and "PROMPT=" in out.stdout


FOLDER_FILE = """\
apiVersion: v1
kind: Config
clusters: [{name: acme, cluster: {server: "https://10.9.9.9:6443"}}]
users: [{name: acme-admin, user: {token: "acme-token"}}]
contexts:
- {name: acme-prod, context: {cluster: acme, user: acme-admin, namespace: shop}}
- {name: dev, context: {cluster: acme, user: acme-admin}}
current-context: acme-prod
"""


def test_shell_into_a_context_of_a_kubeconfig_folder_file(setup, tmp_path):
    """One file per customer in a folder (kubie/kubeswitch style): `shell` reaches its contexts
    as `kubewallet use` lists them, without merging and without writing the file."""
    folder = tmp_path / "config.d"
    folder.mkdir()
    acme = folder / "acme.yaml"
    acme.write_text(FOLDER_FILE)
    before = acme.read_bytes()
    env = dict(setup["env"], KUBEWALLET_KUBECONFIG_DIRS=str(folder))
    script = ("kubectl config current-context; echo \"$KUBEWALLET_SHELL_CONTEXT\";"
              " kubectl config view -o jsonpath='{.clusters[0].cluster.server}'")
    out = run(setup, ["acme-prod", "--", "bash", "-c", script], env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["acme-prod", "acme-prod", "https://10.9.9.9:6443"]
    # "dev" is in both files: the bare name is ambiguous, the labelled one is not
    out = run(setup, ["dev", "--", "true"], env=env)
    assert out.returncode != 0 and "acme/dev" in out.stderr
    out = run(setup, ["acme/dev", "--", "kubectl", "config", "view", "-o", "jsonpath={.clusters[0].name}"], env=env)
    assert out.returncode == 0 and out.stdout == "acme"
    assert acme.read_bytes() == before
    assert leftovers(setup) == []
    assert_untouched(setup)
