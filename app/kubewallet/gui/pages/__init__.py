"""The page registry: which modules the window's sidebar is built from.

A page plugs in by being listed here (one line, dotted module name); the window imports each
module lazily, takes every `Page` subclass the module defines (see `base.py`), and orders them by
`Page.order`. A listed module that does not exist yet, or that fails to import, is left out of
the sidebar and reported in the status bar (and the log), so the window keeps working while
pages are being written.
"""

from __future__ import annotations

import importlib
import inspect
import logging
from dataclasses import dataclass

log = logging.getLogger(__name__)

PAGE_MODULES: tuple[str, ...] = (
    "kubewallet.gui.pages.contexts",
    "kubewallet.gui.pages.clusters",
    "kubewallet.gui.pages.users",
    "kubewallet.gui.pages.credentials",
    "kubewallet.gui.pages.certificates",
    "kubewallet.gui.pages.tokens",
    "kubewallet.gui.pages.identity",
    "kubewallet.gui.pages.access",
)


@dataclass(frozen=True)
class PageProblem:
    """A listed page module that could not be imported (shown, never raised)."""

    module: str
    reason: str


def discover(modules: tuple[str, ...] = PAGE_MODULES) -> tuple[list[type], list[PageProblem]]:
    """Import the page modules and return their `Page` classes (by `order`, then title)."""
    from kubewallet.gui.pages.base import Page

    pages: list[type] = []
    problems: list[PageProblem] = []
    for dotted in modules:
        try:
            module = importlib.import_module(dotted)
        except ModuleNotFoundError as exc:
            if exc.name == dotted:  # not written yet: quietly absent
                continue
            problems.append(PageProblem(dotted, f"{type(exc).__name__}: {exc}"))
            log.exception("page module %s failed to import", dotted)
            continue
        except Exception as exc:  # noqa: BLE001 - one broken page must not take the window down
            problems.append(PageProblem(dotted, f"{type(exc).__name__}: {exc}"))
            log.exception("page module %s failed to import", dotted)
            continue
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, Page) and obj is not Page and obj.__module__ == module.__name__ \
                    and not obj.__dict__.get("abstract", False):
                pages.append(obj)
    pages.sort(key=lambda cls: (cls.order, cls.title))
    return pages, problems
