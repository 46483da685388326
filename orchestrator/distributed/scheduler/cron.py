"""When a schedule ticks: its cron string(s) read in its ``execution_timezone``, with Dagster's
rules for the days daylight saving time begins and ends.

Cron strings are matched against wall-clock time (``croniter`` over naive local datetimes), then
each match is placed on the time line:

- a wall time that does not exist (the hour skipped when DST begins) runs at the first time that
  does exist after the gap (a daily schedule at 2:30 runs at 3:00 that day), except for a schedule
  that repeats every hour (``*`` in the hour field), which simply has no tick in the gap;
- a wall time that exists twice (the hour repeated when DST ends) runs once, at its second
  occurrence, except for a schedule that repeats every hour, which runs at both.

Ticks are aware datetimes in the schedule's timezone, strictly increasing.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterator, Sequence
from zoneinfo import ZoneInfo

from croniter import croniter

__all__ = ["schedule_timezone", "ticks_after", "ticks_between", "repeats_every_hour"]

_UTC = dt.timezone.utc
# Wall-clock matches are looked for from this long before the instant asked about, so that a tick
# whose wall time is earlier than the instant's (the repeated hour) is not missed.
_MARGIN = dt.timedelta(hours=3)


def schedule_timezone(execution_timezone: str | None) -> ZoneInfo:
    """The zone a schedule's cron string is read in: its ``execution_timezone``, UTC by default."""
    return ZoneInfo(execution_timezone or "UTC")


def repeats_every_hour(cron: str) -> bool:
    """Whether ``cron`` matches in every hour (its hour field is ``*``): such schedules follow
    absolute time through DST changes instead of the wall clock."""
    fields = croniter.expand(cron)[0]
    return fields[1] == ["*"]


def _local(instant: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    return instant.astimezone(tz).replace(tzinfo=None)


def _exists(wall: dt.datetime, tz: ZoneInfo) -> bool:
    # Through UTC: astimezone() to the datetime's own zone returns it unchanged.
    return _local(wall.replace(tzinfo=tz).astimezone(_UTC), tz) == wall


def _ambiguous(wall: dt.datetime, tz: ZoneInfo) -> bool:
    return wall.replace(tzinfo=tz, fold=0).utcoffset() != wall.replace(tzinfo=tz, fold=1).utcoffset()


def _end_of_gap(wall: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """The first existing time after the gap that swallowed ``wall`` (e.g. 3:00 for 2:30), in UTC."""
    # Inside a gap, fold=1 reads the wall time with the offset after the change (an instant before
    # the change) and fold=0 with the offset before it (an instant after): the change lies between.
    low = int(wall.replace(tzinfo=tz, fold=1).timestamp())
    high = int(wall.replace(tzinfo=tz, fold=0).timestamp())
    while low < high:
        mid = (low + high) // 2
        if _local(dt.datetime.fromtimestamp(mid, _UTC), tz) > wall:
            high = mid
        else:
            low = mid + 1
    return dt.datetime.fromtimestamp(low, _UTC)


def _instants(wall: dt.datetime, tz: ZoneInfo, hourly: bool) -> list[dt.datetime]:
    """Where the wall time ``wall`` lands on the time line (none, one or two instants), in UTC.

    UTC because Python compares two datetimes of one zone by their wall time, ignoring ``fold``:
    the two 1:30s of the day DST ends would compare equal.
    """
    if not _exists(wall, tz):
        return [] if hourly else [_end_of_gap(wall, tz)]
    if _ambiguous(wall, tz):
        first, second = (wall.replace(tzinfo=tz, fold=f).astimezone(_UTC) for f in (0, 1))
        return [first, second] if hourly else [second]
    return [wall.replace(tzinfo=tz).astimezone(_UTC)]


def _one_cron(cron: str, tz: ZoneInfo, after: dt.datetime) -> Iterator[dt.datetime]:
    """The ticks of one cron string after ``after`` (UTC), as UTC instants."""
    hourly = repeats_every_hour(cron)
    walls = croniter(cron, _local(after, tz) - _MARGIN)
    while True:
        wall = walls.get_next(dt.datetime)
        for instant in _instants(wall, tz, hourly):
            if instant > after:
                yield instant


def ticks_after(cron_schedule: str | Sequence[str], execution_timezone: str | None,
                after: dt.datetime) -> Iterator[dt.datetime]:
    """Every tick of ``cron_schedule`` strictly after the aware instant ``after``, in order, forever.

    ``cron_schedule``: one cron string or several (the schedule ticks when any matches);
    ``execution_timezone``: the IANA zone the strings are read in (UTC when None).
    """
    if after.tzinfo is None:
        raise ValueError("ticks_after needs an aware datetime")
    tz = schedule_timezone(execution_timezone)
    crons = [cron_schedule] if isinstance(cron_schedule, str) else list(cron_schedule)
    start = after.astimezone(_UTC)
    last: dt.datetime | None = None
    for instant in heapq.merge(*(_one_cron(c, tz, start) for c in crons)):
        # Two wall times can land on one instant (2:00 and 2:30 both run at 3:00): one tick.
        if last is None or instant > last:
            last = instant
            yield instant.astimezone(tz)


def ticks_between(cron_schedule: str | Sequence[str], execution_timezone: str | None, after: dt.datetime,
                  until: dt.datetime) -> list[dt.datetime]:
    """The ticks in ``(after, until]``: what is due at ``until`` once ``after`` was handled."""
    found: list[dt.datetime] = []
    end = until.astimezone(_UTC)
    for tick in ticks_after(cron_schedule, execution_timezone, after):
        if tick.astimezone(_UTC) > end:
            break
        found.append(tick)
    return found
