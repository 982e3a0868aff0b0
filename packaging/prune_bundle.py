"""Trim a PyInstaller one-folder bundle of kubewallet down to what the app loads.

Why after the build and not through PyInstaller options: PySide6's hooks collect every Qt
plugin family that QtGui/QtWidgets *might* use (Wayland shells, EGL device integrations, TLS
backends, SQL drivers...), and the Qt libraries those plugins link. kubewallet needs:

- platforms: `xcb` (an X11 or XWayland desktop), `offscreen` (tests, screenshots, CI) and
  `minimal`; the Wayland platform is left out, so on a Wayland session Qt uses XWayland;
- imageformats/iconengines: the SVG ones (the icons are SVG), plus the xcb GL integration and
  the input-method contexts, which make a real desktop session work (compose keys, IBus);
- the xdg-desktop-portal platform theme (it follows the desktop's colour scheme over D-Bus). The
  GTK 3 theme is left out: it would drag GTK, GDK, cairo, pango and their kin (about 20 MiB of
  the build machine's system libraries) into the bundle.

Then every shared library that no remaining ELF file needs (by DT_NEEDED, transitively, starting
from the executable, libpython, the extension modules and the kept plugins) is removed, and Qt's
translations go too (the interface is English only); debug sections are stripped from what stays.

usage: python prune_bundle.py DIST_DIR   (prints what was removed and the size before/after)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

KEEP_PLATFORMS = {"libqxcb.so", "libqoffscreen.so", "libqminimal.so"}
KEEP_PLUGIN_DIRS = {"platforms", "imageformats", "iconengines", "xcbglintegrations",
                    "platforminputcontexts", "platformthemes"}
KEEP_IMAGEFORMATS = {"libqsvg.so", "libqico.so", "libqjpeg.so", "libqgif.so"}
KEEP_THEMES = {"libqxdgdesktopportal.so"}


def size_of(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def needed(path: Path) -> set[str]:
    out = subprocess.run(["objdump", "-p", str(path)], capture_output=True, text=True).stdout
    return {line.split()[1] for line in out.splitlines() if line.strip().startswith("NEEDED")}


def is_elf(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(4) == b"\x7fELF"
    except OSError:
        return False


def prune(dist: Path) -> list[str]:
    removed: list[str] = []
    qt = next(dist.rglob("PySide6/Qt"), None)
    if qt is None:
        raise SystemExit(f"no PySide6/Qt folder under {dist}")
    plugins = qt / "plugins"
    for family in sorted(plugins.iterdir()) if plugins.is_dir() else []:
        if family.name not in KEEP_PLUGIN_DIRS:
            shutil.rmtree(family)
            removed.append(f"plugins/{family.name}/")
            continue
        keep = {"platforms": KEEP_PLATFORMS, "imageformats": KEEP_IMAGEFORMATS,
                "platformthemes": KEEP_THEMES}.get(family.name)
        if keep is None:
            continue
        for plugin in family.iterdir():
            if plugin.name not in keep:
                plugin.unlink()
                removed.append(f"plugins/{family.name}/{plugin.name}")
    translations = qt / "translations"
    if translations.is_dir():
        shutil.rmtree(translations)
        removed.append("translations/")

    # Which bundled libraries does anything left still need?  Libraries are the `lib*.so*` files
    # PyInstaller copied next to the app (`_internal/`) and Qt's own (`PySide6/Qt/lib`); the roots
    # are every other ELF file (the executable, extension modules, kept plugins) and libpython,
    # which the bootloader opens by name.
    internal = dist / "_internal"
    lib_dirs = {internal, qt / "lib"}
    libs = {p.name: p for d in lib_dirs if d.is_dir() for p in d.iterdir()
            if p.name.startswith("lib") and ".so" in p.name and p.is_file() and not p.is_symlink()
            and is_elf(p)}
    elves = [p for p in dist.rglob("*") if p.is_file() and not p.is_symlink() and is_elf(p)]
    todo = [p for p in elves if p.name not in libs or p.name.startswith("libpython")]
    wanted: set[str] = {p.name for p in todo if p.name in libs}
    seen: set[Path] = set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        for name in needed(p):
            if name in libs and name not in wanted:
                wanted.add(name)
                todo.append(libs[name])
    for name, path in sorted(libs.items()):
        if name not in wanted:
            path.unlink()
            removed.append(name)
    # Debug sections: pyenv's libpython alone carries 17 MiB of them. --strip-debug keeps the
    # symbol tables the dynamic linker needs. The executable is left alone: PyInstaller appends
    # its archive to it, and strip would cut that off.
    for p in elves:
        if p.exists() and internal in p.parents:
            subprocess.run(["strip", "--strip-debug", str(p)], check=False, capture_output=True)
    # dangling symlinks left behind by removed libraries
    for p in dist.rglob("*"):
        if p.is_symlink() and not p.exists():
            p.unlink()
    return removed


def main() -> int:
    dist = Path(sys.argv[1])
    before = size_of(dist)
    removed = prune(dist)
    after = size_of(dist)
    print(f"pruned {len(removed)} items: {before / 2**20:.1f} MiB -> {after / 2**20:.1f} MiB")
    for item in removed:
        print(f"  - {item}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("LC_ALL", "C")
    raise SystemExit(main())
