"""The live picker of `kubewallet use` and `kubewallet ns` on a real pseudo-terminal: type part
of a name, one Enter switches to the best match (the palette's ranking); Esc writes nothing;
fzf is used when it is on PATH."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kubewallet.demo import build
from tests.support.terminal import run_on_a_terminal


@pytest.fixture
def demo(tmp_path):
    ws = build(tmp_path / "demo")
    env = dict(os.environ, KUBECONFIG=ws.kubeconfig, KUBEWALLET_IGNORE_FZF="1")
    files = [Path(p) for p in ws.kubeconfig.split(os.pathsep)]
    return env, files


def run(cmd, env, check=True):
    return subprocess.run(cmd, env=env, capture_output=True, text=True, check=check,
                          stdin=subprocess.DEVNULL)


def snapshot(files, env) -> dict:
    state = Path(env.get("XDG_STATE_HOME") or os.environ["XDG_STATE_HOME"]) / "kubewallet"
    every = list(files) + (sorted(state.rglob("*")) if state.exists() else [])
    return {str(p): p.read_bytes() for p in every if p.is_file()}


def test_typing_part_of_a_name_and_one_enter_switches_to_the_best_match(kubewallet_cmd, kubectl, demo):
    env, _ = demo
    screen = run_on_a_terminal(kubewallet_cmd + ["use"], env, prompt=b"context> ", answer="lgadm", end="\r")
    assert "prod-eu · kube-system" in screen  # rows show cluster and namespace
    assert 'Switched to context "legacy-admin".' in screen
    assert run([kubectl, "config", "current-context"], env).stdout.strip() == "legacy-admin"
    back = run(kubewallet_cmd + ["use", "-"], env)  # the picker's switch is in the history too
    assert back.stdout == 'Switched to context "staging".\n'


def test_the_picker_marks_the_current_context_and_filters_per_keystroke(kubewallet_cmd, demo):
    env, _ = demo
    screen = run_on_a_terminal(kubewallet_cmd + ["use"], env, prompt=b"context> ", answer="team", end="",
                               then=((b"context> team", "\x1b[B\x1b[B\x1b[A\r"),))
    assert "* staging" in screen  # before typing: every context, the current one marked
    after = screen.rsplit("context> team", 1)[1]
    assert "2/12" in after and "staging" not in after.split("Switched")[0]  # filtered as typed
    assert 'Switched to context "team-a".' in screen  # down, down (stops at the end), up


def test_esc_cancels_and_writes_nothing(kubewallet_cmd, demo):
    env, files = demo
    before = snapshot(files, env)
    proc_screen = run_on_a_terminal(kubewallet_cmd + ["use"], env, prompt=b"context> ", answer="dev\x1b", end="")
    assert "Switched" not in proc_screen
    assert snapshot(files, env) == before
    ns_screen = run_on_a_terminal(kubewallet_cmd + ["ns"], env, prompt=b"namespace (staging)> ",
                                  answer="def\x03", end="")  # Ctrl+C
    assert "modified" not in ns_screen
    assert snapshot(files, env) == before


def test_ns_picker_offers_recent_namespaces_and_takes_a_new_one(kubewallet_cmd, kubectl, demo):
    env, _ = demo
    run(kubewallet_cmd + ["ns", "billing"], env)
    run(kubewallet_cmd + ["ns", "web"], env)
    screen = run_on_a_terminal(kubewallet_cmd + ["ns"], env, prompt=b"namespace (staging)> ",
                               answer="bil", end="\r")
    assert "* web" in screen and "default" in screen  # current marked; the kubeconfig's default
    assert 'Context "staging" modified. Active namespace is "billing".' in screen
    minify = [kubectl, "config", "view", "--minify", "-o", "jsonpath={..namespace}"]
    assert run(minify, env).stdout == "billing"

    screen = run_on_a_terminal(kubewallet_cmd + ["ns"], env, prompt=b"namespace (staging)> ",
                               answer="brand-new", end="", then=((b"new namespace on context staging", "\r"),))
    assert 'Active namespace is "brand-new"' in screen
    assert run(minify, env).stdout == "brand-new"
    run(kubewallet_cmd + ["ns", "-"], env)
    assert run(minify, env).stdout == "billing"


STUB_FZF = """#!{python}
'''A stand-in for fzf (not installed here): it records what it was given and picks the row
whose first column is $STUB_FZF_PICK, as a person would in fzf, printing it on stdout.'''
import os, sys
rows = sys.stdin.read()
with open(os.environ["STUB_FZF_LOG"], "w") as fh:
    fh.write(repr(sys.argv[1:]) + "\\n" + rows)
for row in rows.splitlines():
    if row.split("\\t")[0].strip() == os.environ["STUB_FZF_PICK"]:
        print(row)
        sys.exit(0)
sys.exit(130)
"""


def test_fzf_on_path_is_used_unless_ignored(kubewallet_cmd, kubectl, demo, tmp_path):
    env, files = demo
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "fzf").write_text(STUB_FZF.format(python=sys.executable))
    (bin_dir / "fzf").chmod(0o755)
    log = tmp_path / "fzf.log"
    env = dict(env, PATH=f"{bin_dir}{os.pathsep}{env['PATH']}", STUB_FZF_LOG=str(log), STUB_FZF_PICK="ci")
    del env["KUBEWALLET_IGNORE_FZF"]
    screen = run_on_a_terminal(kubewallet_cmd + ["use"], env, prompt=b"\0never", answer="")
    assert 'Switched to context "ci".' in screen
    given = log.read_text()
    assert "--nth" in given.splitlines()[0]
    assert any(line.startswith("staging") and "* staging · web" in line for line in given.splitlines())
    assert run([kubectl, "config", "current-context"], env).stdout.strip() == "ci"

    env["STUB_FZF_PICK"] = "no-such-row"  # fzf cancelled (exit 130): nothing written
    before = snapshot(files, env)
    screen = run_on_a_terminal(kubewallet_cmd + ["use"], env, prompt=b"\0never", answer="")
    assert "Switched" not in screen and snapshot(files, env) == before

    log.unlink()
    screen = run_on_a_terminal(kubewallet_cmd + ["use"], dict(env, KUBEWALLET_IGNORE_FZF="1"),
                               prompt=b"context> ", answer="\x1b", end="")
    assert not log.exists()  # our own picker, not fzf
