"""Where the kubeconfig folders are and which of their files count (see folders.py for the
whole story). Apart from folders.py, so that `kubewallet use NAME` can ask "are there any folder
files?" without importing the catalog (dataclasses, json): the answer is usually no.
"""

from __future__ import annotations

import os

from kubewallet.errors import KubeconfigError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

ENV_DIRS = "KUBEWALLET_KUBECONFIG_DIRS"
SKIPPED_SUFFIXES = ("~", ".bak", ".backup", ".lock", ".tmp", ".swp", ".swo", ".orig", ".rej",
                    ".dpkg-old", ".dpkg-new", ".dpkg-dist", ".rpmnew", ".rpmsave")


def settings_file(environ: Mapping[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    base = env.get("XDG_CONFIG_HOME") or os.path.join(env.get("HOME") or os.path.expanduser("~"), ".config")
    return os.path.join(base, "kubewallet", "folders.json")


def default_folder(env: Mapping[str, str]) -> str:
    return os.path.join(env.get("HOME") or os.path.expanduser("~"), ".kube", "config.d")


def read_settings(env: Mapping[str, str]) -> list[str] | None:
    path = settings_file(env)
    try:
        with open(path, encoding="utf-8") as fh:
            import json  # only when the settings file exists

            data = json.load(fh)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise KubeconfigError(f"cannot read the folder settings {path}: {exc}",
                              hint="fix or delete that file") from None
    folders = data.get("folders") if isinstance(data, dict) else None
    if not isinstance(folders, list) or not all(isinstance(f, str) for f in folders):
        raise KubeconfigError(f'{path}: expected {{"folders": ["DIR", ...]}}',
                              hint="fix or delete that file")
    return folders


def configured_folders(environ: Mapping[str, str] | None = None) -> list[str]:
    """The folders to list, in order (see the module docstring for where they come from)."""
    env = os.environ if environ is None else environ
    if ENV_DIRS in env:
        raw = [os.path.expanduser(p) for p in env[ENV_DIRS].split(os.pathsep) if p]
    else:
        saved = read_settings(env)
        if saved is not None:
            raw = saved
        else:
            default = default_folder(env)
            raw = [default] if os.path.isdir(default) else []
    out: list[str] = []
    for p in raw:
        full = os.path.abspath(p)
        if full not in out:
            out.append(full)
    return out


def is_candidate(name: str) -> bool:
    """A folder entry that may be a kubeconfig: not hidden (our temp files and editors' swap
    files are), not a backup, a lock (client-go's `<file>.lock`) or a package manager's leftover."""
    return bool(name) and not name.startswith(".") and not name.endswith(SKIPPED_SUFFIXES)


def folder_files(folders: list[str]) -> list[str]:
    """The kubeconfig files of the folders: regular files and symlinks to them, sorted by name
    within each folder, not recursing into subfolders. A folder that does not exist is skipped."""
    out: list[str] = []
    seen: set[str] = set()
    for folder in folders:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name.encode())
        except (FileNotFoundError, NotADirectoryError):
            continue
        except PermissionError:
            raise KubeconfigError(f"cannot list the kubeconfig folder {folder}: permission denied") from None
        for entry in entries:
            if not is_candidate(entry.name):
                continue
            try:
                if not entry.is_file():  # follows symlinks: a dangling link is not a file
                    continue
            except OSError:
                continue
            if entry.path not in seen:
                seen.add(entry.path)
                out.append(entry.path)
    return out
