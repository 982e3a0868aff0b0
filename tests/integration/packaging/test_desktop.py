"""Desktop integration files, checked by the freedesktop tools themselves (Debian's
desktop-file-validate and appstreamcli), the icons rendered from the one SVG, and the wheel
carrying all of it plus both entry points."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
DESKTOP_DIR = ROOT / "app" / "kubewallet" / "resources" / "desktop"
DESKTOP = DESKTOP_DIR / "kubewallet.desktop"
METAINFO = DESKTOP_DIR / "io.github.kubewallet.kubewallet.metainfo.xml"
SVG = ROOT / "app" / "kubewallet" / "resources" / "icons" / "kubewallet.svg"


def test_desktop_entry_passes_desktop_file_validate(system_tool):
    out = subprocess.run([system_tool("desktop-file-validate"), str(DESKTOP)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "error" not in out.stdout, out.stdout + out.stderr


def test_desktop_entry_launches_the_gui_and_matches_the_app():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(DESKTOP)
    main = entry["Desktop Entry"]
    assert main["Exec"] == "kubewallet gui" and main["TryExec"] == "kubewallet"
    assert main["Icon"] == "kubewallet"
    # Qt's setDesktopFileName("kubewallet") and the window class must name this file
    assert main["StartupWMClass"] == "kubewallet" and DESKTOP.stem == "kubewallet"
    assert entry["Desktop Action demo"]["Exec"] == "kubewallet gui --demo"


def test_metainfo_passes_appstreamcli_validate_pedantic(system_tool):
    out = subprocess.run([system_tool("appstreamcli"), "validate", "--no-net", "--pedantic", str(METAINFO)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "W:" not in out.stdout and "E:" not in out.stdout, out.stdout


def test_metainfo_points_at_the_desktop_entry_and_the_binaries():
    root = ET.parse(METAINFO).getroot()
    assert METAINFO.name == root.findtext("id") + ".metainfo.xml"
    assert root.findtext("launchable") == DESKTOP.name
    assert {b.text for b in root.iter("binary")} == {"kubewallet", "kubectl-wallet"}
    from kubewallet import __version__

    assert root.find("releases/release").get("version") == __version__


def test_icons_rendered_at_every_standard_size(tmp_path, artifacts_dir):
    out = subprocess.run([sys.executable, str(ROOT / "packaging" / "render_icons.py"), str(SVG), str(tmp_path)],
                         env=dict(os.environ, QT_QPA_PLATFORM="offscreen"), capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    from PySide6.QtGui import QImage

    for size in (16, 22, 24, 32, 48, 64, 128, 256, 512):
        png = tmp_path / "hicolor" / f"{size}x{size}" / "apps" / "kubewallet.png"
        image = QImage(str(png))
        assert (image.width(), image.height()) == (size, size)
        assert image.hasAlphaChannel()
        assert image.pixelColor(0, 0).alpha() == 0                   # transparent corner
        assert image.pixelColor(size // 3, size // 2).alpha() == 255  # the wallet itself
    shutil.copyfile(tmp_path / "hicolor" / "128x128" / "apps" / "kubewallet.png", artifacts_dir / "icon-128.png")
    assert (tmp_path / "hicolor" / "scalable" / "apps" / "kubewallet.svg").read_bytes() == SVG.read_bytes()


def test_no_generated_png_is_committed(system_tool):
    tracked = subprocess.run([system_tool("git"), "ls-files", "*.png"], cwd=ROOT, capture_output=True, text=True, timeout=30).stdout
    assert [p for p in tracked.split() if "icons" in p or "packaging" in p] == []


def test_wheel_carries_desktop_files_icon_and_both_entry_points(wheel):
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        entry_points = next(zf.read(n).decode() for n in names if n.endswith("entry_points.txt"))
    for path in ("kubewallet/resources/desktop/kubewallet.desktop",
                 "kubewallet/resources/desktop/io.github.kubewallet.kubewallet.metainfo.xml",
                 "kubewallet/resources/icons/kubewallet.svg",
                 "kubewallet/cli/completion.py", "kubewallet/cli/shell.py", "kubewallet/cli/manpage.py"):
        assert path in names
    assert "kubewallet = kubewallet.cli.main:main" in entry_points
    assert "kubectl-wallet = kubewallet.cli.main:main" in entry_points
