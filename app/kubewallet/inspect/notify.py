"""What the desktop notification says when certificates are about to stop working.

Qt-free so the window helper only decides *when* (at start and once a day) and *how* (the tray's
`showMessage`); this module decides *what*: every client certificate or CA used by any context
that has expired or expires within `within` (14 days by default, the issue's threshold), soonest
first, at most a few lines, each naming the user or cluster and the words "expires in 3 days".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kubewallet.inspect.report import certificate_report
from kubewallet.inspect.sources import VaultReader

DEFAULT_WITHIN = dt.timedelta(days=14)


@dataclass(frozen=True)
class Notice:
    title: str
    body: str
    count: int
    expired: int
    owners: tuple[str, ...]


def expiry_notice(ws, *, now: dt.datetime, within: dt.timedelta = DEFAULT_WITHIN,
                  vault_reader: VaultReader | None = None, max_lines: int = 4) -> Notice | None:
    """None when nothing expires within `within`; else the title and body of one notification."""
    records = certificate_report(ws, list(ws.contexts), now=now, warn=within, vault_reader=vault_reader)
    due = [r for r in records if r.info is not None and r.status(now, within) in ("expired", "expiring")]
    if not due:
        return None
    expired = sum(1 for r in due if r.status(now, within) == "expired")
    lines = [f"{r.label}: {r.info.expiry_words(now)}" for r in due[:max_lines]]
    if len(due) > max_lines:
        lines.append(f"and {len(due) - max_lines} more (see the Certificates page)")
    noun = "certificate" if len(due) == 1 else "certificates"
    if expired:
        title = f"{expired} expired, {len(due) - expired} expiring {noun}" if len(due) > expired \
            else f"{expired} expired {noun}"
    else:
        title = f"{len(due)} {noun} expiring within {within.days} days"
    return Notice(title, "\n".join(lines), len(due), expired, tuple(r.owner for r in due))
