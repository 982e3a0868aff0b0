"""Editors for one context, cluster or user, shown beside the list on their pages.

Each field commits on its own (`editingFinished`, a picker's change) as one undoable edit
through `AppState.set_entry`, starting from a copy of the entry's body so unknown fields and
`extensions` survive.
"""
