"""The Clusters page: servers, their certificate authorities and TLS settings."""

from __future__ import annotations

from kubewallet.gui.editors.cluster import ClusterEditor
from kubewallet.gui.pages.entries import EntriesPage


class ClustersPage(EntriesPage):
    title = "Clusters"
    icon = "clusters"
    shortcut = "Ctrl+2"
    order = 20
    kind = "clusters"
    editor_class = ClusterEditor
    new_body = {"server": ""}  # no made-up server: the editor asks for one ("no server URL")
