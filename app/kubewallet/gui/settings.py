"""Setting keys of the window and helpers over `QSettings` (pages prefix their own keys).

QSettings stores lists awkwardly in INI files (a one-element list comes back as a str), so the
favourites go through `favourites()` / `set_favourites()`.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings

GEOMETRY = "window/geometry"
STATE = "window/state"
LAST_PAGE = "window/last_page"
LIVE_IN_TRAY = "window/live_in_tray"        # closing the window keeps the app in the tray
SPLITTER = "window/splitter/{kind}"
CHECK_AT_START = "contexts/check_at_start"  # check every context in the background at start (default on)
PLAINTEXT_HINT_DISMISSED = "first_run/plaintext_hint_dismissed"  # "move secrets to the keyring", once


def _as_list(value) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def favourites(settings: QSettings, kind: str) -> set[str]:
    return set(_as_list(settings.value(f"favourites/{kind}")))


def set_favourites(settings: QSettings, kind: str, names: set[str]) -> None:
    settings.setValue(f"favourites/{kind}", sorted(names))


def flag(settings: QSettings, key: str, default: bool = False) -> bool:
    value = settings.value(key, default)
    if isinstance(value, str):
        return value.lower() in ("1", "true", "yes")
    return bool(value)
