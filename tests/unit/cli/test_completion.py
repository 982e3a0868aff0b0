"""Shell completion, exercised in the real shells.

bash: the generated script is sourced in a real `bash`, COMP_LINE/COMP_POINT/COMP_WORDS/COMP_CWORD
are set exactly as bash's programmable completion sets them (including its splitting at ':' and
'='), `_kubewallet` runs, and COMPREPLY is what a user would see offered.
fish: the real `complete -C LINE` (fish's own completion engine) with the script sourced.
zsh: `zsh -n` (syntax), then `_kubewallet` driven with `words`/`CURRENT` as compsys sets them, with
`compadd`/`_describe` replaced by printers, because compsys itself needs a terminal (zpty).
The names come from a real kubeconfig through the real `kubewallet completion --list`.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kubewallet.cli.commandtree import build_tree
from kubewallet.cli.completion import bash_script, fish_script, list_names, main, zsh_script

KUBECONFIG = """\
apiVersion: v1
kind: Config
clusters:
- {name: c1, cluster: {server: "https://127.0.0.1:6443"}}
- {name: "arn:aws:eks:eu-west-1:1234:cluster/prod", cluster: {server: "https://127.0.0.2:6443"}}
users:
- {name: alice, user: {token: "t1"}}
- {name: bob, user: {token: "t2"}}
contexts:
- {name: dev, context: {cluster: c1, user: alice, namespace: web}}
- {name: prod-eu, context: {cluster: c1, user: bob, namespace: payments}}
- {name: "arn:aws:eks:eu-west-1:1234:cluster/prod", context: {cluster: c1, user: bob}}
current-context: dev
"""

OTHER = """\
apiVersion: v1
kind: Config
clusters: [{name: lab, cluster: {server: "https://10.0.0.1"}}]
users: [{name: carol, user: {token: "t3"}}]
contexts: [{name: lab-only, context: {cluster: lab, user: carol}}]
"""


@pytest.fixture(scope="module")
def scripts(tmp_path_factory) -> dict[str, Path]:
    tree = build_tree()
    out = tmp_path_factory.mktemp("completion")
    paths = {}
    for shell, make in (("bash", bash_script), ("zsh", zsh_script), ("fish", fish_script)):
        paths[shell] = out / f"kubewallet.{shell}"
        paths[shell].write_text(make(tree))
    return paths


@pytest.fixture
def env(tmp_path, kubewallet_cmd) -> dict[str, str]:
    config = tmp_path / "config"
    config.write_text(KUBECONFIG)
    (tmp_path / "other.yaml").write_text(OTHER)
    bindir = str(Path(kubewallet_cmd[0]).parent)
    return dict(os.environ, KUBECONFIG=str(config), PATH=f"{bindir}:{os.environ['PATH']}")


BASH_DRIVER = r'''
source "$SCRIPT"
COMP_LINE=$LINE
COMP_POINT=${#LINE}
# split the way bash's completion does: blanks, and COMP_WORDBREAKS' ':' and '=' as words
COMP_WORDS=()
rest=$LINE
while [[ -n $rest ]]; do
  if [[ $rest =~ ^[[:blank:]]+(.*)$ ]]; then rest=${BASH_REMATCH[1]}; continue; fi
  if [[ $rest =~ ^([:=])(.*)$ ]]; then COMP_WORDS+=("${BASH_REMATCH[1]}"); rest=${BASH_REMATCH[2]}; continue; fi
  [[ $rest =~ ^([^[:blank:]:=]+)(.*)$ ]]; COMP_WORDS+=("${BASH_REMATCH[1]}"); rest=${BASH_REMATCH[2]}
done
[[ $LINE == *[[:blank:]] ]] && COMP_WORDS+=("")
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
_kubewallet
printf '%s\n' "${COMPREPLY[@]}"
'''


def bash_complete(scripts, env, line: str) -> list[str]:
    out = subprocess.run(["bash", "--norc", "--noprofile", "-c", BASH_DRIVER],
                         env=dict(env, SCRIPT=str(scripts["bash"]), LINE=line),
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert out.stderr == "", out.stderr
    return [x for x in out.stdout.split("\n") if x]


def fish_complete(scripts, env, line: str) -> list[str]:
    out = subprocess.run(["fish", "--no-config", "-c", f"source {scripts['fish']}; complete -C {_fish_q(line)}"],
                         env=env, capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return [x.split("\t")[0] for x in out.stdout.split("\n") if x]


def _fish_q(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


ZSH_DRIVER = r'''
compdef() { : }
compadd() { local p=''; [[ $1 == -P ]] && { p=$2; shift 2 }; [[ $1 == -- ]] && shift; print -rl -- ${^@/#/$p} }
_describe() { print -rl -- ${${(@P)4}%%:*} }
_files() { print -r -- _files }
source "$SCRIPT"
words=("${(@Q)${(z)LINE}}")
[[ $LINE == *' ' ]] && words+=('')
CURRENT=${#words}
_kubewallet
'''


def zsh_complete(scripts, env, line: str) -> list[str]:
    out = subprocess.run(["zsh", "-f", "-c", ZSH_DRIVER], env=dict(env, SCRIPT=str(scripts["zsh"]), LINE=line),
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return [x for x in out.stdout.split("\n") if x]


# ----- bash, for real ----------------------------------------------------------------------------

@pytest.mark.parametrize("line, expected", [
    ("kubewallet u", ["use", "unsecure"]),
    ("kubewallet con", ["config"]),
    ("kubewallet config ", None),                       # checked below: every config subcommand
    ("kubewallet use ", ["arn:aws:eks:eu-west-1:1234:cluster/prod", "dev", "prod-eu"]),
    ("kubewallet use p", ["prod-eu"]),
    ("kubewallet config use-context d", ["dev"]),
    ("kubewallet export ", ["dev", "prod-eu", "arn:aws:eks:eu-west-1:1234:cluster/prod"]),
    ("kubewallet ns ", ["web", "payments", "default"]),
    ("kubewallet secure ", ["alice", "bob"]),
    ("kubewallet unsecure a", ["alice"]),
    ("kubewallet config delete-cluster ", ["c1", "arn:aws:eks:eu-west-1:1234:cluster/prod"]),
    ("kubewallet config set-context x --user ", ["alice", "bob"]),
    ("kubewallet whoami --context pr", ["prod-eu"]),
    ("kubewallet certs -o ", ["table", "json", "wide"]),
    ("kubewallet vault ", ["status", "list", "rm", "init"]),
    ("kubewallet shell d", ["dev"]),
])
def test_bash_offers(scripts, env, line, expected):
    got = bash_complete(scripts, env, line)
    if expected is None:
        assert {"view", "use-context", "set-context", "delete-cluster", "get-contexts"} <= set(got)
    else:
        assert got == expected


def test_bash_flags_of_a_subcommand(scripts, env):
    got = bash_complete(scripts, env, "kubewallet config view --")
    assert {"--raw", "--minify", "--flatten", "--kubeconfig", "--output"} <= set(got)
    assert all(x.startswith("--") for x in got)


def test_bash_flag_value_after_equals(scripts, env):
    # bash splits "--output=j" into "--output" "=" "j" and will replace only "j"
    assert bash_complete(scripts, env, "kubewallet certs --output=j") == ["json"]


def test_bash_colon_names_replace_only_the_last_piece(scripts, env):
    # bash splits at ':' too; it replaces "eu" only, so the candidate is the rest of the name
    assert bash_complete(scripts, env, "kubewallet use arn:aws:eks:eu") == ["eu-west-1:1234:cluster/prod"]


def test_bash_kubeconfig_on_the_line_wins(scripts, env, tmp_path):
    other = tmp_path / "other.yaml"
    assert bash_complete(scripts, env, f"kubewallet use --kubeconfig {other} ") == ["lab-only"]
    assert bash_complete(scripts, env, f"kubewallet secure --kubeconfig {other} ") == ["carol"]


def test_bash_files_for_import(scripts, env, tmp_path):
    assert bash_complete(scripts, env, f"kubewallet import {tmp_path}/oth") == [f"{tmp_path}/other.yaml"]


def test_bash_broken_kubeconfig_completes_nothing_and_says_nothing(scripts, env, tmp_path):
    bad = tmp_path / "bad"
    bad.write_text("contexts: [unclosed\n")
    assert bash_complete(scripts, dict(env, KUBECONFIG=str(bad)), "kubewallet use ") == []


def test_bash_registers_both_names(scripts):
    out = subprocess.run(["bash", "--norc", "-c", f"source {scripts['bash']}; complete -p kubewallet kubectl-wallet"],
                         capture_output=True, text=True, timeout=30)
    assert "-F _kubewallet kubewallet" in out.stdout and "-F _kubewallet kubectl-wallet" in out.stdout


# ----- fish, for real; zsh, syntax and driver ----------------------------------------------------

@pytest.mark.parametrize("line, expected", [
    ("kubewallet u", {"unsecure", "use"}),
    ("kubewallet use ", {"dev", "prod-eu", "arn:aws:eks:eu-west-1:1234:cluster/prod"}),
    ("kubewallet ns ", {"web", "payments", "default"}),
    ("kubewallet unsecure ", {"alice", "bob"}),
    ("kubewallet config delete-cluster ", {"c1", "arn:aws:eks:eu-west-1:1234:cluster/prod"}),
    ("kubewallet certs --output=", {"--output=table", "--output=json", "--output=wide"}),
    ("kubewallet config view --ra", {"--raw"}),
])
def test_fish_offers(scripts, env, line, expected, system_tool):
    assert set(fish_complete(scripts, env, line)) == expected


def test_zsh_and_fish_scripts_parse(scripts, system_tool):
    for argv in (["zsh", "-n", str(scripts["zsh"])], ["fish", "--no-execute", str(scripts["fish"])],
                 ["bash", "-n", str(scripts["bash"])]):
        out = subprocess.run(argv, capture_output=True, text=True, timeout=30)
        assert out.returncode == 0, (argv, out.stderr)


@pytest.mark.parametrize("line, expected", [
    ("kubewallet u", ["use", "unsecure"]),
    ("kubewallet use ", ["arn:aws:eks:eu-west-1:1234:cluster/prod", "dev", "prod-eu"]),
    ("kubewallet ns ", ["web", "payments", "default"]),
    ("kubewallet config delete-user ", ["alice", "bob"]),
    ("kubewallet certs --output=", ["--output=table", "--output=json", "--output=wide"]),
    ("kubewallet import ", ["_files"]),
])
def test_zsh_offers(scripts, env, line, expected, system_tool):
    got = zsh_complete(scripts, env, line)
    if line == "kubewallet u":
        got = [g for g in got if g.startswith("u")]   # _describe filters by prefix itself
        assert sorted(got) == sorted(expected)
    else:
        assert got == expected


# ----- the tree and the lister -------------------------------------------------------------------

def test_tree_knows_every_dispatcher_command():
    from kubewallet.cli.main import COMMANDS

    tree = build_tree()
    assert [c.path[-1] for c in tree.subcommands] == list(COMMANDS)
    config = next(c for c in tree.subcommands if c.path == ("config",))
    assert {"view", "use-context", "set-credentials"} <= {s.path[-1] for s in config.subcommands}


def test_lister_follows_kubeconfig_merge_rules(tmp_path, monkeypatch):
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_text(KUBECONFIG)
    b.write_text(OTHER)
    monkeypatch.setenv("KUBECONFIG", f"{a}{os.pathsep}{b}")
    assert list_names("contexts") == ["dev", "prod-eu", "arn:aws:eks:eu-west-1:1234:cluster/prod", "lab-only"]
    assert list_names("users") == ["alice", "bob", "carol"]
    assert list_names("contexts", str(b)) == ["lab-only"]


def test_lister_unknown_kind_is_a_usage_error(capsys):
    assert main(["completion", "--list", "secrets"]) == 2
    assert "contexts" in capsys.readouterr().err


def test_completion_help_has_examples(kubewallet_cmd):
    out = subprocess.run([*kubewallet_cmd, "completion", "--help"], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0 and "examples:" in out.stdout and "source <(kubewallet completion bash)" in out.stdout


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60))
def test_lister_never_crashes_on_garbage(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("garbage") / "config"
    path.write_text(text)
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["completion", "--list", "contexts", "--kubeconfig", str(path)]) == 0
    assert all(re.fullmatch(r"[^\n]*", line) for line in out.getvalue().splitlines())


def test_script_generation_has_no_side_effects(tmp_path):
    """Reading the parsers calls each command's main with --help under a patched argparse: nothing
    may be written, and argparse must be restored afterwards."""
    import argparse

    before = argparse.ArgumentParser.parse_known_args
    home = Path(os.environ["HOME"])
    files_before = sorted(p for p in home.rglob("*"))
    build_tree()
    assert argparse.ArgumentParser.parse_known_args is before
    assert sorted(p for p in home.rglob("*")) == files_before


# ----- kubectl wallet <TAB>: kubectl's own plugin completion calls kubectl_complete-wallet -------

def kubectl_complete(kubectl, env, *words: str) -> tuple[list[str], str]:
    out = subprocess.run([kubectl, "__complete", "wallet", *words], env=env, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    return [x.split("\t")[0] for x in lines[:-1]], lines[-1]


@pytest.mark.parametrize("line", [
    "kubewallet u", "kubewallet use ", "kubewallet ns p", "kubewallet config ", "kubewallet config view --",
    "kubewallet secure --kubeconfig {other} ", "kubewallet certs -o ", "kubewallet config set-context x --user ",
    "kubewallet whoami --context d", "kubewallet vault r", "kubewallet certs renew a",
])
def test_python_walker_agrees_with_the_bash_script(scripts, env, tmp_path, monkeypatch, line):
    from kubewallet.cli.completion import complete

    line = line.format(other=tmp_path / "other.yaml")
    monkeypatch.setenv("KUBECONFIG", env["KUBECONFIG"])
    words = line.split(" ")[1:]
    got, _ = complete(words)
    assert [c.split("\t")[0] for c in got] == bash_complete(scripts, env, line)


def test_kubectl_completer_tables_are_cached_and_a_broken_cache_is_rebuilt(env, monkeypatch):
    from kubewallet.cli.completion import complete

    monkeypatch.setenv("KUBECONFIG", env["KUBECONFIG"])
    first = complete(["config", "delete-user", ""])
    cached = list((Path(os.environ["XDG_CACHE_HOME"]) / "kubewallet").glob("completion-*.json"))
    assert len(cached) == 1
    assert complete(["config", "delete-user", ""]) == first == (["alice", "bob"], 4)
    cached[0].write_text("{not json")
    assert complete(["config", "delete-user", ""]) == first


def test_zsh_autoloaded_from_fpath_completes_on_the_first_tab(scripts, env, tmp_path, system_tool):
    """Installed as `_kubewallet` in $fpath, zsh runs the file as the function on the first TAB."""
    fdir = tmp_path / "site-functions"
    fdir.mkdir()
    (fdir / "_kubewallet").write_text(scripts["zsh"].read_text())
    driver = ZSH_DRIVER.replace('source "$SCRIPT"', f'fpath=({fdir} $fpath); autoload -Uz _kubewallet')
    out = subprocess.run(["zsh", "-f", "-c", driver], env=dict(env, LINE="kubewallet unsecure "),
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["alice", "bob"]


def test_use_and_shell_complete_the_contexts_of_kubeconfig_folders(scripts, env, tmp_path):
    folder = tmp_path / "config.d"
    folder.mkdir()
    (folder / "acme.yaml").write_text(OTHER.replace("lab-only", "acme-prod"))
    env = dict(env, KUBEWALLET_KUBECONFIG_DIRS=str(folder))
    assert bash_complete(scripts, env, "kubewallet use acme") == ["acme-prod"]
    assert sorted(bash_complete(scripts, env, "kubewallet shell ")) == sorted(
        ["dev", "prod-eu", "arn:aws:eks:eu-west-1:1234:cluster/prod", "acme-prod"])
    # export works on the merged kubeconfig only: no folder contexts there
    assert bash_complete(scripts, env, "kubewallet export acme") == []


def test_kw_shell_function_completes_like_use(scripts, env, system_tool):
    """`kw` (the shell function of `kubewallet use --shell-function`) offers what `use` offers."""
    bash = subprocess.run(["bash", "--norc", "-c", BASH_DRIVER.replace("_kubewallet\n", "_kubewallet_kw\n")],
                          env=dict(env, SCRIPT=str(scripts["bash"]), LINE="kw p"), capture_output=True,
                          text=True, timeout=30)
    assert bash.stdout.split() == ["prod-eu"], bash.stderr
    assert set(fish_complete(scripts, env, "kw d")) == {"dev"}
    zsh = subprocess.run(["zsh", "-f", "-c", ZSH_DRIVER.replace("_kubewallet\n", "_kubewallet_kw\n")],
                         env=dict(env, SCRIPT=str(scripts["zsh"]), LINE="kw "), capture_output=True,
                         text=True, timeout=30)
    assert zsh.stdout.split() == ["arn:aws:eks:eu-west-1:1234:cluster/prod", "dev", "prod-eu"], zsh.stderr
