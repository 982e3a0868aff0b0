import datetime as dt

import pytest

from kubewallet.errors import UsageError
from kubewallet.inspect.timewords import expiry_words, parse_duration, relative, span_words

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize(("seconds", "words"), [
    (0, "0 seconds"), (1, "1 second"), (59, "59 seconds"), (60, "1 minute"), (3599, "59 minutes"),
    (3600, "1 hour"), (86399, "23 hours"), (86400, "1 day"), (47 * 3600, "1 day"),
    (729 * 86400, "729 days"), (730 * 86400, "2 years"),
])
def test_span_words_round_down(seconds, words):
    assert span_words(seconds) == words


def test_expiry_and_relative_words():
    assert expiry_words(NOW + dt.timedelta(days=12, hours=3), NOW) == "expires in 12 days"
    assert expiry_words(NOW - dt.timedelta(days=3, hours=1), NOW) == "expired 3 days ago"
    assert expiry_words(NOW, NOW) == "expired 0 seconds ago"
    assert expiry_words(None, NOW) == "never expires"
    assert relative(NOW - dt.timedelta(minutes=5), NOW) == "5 minutes ago"


@pytest.mark.parametrize(("text", "seconds"), [
    ("30d", 30 * 86400), ("12h", 43200), ("2w", 14 * 86400), ("90m", 5400), ("10s", 10),
    ("7", 7 * 86400), (" 1.5d ", 1.5 * 86400), ("3D", 3 * 86400),
])
def test_parse_duration(text, seconds):
    assert parse_duration(text).total_seconds() == seconds


@pytest.mark.parametrize("text", ["", "d", "-3d", "3 days", "3y"])
def test_bad_durations(text):
    with pytest.raises(UsageError, match="cannot read the duration"):
        parse_duration(text)


def test_countdown():
    from kubewallet.inspect.timewords import countdown

    assert countdown(NOW + dt.timedelta(days=2, hours=3, minutes=12, seconds=45), NOW) == "expires in 2 d 03:12:45"
    assert countdown(NOW - dt.timedelta(minutes=3, seconds=12), NOW) == "expired 00:03:12 ago"
    assert countdown(None, NOW) == "never expires"
