"""Icons: the SVGs in `kubewallet/resources/icons/`, else the freedesktop theme icon of that name.

SVG keeps them sharp at any scale; the theme fallback lets a page name a standard icon
("document-save") without shipping one.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtGui import QIcon

ICON_DIR = Path(__file__).resolve().parents[1] / "resources" / "icons"


@cache
def icon(name: str) -> QIcon:
    if not name:
        return QIcon()
    path = ICON_DIR / f"{name}.svg"
    if path.exists():
        return QIcon(str(path))
    return QIcon.fromTheme(name)


def app_icon() -> QIcon:
    return icon("kubewallet")
