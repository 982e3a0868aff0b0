"""The Users page: who each context authenticates as, and with what kind of credential."""

from __future__ import annotations

from kubewallet.gui.editors.user import UserEditor
from kubewallet.gui.pages.entries import EntriesPage


class UsersPage(EntriesPage):
    title = "Users"
    icon = "users"
    shortcut = "Ctrl+3"
    order = 30
    kind = "users"
    editor_class = UserEditor
    new_body: dict = {}
