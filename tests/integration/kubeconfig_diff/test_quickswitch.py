"""The quick switch (kubeconfig/quickswitch.py: one value spliced into the file) against the real
kubectl, on files of unusual shapes: after the same switches, kubectl reads the same config from
kubewallet's file as from its own (`config view --raw -o json`). Where the shape allows a splice
the file keeps its comments and layout; where it does not (flow style, anchors, a value on its
own line, an absent key), the full path writes it, in kubectl's form."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

PLAIN = """\
# the team's kubeconfig
apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: "https://c.example:6443"}
users:
- name: u
  user: {token: not-a-secret}
contexts:
- name: a   # first
  context:
    cluster: c
    user: u
    namespace: web   # the usual one
- name: "yes"
  context:
    cluster: c
    user: u
    namespace: 'quoted'
- name: b c
  context:
    cluster: c
    user: u
    namespace: "x-y"
- name: ünï
  context:
    cluster: c
    user: u
    namespace: "n"
current-context: a  # kept by hand
"""

CRLF = PLAIN.replace("\n", "\r\n")

FLOW = ('{"apiVersion": "v1", "kind": "Config", "clusters": [{"name": "c", "cluster": {"server": '
        '"https://c.example:6443"}}], "users": [{"name": "u", "user": {"token": "t"}}], "contexts": '
        '[{"name": "a", "context": {"cluster": "c", "user": "u", "namespace": "web"}}, {"name": "yes", '
        '"context": {"cluster": "c", "user": "u"}}], "current-context": "a"}\n')

ANCHORS = """\
apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: https://c.example:6443
users:
- name: u
  user:
    token: t
contexts:
- name: a
  context: &ctx
    cluster: c
    user: u
    namespace: &ns web
- name: "yes"
  context:
    cluster: c
    user: u
    namespace: *ns
- name: b c
  context: *ctx
current-context: &cur a
"""

NEXT_LINE = PLAIN.replace("current-context: a  # kept by hand", "current-context:\n  a").replace(
    "    namespace: web   # the usual one", "    namespace:\n      web")

SHAPES = {"plain": (PLAIN, True), "crlf": (CRLF, True), "flow": (FLOW, False),
          "anchors": (ANCHORS, False), "next-line": (NEXT_LINE, False)}
SWITCHES = [("use", "yes"), ("ns", "payments"), ("use", "b c"), ("ns", "team-x"), ("use", "ünï"),
            ("ns", "n"), ("use", "a"), ("ns", "default")]


def _kubectl_view(kubectl: str, path: Path) -> dict:
    out = subprocess.run([kubectl, "--kubeconfig", str(path), "config", "view", "--raw", "-o", "json"],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


@pytest.mark.parametrize("shape", list(SHAPES))
def test_quick_switches_read_back_as_kubectls(shape, tmp_path, kubectl, kubewallet_cmd):
    text, splices = SHAPES[shape]
    theirs, ours = tmp_path / "kubectl.yaml", tmp_path / "kubewallet.yaml"
    theirs.write_bytes(text.encode())
    ours.write_bytes(text.encode())
    env = dict(os.environ, KUBECONFIG=str(ours))
    # the first switch is to the current context: nothing is written, the file is cached
    first = subprocess.run(kubewallet_cmd + ["use", "a"], env=env, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    assert ours.read_bytes() == text.encode()
    for command, value in SWITCHES:
        if command == "use" and value not in text:
            continue  # the shorter shapes have fewer contexts
        kc = (["config", "use-context", value] if command == "use"
              else ["config", "set-context", "--current", f"--namespace={value}"])
        subprocess.run([kubectl, "--kubeconfig", str(theirs), *kc], check=True, capture_output=True)
        done = subprocess.run(kubewallet_cmd + [command, value], env=env, capture_output=True, text=True)
        assert done.returncode == 0, (command, value, done.stderr)
        assert _kubectl_view(kubectl, ours) == _kubectl_view(kubectl, theirs), (command, value)
    content = ours.read_bytes().decode()
    if splices:  # every switch spliced one value: the person's comments and layout survive
        assert "# the team's kubeconfig" in content and "# kept by hand" in content
        assert "  cluster: {server: \"https://c.example:6443\"}" in content
        assert ("\r\n" in content) == (shape == "crlf")
    else:  # the full path wrote kubectl's form
        assert "&" not in content and "{" not in content and "current-context: a\n" in content
