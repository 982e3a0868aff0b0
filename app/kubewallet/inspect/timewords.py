"""Relative time in words ("expires in 12 days", "expired 3 days ago") and `--warn` durations.

Why words: "the client cert expired" is the most common silent kubeconfig failure, and a date
alone makes a person do arithmetic. The rounding is always *down* toward the less alarming unit
boundary ("in 1 day" for 47 hours), so a warning never claims more time than there is left.
"""

from __future__ import annotations

import datetime as dt
import re

from kubewallet.errors import UsageError

UTC = dt.timezone.utc

_UNITS = (("year", 365 * 86400), ("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1))


def now_utc() -> dt.datetime:
    """The current time, aware and in UTC (the one clock every module asks)."""
    return dt.datetime.now(UTC)


def span_words(seconds: float) -> str:
    """'12 days', '1 hour', '40 seconds' for a non-negative number of seconds.

    Years only from two years on: "expires in 400 days" is more useful than "in 1 year".
    """
    seconds = abs(seconds)
    for name, size in _UNITS:
        if name == "year" and seconds < 2 * size:
            continue
        if seconds >= size or name == "second":
            count = int(seconds // size)
            return f"{count} {name}{'' if count == 1 else 's'}"
    raise AssertionError("unreachable")


def relative(when: dt.datetime, now: dt.datetime) -> str:
    """'in 12 days' or '3 days ago'."""
    delta = (when - now).total_seconds()
    return f"in {span_words(delta)}" if delta >= 0 else f"{span_words(delta)} ago"


def expiry_words(not_after: dt.datetime | None, now: dt.datetime) -> str:
    """'expires in 12 days', 'expired 3 days ago', or 'never expires'."""
    if not_after is None:
        return "never expires"
    delta = (not_after - now).total_seconds()
    if delta > 0:
        return f"expires in {span_words(delta)}"
    return f"expired {span_words(delta)} ago"


def local_time(when: dt.datetime) -> str:
    """A timestamp in the person's local time zone, to the second, with the zone's name."""
    return when.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z").strip()


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$", re.IGNORECASE)
_FACTORS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400, "": 86400}


def parse_duration(text: str) -> dt.timedelta:
    """`--warn 30d`: a number with s, m, h, d or w; a bare number means days (kubeadm's habit
    of thinking about certificates in days)."""
    match = _DURATION.match(text or "")
    if not match:
        raise UsageError(f"cannot read the duration {text!r}",
                         hint="use a number with s, m, h, d or w, for example 30d or 12h")
    return dt.timedelta(seconds=float(match.group(1)) * _FACTORS[match.group(2).lower()])


def countdown(expires: dt.datetime | None, now: dt.datetime) -> str:
    """A ticking form for a live display: 'expires in 2 d 03:12:45', 'expired 00:03:12 ago'."""
    if expires is None:
        return "never expires"
    seconds = int((expires - now).total_seconds())
    left = abs(seconds)
    days, rest = divmod(left, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    clock = (f"{days} d " if days else "") + f"{hours:02d}:{minutes:02d}:{secs:02d}"
    return f"expires in {clock}" if seconds > 0 else f"expired {clock} ago"
