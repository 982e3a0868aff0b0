"""`kubewallet use` / `kubewallet ns`: the everyday path, checked with the real kubectl."""

from __future__ import annotations

import os
import subprocess

import pytest

from kubewallet.demo import build
from tests.support.terminal import run_on_a_terminal


@pytest.fixture
def demo_env(tmp_path):
    ws = build(tmp_path)
    return dict(os.environ, KUBECONFIG=ws.kubeconfig, KUBEWALLET_IGNORE_FZF="1")  # our own picker


def run(cmd, env, check=True):
    return subprocess.run(cmd, env=env, capture_output=True, text=True, check=check, stdin=subprocess.DEVNULL)


def test_use_switches_and_kubectl_agrees(kubewallet_cmd, kubectl, demo_env):
    out = run(kubewallet_cmd + ["use", "prod-eu"], demo_env)
    assert out.stdout == 'Switched to context "prod-eu".\n'
    assert run([kubectl, "config", "current-context"], demo_env).stdout.strip() == "prod-eu"


def test_use_dash_goes_back_to_the_previous_context(kubewallet_cmd, kubectl, demo_env):
    run(kubewallet_cmd + ["use", "prod-eu"], demo_env)
    run(kubewallet_cmd + ["use", "ci"], demo_env)
    run(kubewallet_cmd + ["use", "-"], demo_env)
    assert run([kubectl, "config", "current-context"], demo_env).stdout.strip() == "prod-eu"


def test_use_without_a_terminal_lists_the_contexts(kubewallet_cmd, kubectl, demo_env):
    listed = run(kubewallet_cmd + ["use"], demo_env).stdout.split()
    assert listed == run([kubectl, "config", "get-contexts", "-o", "name"], demo_env).stdout.split()


def test_use_of_an_unknown_context_fails_like_kubectl_and_changes_nothing(kubewallet_cmd, demo_env, tmp_path):
    before = (tmp_path / "config").read_bytes()
    out = run(kubewallet_cmd + ["use", "nope"], demo_env, check=False)
    assert out.returncode == 1 and 'no context exists with the name: "nope"' in out.stderr
    assert (tmp_path / "config").read_bytes() == before


def test_ns_sets_the_namespace_kubectl_then_uses(kubewallet_cmd, kubectl, demo_env):
    run(kubewallet_cmd + ["ns", "billing"], demo_env)
    view = run([kubectl, "config", "view", "--minify", "-o", "jsonpath={..namespace}"], demo_env).stdout
    assert view == "billing"
    assert run(kubewallet_cmd + ["ns"], demo_env).stdout.strip() == "billing"
    run(kubewallet_cmd + ["ns", "-"], demo_env)
    assert run(kubewallet_cmd + ["ns"], demo_env).stdout.strip() == "web"


def test_on_a_terminal_an_unknown_name_opens_the_picker_on_its_fuzzy_matches(kubewallet_cmd, kubectl, demo_env):
    screen = run_on_a_terminal(kubewallet_cmd + ["use", "tea"], demo_env, prompt=b"context> tea",
                               answer="\x1b[B", end="\r")
    assert "team-a" in screen and "team-b" in screen and "prod-eu" not in screen  # arrow down, Enter
    assert 'Switched to context "team-b".' in screen
    assert run([kubectl, "config", "current-context"], demo_env).stdout.strip() == "team-b"
