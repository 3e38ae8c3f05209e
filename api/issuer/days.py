"""Days and times as the TW DIW module reads and writes them: ``YYYYMMDD`` days in DWVC-101 and
``yyyy-MM-dd HH:mm:ss`` in DWVC-202/203, both in the module's time zone (the official module uses
its JVM's, Asia/Taipei in its deployment: a card issued for a day starts at 00:00:00 and ends at
23:59:59 of that day there, as twdiw-vc-handler CredentialService sets them)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

DAY = "%Y%m%d"
LISTED = "%Y-%m-%d %H:%M:%S"


def parse_day(text: str) -> datetime:
    """``YYYYMMDD`` -> that date (ValueError if it is not eight digits naming a real date)."""
    if len(text) != 8 or not text.isascii() or not text.isdigit():
        raise ValueError(text)
    return datetime.strptime(text, DAY)


def today(now: int, zone: str) -> str:
    """The module's ``YYYYMMDD`` at unix time `now`."""
    return datetime.fromtimestamp(now, ZoneInfo(zone)).strftime(DAY)


def day_start(day: str, zone: str) -> int:
    """Unix time of 00:00:00 of `day` in `zone`."""
    return int(parse_day(day).replace(tzinfo=ZoneInfo(zone)).timestamp())


def day_end(day: str, zone: str) -> int:
    """Unix time of 23:59:59 of `day` in `zone`."""
    return int(parse_day(day).replace(hour=23, minute=59, second=59, tzinfo=ZoneInfo(zone)).timestamp())


def listed(unix: int, zone: str) -> str:
    """``yyyy-MM-dd HH:mm:ss`` of unix time `unix` in `zone` (DWVC-202/203)."""
    return datetime.fromtimestamp(unix, ZoneInfo(zone)).strftime(LISTED)
