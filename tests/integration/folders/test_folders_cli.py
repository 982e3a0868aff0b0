"""A folder of kubeconfig files (`~/.kube/config.d`), switched with `kubewallet use` and the
`kw` shell function, checked with the real kubectl in real shells (bash, zsh, fish)."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from kubewallet.kubeconfig.saving import list_backups
from tests.support.folders import write_kubeconfig
from tests.support.terminal import run_on_a_terminal


@pytest.fixture
def world(tmp_path, _isolated_home, kubectl):
    """~/.kube/config (main-a, main-b, prod) and ~/.kube/config.d with acme.yaml (acme-prod,
    acme-dev, prod) and globex.yaml (globex-1); kubectl and kubewallet on PATH."""
    home = _isolated_home
    kube = home / ".kube"
    main = write_kubeconfig(kube / "config", ["main-a", "main-b", "prod"], current="main-a")
    acme = write_kubeconfig(kube / "config.d" / "acme.yaml", ["acme-prod", "acme-dev", "prod"],
                            current="acme-prod", mode=0o640)
    globex = write_kubeconfig(kube / "config.d" / "globex.yaml", ["globex-1"])
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "kubectl").symlink_to(kubectl)
    env = dict(os.environ, PATH=os.pathsep.join([str(bindir), str(Path(sys.executable).parent),
                                                 os.environ.get("PATH", "")]))
    env.pop("KUBECONFIG", None)
    return {"env": env, "main": main, "acme": acme, "globex": globex, "home": home}


def run(cmd, env, check=True, **kw):
    return subprocess.run(cmd, env=env, capture_output=True, text=True, check=check,
                          stdin=subprocess.DEVNULL, **kw)


def kw(args: list[str]) -> list[str]:
    return ["kubewallet", "use", *args]


def test_print_env_then_eval_makes_kubectl_use_the_folder_context(world, kubectl):
    main_before = world["main"].read_bytes()
    script = f'eval "$({shlex.join(kw(["acme-dev", "--print-env"]))})"; kubectl config current-context; echo "$KUBECONFIG"'
    out = run(["bash", "-c", script], world["env"])
    current, exported = out.stdout.split()
    assert current == "acme-dev"
    assert exported == str(world["acme"])
    assert 'Switched to context "acme-dev".' in out.stderr
    # the folder file was edited in place: its own current-context, its mode, a backup kept
    assert "current-context: acme-dev" in world["acme"].read_text()
    assert world["acme"].stat().st_mode & 0o777 == 0o640
    backups = list_backups(str(world["acme"]))
    assert backups and b"current-context: acme-prod" in backups[0].path.read_bytes()
    # nothing else was touched
    assert world["main"].read_bytes() == main_before
    assert "current-context: ''" in world["globex"].read_text()


def test_print_env_quotes_the_path_for_the_shell(world, tmp_path, kubectl):
    odd = write_kubeconfig(world["home"] / ".kube" / "config.d" / "it's $HOME `x`.yaml", ["odd-one"])
    out = run(kw(["odd-one", "--print-env"]), world["env"])
    assert out.stdout.splitlines()[0] == "export KUBECONFIG=" + "'" + str(odd).replace("'", "'\"'\"'") + "'"
    check = run(["bash", "-c", out.stdout + 'printf %s "$KUBECONFIG"; echo; kubectl config current-context'],
                world["env"])
    assert check.stdout.splitlines() == [str(odd), "odd-one"]
    fish = run(kw(["odd-one", "--print-env", "--shell", "fish"]), world["env"])
    assert fish.stdout.startswith("set -gx KUBECONFIG '")
    check = run(["fish", "-c", fish.stdout + "\nprintf %s $KUBECONFIG; echo; kubectl config current-context"],
                world["env"])
    assert check.stdout.splitlines() == [str(odd), "odd-one"]


def test_listing_covers_main_and_folder_files_and_qualifies_duplicates(world):
    listed = run(kw([]), world["env"]).stdout.split()
    assert listed == sorted(["main-a", "main-b", "config/prod", "acme-prod", "acme-dev", "acme/prod",
                             "globex-1"], key=str.encode)


def test_a_duplicate_name_alone_is_ambiguous_and_changes_nothing(world):
    before = {p: world[p].read_bytes() for p in ("main", "acme")}
    out = run(kw(["prod"]), world["env"], check=False)
    assert out.returncode == 1
    assert 'the context name "prod" exists in several files' in out.stderr
    assert "acme/prod" in out.stderr and "config/prod" in out.stderr
    assert {p: world[p].read_bytes() for p in ("main", "acme")} == before


def test_qualified_names_are_accepted_even_when_unique(world, kubectl):
    out = run(["bash", "-c", f'eval "$({shlex.join(kw(["globex/globex-1", "--print-env"]))})"; '
                             "kubectl config current-context"], world["env"])
    assert out.stdout.strip() == "globex-1"
    out = run(["bash", "-c", f'eval "$({shlex.join(kw(["config/prod", "--print-env"]))})"; '
                             "kubectl config current-context"], world["env"])
    assert out.stdout.strip() == "prod"
    assert "current-context: prod" in world["main"].read_text()


def test_a_broken_file_is_reported_and_hides_nothing(world):
    folder = world["home"] / ".kube" / "config.d"
    (folder / "broken.yaml").write_text("apiVersion: v1\nclusters: [\n")
    (folder / "notes.yaml").write_text("kind: Deployment\napiVersion: apps/v1\n")
    out = run(kw([]), world["env"])
    assert "broken.yaml" in out.stderr and "line 3" in out.stderr
    assert "notes.yaml" in out.stderr and "not a kubeconfig" in out.stderr
    assert "globex-1" in out.stdout.split() and "acme-dev" in out.stdout.split()
    switched = run(kw(["globex-1"]), world["env"])
    assert 'Switched to context "globex-1".' in switched.stdout


def test_backups_locks_hidden_files_and_subfolders_are_not_kubeconfigs(world):
    folder = world["home"] / ".kube" / "config.d"
    for name in ("acme.yaml~", "acme.yaml.bak", "acme.yaml.lock", ".acme.yaml.kubewallet-1-2.tmp",
                 ".hidden.yaml"):
        write_kubeconfig(folder / name, [f"ghost-{len(name)}"])
    write_kubeconfig(folder / "sub" / "deep.yaml", ["deep-one"])
    write_kubeconfig(world["home"] / "elsewhere.yaml", ["linked-one"])
    (folder / "linked.yaml").symlink_to(world["home"] / "elsewhere.yaml")
    (folder / "dangling.yaml").symlink_to(world["home"] / "nowhere.yaml")
    out = run(kw([]), world["env"])
    names = out.stdout.split()
    assert not [n for n in names if "ghost" in n or "deep" in n]
    assert "linked-one" in names
    assert out.stderr == ""


def test_switching_to_a_symlinked_file_edits_its_target_and_keeps_the_link(world, kubectl):
    target = write_kubeconfig(world["home"] / "elsewhere.yaml", ["linked-one"])
    link = world["home"] / ".kube" / "config.d" / "linked.yaml"
    link.symlink_to(target)
    out = run(["bash", "-c", f'eval "$({shlex.join(kw(["linked-one", "--print-env"]))})"; kubectl config current-context'],
              world["env"])
    assert out.stdout.strip() == "linked-one"
    assert link.is_symlink() and "current-context: linked-one" in target.read_text()


def test_without_print_env_a_folder_switch_prints_the_export_hint(world):
    out = run(kw(["acme-dev"]), world["env"])
    assert out.stdout == 'Switched to context "acme-dev".\n'
    assert f"export KUBECONFIG='{world['acme']}'" in out.stderr
    assert "current-context: acme-dev" in world["acme"].read_text()


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_the_kw_function_switches_across_files_and_back(world, shell, kubectl):
    script = f"""
        source <(kubewallet use --shell-function {shell})
        kw acme-dev; kubectl config current-context
        kw main-b; kubectl config current-context; echo "K=${{KUBECONFIG-}}"
        kw -; kubectl config current-context
        kw globex-1; kubectl config current-context
        kw -; kubectl config current-context
        kw | tr '\\n' ' '; echo
        kw nope; echo "rc=$?"
    """
    out = run([shell, "-c", script], world["env"])
    lines = out.stdout.splitlines()
    assert lines[:6] == ["acme-dev", "main-b", "K=", "acme-dev", "globex-1", "acme-dev"]
    assert lines[6].split() == sorted(["main-a", "main-b", "config/prod", "acme-prod", "acme-dev",
                                       "acme/prod", "globex-1"], key=str.encode)
    assert lines[7] == "rc=1"
    assert 'no context exists with the name: "nope"' in out.stderr
    assert "current-context: main-b" in world["main"].read_text()


def test_the_kw_function_in_fish(world, kubectl):
    script = """
        kubewallet use --shell-function fish | source
        kw acme-dev; kubectl config current-context
        kw main-b; kubectl config current-context; echo "K=$KUBECONFIG"
        kw -; kubectl config current-context
    """
    out = run(["fish", "-c", script], world["env"])
    assert out.stdout.splitlines() == ["acme-dev", "main-b", "K=", "acme-dev"]


def test_the_brief_bash_one_liner(world, kubectl):
    out = run(["bash", "-c", "source <(kubewallet use --shell-function bash); kw acme/prod; "
                             "kubectl config current-context"], world["env"])
    assert out.stdout.strip() == "prod"
    assert "current-context: prod" in world["acme"].read_text()


def test_ns_works_on_the_file_kubeconfig_names(world, kubectl):
    main_before = world["main"].read_bytes()
    script = """
        source <(kubewallet use --shell-function bash)
        kw acme-dev
        kubewallet ns payments
        kubectl config view --minify -o jsonpath='{..namespace}'; echo
        kubewallet ns
    """
    out = run(["bash", "-c", script], world["env"])
    assert out.stdout.splitlines()[-2:] == ["payments", "payments"]
    assert world["main"].read_bytes() == main_before


def test_a_kubeconfig_exported_by_hand_is_not_listed_twice(world):
    env = dict(world["env"], KUBECONFIG=str(world["acme"]))
    listed = run(kw([]), env).stdout.split()
    assert listed.count("acme-dev") == 1 and "main-a" in listed


def test_folders_from_the_environment_and_from_the_settings_file(world, tmp_path):
    other = tmp_path / "customers"
    write_kubeconfig(other / "initech", ["initech-prod"])
    env = dict(world["env"], KUBEWALLET_KUBECONFIG_DIRS=str(other))
    listed = run(kw([]), env).stdout.split()
    assert "initech-prod" in listed and "acme-dev" not in listed
    # the settings file: --add-folder starts from the folders in use (~/.kube/config.d here)
    out = run(kw(["--add-folder", str(other)]), world["env"])
    assert "added" in out.stdout
    settings = json.loads((world["home"] / ".config" / "kubewallet" / "folders.json").read_text())
    assert settings["folders"] == [str(world["home"] / ".kube" / "config.d"), str(other)]
    listed = run(kw([]), world["env"]).stdout.split()
    assert "initech-prod" in listed and "acme-dev" in listed
    shown = run(kw(["--folders"]), world["env"]).stdout
    assert "  initech" in shown and "  acme.yaml" in shown
    run(kw(["--remove-folder", str(world["home"] / ".kube" / "config.d")]), world["env"])
    listed = run(kw([]), world["env"]).stdout.split()
    assert "initech-prod" in listed and "acme-dev" not in listed
    bad = run(kw(["--add-folder", str(tmp_path / "missing")]), world["env"], check=False)
    assert bad.returncode != 0 and "not a directory" in bad.stderr


def test_on_a_terminal_the_picker_covers_the_folder_files(world, kubectl):
    env = dict(world["env"], KUBEWALLET_IGNORE_FZF="1")
    screen = run_on_a_terminal(["kubewallet", "use", "prod"], env, prompt=b"context> prod", answer="",
                               end="\r")  # Enter takes the best match
    assert "acme/prod" in screen and "config/prod" in screen and "acme-prod" in screen
    assert 'Switched to context "acme-prod".' in screen
    assert "export KUBECONFIG=" in screen
    assert "current-context: acme-prod" in world["acme"].read_text()


def test_long_listing_shows_the_file_and_filters(world):
    env = dict(world["env"], KUBECONFIG=str(world["acme"]))
    rows = [line.split() for line in run(kw(["-l"]), env).stdout.splitlines()]
    assert rows[0] == ["CURRENT", "NAME", "CLUSTER", "NAMESPACE", "FILE"]
    by_name = {(r[1] if r[0] == "*" else r[0]): r for r in rows[1:]}  # the namespaces are empty
    assert by_name["acme-prod"][0] == "*"  # what kubectl uses with this KUBECONFIG
    assert by_name["globex-1"][-1] == "~/.kube/config.d/globex.yaml"
    assert by_name["config/prod"][-1] == "~/.kube/config"
    filtered = run(kw(["-l", "glob"]), env).stdout.splitlines()
    assert len(filtered) == 2 and "globex-1" in filtered[1]


def test_a_file_kubectl_would_refuse_is_listed_but_never_written(world, kubectl):
    bad = world["home"] / ".kube" / "config.d" / "initech.yaml"
    write_kubeconfig(bad, ["initech-1"])
    bad.write_text(bad.read_text().replace("server: https://initech-1.example:6443", "server: [1, 2]"))
    before = bad.read_bytes()
    assert "initech-1" in run(kw([]), world["env"]).stdout.split()
    out = run(kw(["initech-1"]), world["env"], check=False)
    assert out.returncode != 0 and str(bad) in out.stderr and "line" in out.stderr
    assert bad.read_bytes() == before
    assert run([kubectl, "config", "current-context"], dict(world["env"], KUBECONFIG=str(bad)),
               check=False).returncode != 0  # kubectl refuses it too


def test_kw_alone_on_a_terminal_picks_across_files_and_exports(world, kubectl):
    """The real flow: `kw` with no argument in an interactive shell. The picker must use the
    terminal (stderr) while the function captures stdout for eval."""
    script = ("source <(kubewallet use --shell-function bash); kw glob; "
              "echo \"NOW=$(kubectl config current-context) K=$KUBECONFIG\"; kw; "
              "echo \"NOW=$(kubectl config current-context)\"")
    # typing narrows the list, Enter takes the best match; a single match is taken at once
    text = run_on_a_terminal(["bash", "-c", script], dict(world["env"], KUBEWALLET_IGNORE_FZF="1"),
                             prompt=b"context> ", answer="main-a",
                             end="\r")
    assert f"NOW=globex-1 K={world['globex']}" in text  # a single fuzzy match: no question asked
    assert "acme/prod" in text and "config/prod" in text  # the picker showed every file's contexts
    assert "NOW=main-a" in text
