"""Time-window partitions: one partition per hour, day, week or month since a start date.

A partition is the window between two consecutive ticks of the definition's schedule (for daily
partitions with ``hour_offset=6``: every day at 06:00 in ``timezone``). Its key is the window's
start formatted with ``fmt``. A window is a partition once it has ended (``end_offset=1`` adds the
window in progress, ``-1`` drops the last complete one), and while it starts before ``end``.
Keys are checked by parsing them, so asking about one key never lists years of hours.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from orchestrator.definitions.partitions import PartitionedConfig, PartitionKeyRange, PartitionsDefinition
from orchestrator.errors import DefinitionError

__all__ = [
    "TimeWindow",
    "TimeWindowPartitionsDefinition",
    "HourlyPartitionsDefinition",
    "DailyPartitionsDefinition",
    "WeeklyPartitionsDefinition",
    "MonthlyPartitionsDefinition",
    "hourly_partitioned_config",
    "daily_partitioned_config",
    "weekly_partitioned_config",
    "monthly_partitioned_config",
]

_UTC = dt.timezone.utc
_KINDS = ("HOURLY", "DAILY", "WEEKLY", "MONTHLY")
_DEFAULT_FMT = {"HOURLY": "%Y-%m-%d-%H:%M", "DAILY": "%Y-%m-%d", "WEEKLY": "%Y-%m-%d", "MONTHLY": "%Y-%m-%d"}


class TimeWindow(NamedTuple):
    """The ``[start, end)`` interval of one time partition, as timezone-aware datetimes.

    Time-window partitions give one per key (``time_window_for_partition_key``), and a run of a
    time partition reads its own as ``context.partition_time_window``.

    Args:
        start: The window's first moment (included).
        end: The moment the window ends (excluded): the start of the next window.

    Examples:
        >>> from orchestrator import DailyPartitionsDefinition
        >>> days = DailyPartitionsDefinition(start_date="2024-01-01", timezone="Europe/Paris")
        >>> window = days.time_window_for_partition_key("2024-01-02")
        >>> window.start.isoformat(), window.end.isoformat()
        ('2024-01-02T00:00:00+01:00', '2024-01-03T00:00:00+01:00')
    """

    start: dt.datetime
    end: dt.datetime


def _kind_of(schedule_type: Any) -> str:
    value = getattr(schedule_type, "value", schedule_type)
    kind = str(value).upper()
    if kind not in _KINDS:
        raise DefinitionError(f"schedule_type {schedule_type!r} is not one of {', '.join(_KINDS)}.")
    return kind


def _parse_cron(cron_schedule: str) -> tuple[str, int, int, int]:
    """``(kind, minute, hour, day)`` of the cron forms a time partition can follow."""
    fields = cron_schedule.split()
    if len(fields) == 5 and all(f.isdigit() or f == "*" for f in fields):
        minute, hour, dom, month, dow = fields
        if month == "*" and minute.isdigit():
            if hour == "*" and dom == "*" and dow == "*":
                return "HOURLY", int(minute), 0, 0
            if hour.isdigit() and dom == "*" and dow == "*":
                return "DAILY", int(minute), int(hour), 0
            if hour.isdigit() and dom == "*" and dow.isdigit():
                return "WEEKLY", int(minute), int(hour), int(dow)
            if hour.isdigit() and dom.isdigit() and dow == "*":
                return "MONTHLY", int(minute), int(hour), int(dom)
    raise DefinitionError(
        f"Time partitions follow an hourly ('M * * * *'), daily ('M H * * *'), weekly ('M H * * D') or "
        f"monthly ('M H D * *') cron schedule; {cron_schedule!r} is none of these."
    )


def _as_aware(value: str | dt.date | dt.datetime, fmt: str, tz: ZoneInfo) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=tz) if value.tzinfo is None else value.astimezone(tz)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=tz)
    try:
        parsed = dt.datetime.strptime(value, fmt)
    except ValueError:
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            raise DefinitionError(f"Date {value!r} matches neither the format {fmt!r} nor ISO 8601.") from None
    return _as_aware(parsed, fmt, tz)


class TimeWindowPartitionsDefinition(PartitionsDefinition):
    """Partitions that are time windows following an hourly, daily, weekly or monthly schedule.

    Each partition is the window between two consecutive ticks of the schedule, keyed by the
    window's start formatted with ``fmt``; a window is a partition once it has ended (see
    ``end_offset``) and while it starts before ``end``. Keys are checked by parsing them, so asking
    about one key never lists years of hours. Prefer the subclasses
    (``DailyPartitionsDefinition``...). Unlike Dagster's, only hourly (``M * * * *``), daily
    (``M H * * *``), weekly (``M H * * D``) and monthly (``M H D * *``) cron schedules are
    accepted, and ``exclusions`` are refused.

    Args:
        start: The start of the first partition: a string in ``fmt`` (or ISO 8601), a date or a
            datetime, read in ``timezone``; a start between two ticks begins at the next tick.
        fmt: The ``strftime`` format of the keys.
        end: Partitions start before this moment. Defaults to None: no end.
        schedule_type: ``"HOURLY"``, ``"DAILY"``, ``"WEEKLY"`` or ``"MONTHLY"`` (or an enum with that
            value), with the offsets below; or give ``cron_schedule``.
        timezone: The IANA time zone of the schedule (``"Europe/Paris"``). Defaults to UTC.
        end_offset: How many partitions to add after the last complete one (1: the one in
            progress; -1 drops the last complete one). Defaults to 0.
        minute_offset: The minute each window starts at (with ``schedule_type``). Defaults to 0.
        hour_offset: The hour each window starts at (with ``schedule_type``). Defaults to 0.
        day_offset: The day each window starts on (with ``schedule_type``): 0 (Sunday) to 6 for
            weekly, 1 to 31 for monthly. Defaults to 0, or 1 for monthly.
        cron_schedule: The schedule as a cron string, instead of ``schedule_type`` and the offsets.
        exclusions: Not supported: a ``DefinitionError`` says to leave it out.

    Raises:
        DefinitionError: when both or neither of ``cron_schedule`` and ``schedule_type`` are given,
            the cron string is not one of the four forms, an offset is out of range, the time zone
            is unknown, a date matches neither ``fmt`` nor ISO 8601, or ``exclusions`` is given.

    Examples:
        >>> from orchestrator import TimeWindowPartitionsDefinition
        >>> six_am_days = TimeWindowPartitionsDefinition(start="2024-01-01", end="2024-01-03", fmt="%Y-%m-%d",
        ...                                              cron_schedule="0 6 * * *", timezone="Europe/Paris")
        >>> six_am_days.get_partition_keys()
        ['2024-01-01', '2024-01-02']
        >>> six_am_days.time_window_for_partition_key("2024-01-01").start.isoformat()
        '2024-01-01T06:00:00+01:00'
    """

    def __init__(self, start: str | dt.date | dt.datetime, fmt: str, end: str | dt.date | dt.datetime | None = None,
                 schedule_type: Any = None, timezone: str | None = None, end_offset: int = 0,
                 minute_offset: int | None = None, hour_offset: int | None = None, day_offset: int | None = None,
                 cron_schedule: str | None = None, exclusions: Sequence[Any] | None = None) -> None:
        if exclusions:
            raise DefinitionError("Time partitions with exclusions= are not supported; leave exclusions out.")
        if cron_schedule is not None:
            if schedule_type is not None:
                raise DefinitionError("Pass either cron_schedule= or schedule_type=, not both.")
            kind, minute, hour, day = _parse_cron(cron_schedule)
        else:
            if schedule_type is None:
                raise DefinitionError("Time partitions need cron_schedule= or schedule_type=.")
            kind = _kind_of(schedule_type)
            minute, hour = minute_offset or 0, hour_offset or 0
            day = day_offset if day_offset is not None else (1 if kind == "MONTHLY" else 0)
        if not (0 <= minute < 60 and 0 <= hour < 24):
            raise DefinitionError(f"minute_offset must be 0-59 and hour_offset 0-23, got {minute} and {hour}.")
        if kind == "WEEKLY" and not 0 <= day <= 6:
            raise DefinitionError(f"Weekly partitions take day_offset 0 (Sunday) to 6 (Saturday), got {day}.")
        if kind == "MONTHLY" and not 1 <= day <= 31:
            raise DefinitionError(f"Monthly partitions take day_offset 1 to 31, got {day}.")
        self.kind = kind
        self.minute_offset, self.hour_offset, self.day_offset = minute, hour, day
        self.fmt = fmt
        self.timezone = timezone or "UTC"
        try:
            self._tz = ZoneInfo(self.timezone)
        except Exception:
            raise DefinitionError(f"Unknown timezone {self.timezone!r}; use an IANA name like 'Europe/Paris'.") from None
        self.start = _as_aware(start, fmt, self._tz)
        self.end = _as_aware(end, fmt, self._tz) if end is not None else None
        self.end_offset = end_offset
        self._first = self._align_up(self.start)

    # -- the schedule --------------------------------------------------------------------------
    @property
    def schedule_type(self) -> str:
        return self.kind

    @property
    def cron_schedule(self) -> str:
        m, h, d = self.minute_offset, self.hour_offset, self.day_offset
        return {"HOURLY": f"{m} * * * *", "DAILY": f"{m} {h} * * *", "WEEKLY": f"{m} {h} * * {d}",
                "MONTHLY": f"{m} {h} {d} * *"}[self.kind]

    def _align_up(self, t: dt.datetime) -> dt.datetime:
        """The first tick at or after ``t``."""
        t = t.astimezone(self._tz)
        if self.kind == "HOURLY":
            c = t.replace(minute=self.minute_offset, second=0, microsecond=0)
            return c if c >= t else self._next(c)
        if self.kind == "DAILY":
            c = t.replace(hour=self.hour_offset, minute=self.minute_offset, second=0, microsecond=0)
            return c if c >= t else c + dt.timedelta(days=1)
        if self.kind == "WEEKLY":
            weekday = (self.day_offset - 1) % 7  # cron counts from Sunday, Python from Monday
            c = t.replace(hour=self.hour_offset, minute=self.minute_offset, second=0, microsecond=0)
            c += dt.timedelta(days=(weekday - t.weekday()) % 7)
            return c if c >= t else c + dt.timedelta(days=7)
        year, month = t.year, t.month
        while True:
            tick = self._monthly_tick(year, month)
            if tick is not None and tick >= t:
                return tick
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)

    def _monthly_tick(self, year: int, month: int) -> dt.datetime | None:
        if self.day_offset > calendar.monthrange(year, month)[1]:
            return None  # cron skips months without that day
        return dt.datetime(year, month, self.day_offset, self.hour_offset, self.minute_offset, tzinfo=self._tz)

    def _next(self, c: dt.datetime) -> dt.datetime:
        if self.kind == "HOURLY":
            # In UTC, so an hour is an hour across daylight-saving changes.
            return (c.astimezone(_UTC) + dt.timedelta(hours=1)).astimezone(self._tz)
        if self.kind == "DAILY":
            return c + dt.timedelta(days=1)  # wall-clock arithmetic: the same local time tomorrow
        if self.kind == "WEEKLY":
            return c + dt.timedelta(days=7)
        return self._align_up(c + dt.timedelta(days=1))

    def _prev(self, c: dt.datetime) -> dt.datetime:
        if self.kind == "HOURLY":
            return (c.astimezone(_UTC) - dt.timedelta(hours=1)).astimezone(self._tz)
        if self.kind == "DAILY":
            return c - dt.timedelta(days=1)
        if self.kind == "WEEKLY":
            return c - dt.timedelta(days=7)
        year, month = c.year, c.month
        while True:
            year, month = (year - 1, 12) if month == 1 else (year, month - 1)
            tick = self._monthly_tick(year, month)
            if tick is not None:
                return tick

    def _align_down(self, t: dt.datetime) -> dt.datetime:
        c = self._align_up(t)
        return c if c <= t else self._prev(c)

    # -- which windows exist ---------------------------------------------------------------------
    def _now(self, current_time: dt.datetime | None) -> dt.datetime:
        if current_time is None:
            return dt.datetime.now(self._tz)
        return current_time.replace(tzinfo=_UTC) if current_time.tzinfo is None else current_time

    def _last_start(self, current_time: dt.datetime | None) -> dt.datetime | None:
        """The start of the last window that is a partition at ``current_time``, if any."""
        last = self._prev(self._align_down(self._now(current_time)))  # the last window that has ended
        for _ in range(abs(self.end_offset)):
            last = self._next(last) if self.end_offset > 0 else self._prev(last)
        if self.end is not None:
            bound = self._prev(self._align_up(self.end))  # the last window starting before ``end``
            if bound < last:
                last = bound
        return last if last >= self._first else None

    def _parse_key(self, key: str) -> dt.datetime | None:
        try:
            parsed = dt.datetime.strptime(key, self.fmt).replace(tzinfo=self._tz)
        except (ValueError, TypeError):
            return None
        # A key may not show the window's time of day (daily keys with hour_offset=6): the window is
        # the first tick from the parsed moment, and the key must be exactly how that tick formats.
        start = self._align_up(parsed)
        return start if start.strftime(self.fmt) == key else None

    def get_partition_keys(self, current_time: dt.datetime | None = None,
                           dynamic_partitions_store: Any = None) -> list[str]:
        last = self._last_start(current_time)
        keys: list[str] = []
        c = self._first
        while last is not None and c <= last:
            keys.append(c.strftime(self.fmt))
            c = self._next(c)
        return keys

    def has_partition_key(self, partition_key: str, current_time: dt.datetime | None = None,
                          dynamic_partitions_store: Any = None) -> bool:
        start = self._parse_key(partition_key)
        if start is None or start < self._first:
            return False
        last = self._last_start(current_time)
        return last is not None and start <= last

    def get_first_partition_key(self, current_time: dt.datetime | None = None) -> str | None:
        return self._first.strftime(self.fmt) if self._last_start(current_time) is not None else None

    def get_last_partition_key(self, current_time: dt.datetime | None = None,
                               dynamic_partitions_store: Any = None) -> str | None:
        last = self._last_start(current_time)
        return last.strftime(self.fmt) if last is not None else None

    def get_num_partitions(self, current_time: dt.datetime | None = None) -> int:
        return len(self.get_partition_keys(current_time))

    # -- windows and keys --------------------------------------------------------------------
    def time_window_for_partition_key(self, partition_key: str) -> TimeWindow:
        """The ``[start, end)`` window of a key (``ValueError``-free: a bad key is a ``DefinitionError``)."""
        start = self._parse_key(partition_key)
        if start is None:
            raise DefinitionError(
                f"'{partition_key}' is not a key of these {self.kind.lower()} partitions (format {self.fmt!r}, "
                f"schedule '{self.cron_schedule}')."
            )
        return TimeWindow(start, self._next(start))

    def start_time_for_partition_key(self, partition_key: str) -> dt.datetime:
        return self.time_window_for_partition_key(partition_key).start

    def get_partition_key_for_timestamp(self, timestamp: float, end_closed: bool = False) -> str:
        """The key of the window containing ``timestamp`` (seconds since the epoch)."""
        t = dt.datetime.fromtimestamp(timestamp, self._tz)
        start = self._align_down(t)
        if end_closed and start == t:
            start = self._prev(start)
        return start.strftime(self.fmt)

    def get_partition_keys_in_range(self, partition_key_range: PartitionKeyRange,
                                    dynamic_partitions_store: Any = None) -> list[str]:
        first = self.time_window_for_partition_key(partition_key_range.start).start
        last = self.time_window_for_partition_key(partition_key_range.end).start
        keys: list[str] = []
        c = first
        while c <= last:
            keys.append(c.strftime(self.fmt))
            c = self._next(c)
        return keys

    def get_partition_keys_in_time_window(self, time_window: TimeWindow) -> list[str]:
        """Keys of the partitions whose windows lie inside ``time_window``."""
        keys: list[str] = []
        c = max(self._align_up(time_window.start), self._first)
        while self._next(c) <= time_window.end:
            keys.append(c.strftime(self.fmt))
            c = self._next(c)
        return keys

    def get_partition_key_range_for_time_window(self, time_window: TimeWindow) -> PartitionKeyRange:
        keys = self.get_partition_keys_in_time_window(time_window)
        if not keys:
            raise DefinitionError(f"No partition lies inside {time_window}.")
        return PartitionKeyRange(keys[0], keys[-1])

    def time_window_for_partition_key_range(self, partition_key_range: PartitionKeyRange) -> TimeWindow:
        return TimeWindow(self.time_window_for_partition_key(partition_key_range.start).start,
                          self.time_window_for_partition_key(partition_key_range.end).end)

    def shifted_key(self, partition_key: str, offset: int) -> str:
        """The key ``offset`` windows after (negative: before) ``partition_key``."""
        c = self.time_window_for_partition_key(partition_key).start
        for _ in range(abs(offset)):
            c = self._next(c) if offset > 0 else self._prev(c)
        return c.strftime(self.fmt)

    def _identity(self) -> tuple[Any, ...]:
        return (self.kind, self.minute_offset, self.hour_offset, self.day_offset, self.fmt, self.timezone,
                self._first, self.end, self.end_offset)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TimeWindowPartitionsDefinition) and other._identity() == self._identity()

    def __hash__(self) -> int:
        return hash(self._identity())

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(start={self.start.strftime(self.fmt)!r}, schedule='{self.cron_schedule}', "
                f"timezone={self.timezone!r})")


class HourlyPartitionsDefinition(TimeWindowPartitionsDefinition):
    """Partitions of one hour each, keyed like ``2024-01-01-00:00``.

    Each partition is the hour from ``minute_offset`` past one hour to the same minute of the next,
    in ``timezone``; an hour is a partition once it has ended. Dagster's ``exclusions`` are refused.

    Args:
        start_date: The start of the first partition: a string in ``fmt`` (or ISO 8601), a date or a
            datetime, read in ``timezone``; a start between two ticks begins at the next tick.
        end_date: Partitions start before this date. Defaults to None: no end.
        minute_offset: The minute of the hour each partition starts at. Defaults to 0.
        timezone: The IANA time zone of the schedule (``"Europe/Paris"``). Defaults to UTC.
        fmt: The ``strftime`` format of the keys (each window's start). Defaults to ``"%Y-%m-%d-%H:%M"``.
        end_offset: How many partitions to add after the last complete one (1: the one in
            progress; -1 drops the last complete one). Defaults to 0.
        exclusions: Not supported: a ``DefinitionError`` says to leave it out.

    Raises:
        DefinitionError: when ``exclusions`` is given, an offset is out of range, the time zone is
            unknown, or a date matches neither ``fmt`` nor ISO 8601.

    Examples:
        >>> from orchestrator import HourlyPartitionsDefinition, asset, materialize
        >>> hours = HourlyPartitionsDefinition(start_date="2024-01-01-00:00", end_date="2024-01-01-03:00")
        >>> hours.get_partition_keys()
        ['2024-01-01-00:00', '2024-01-01-01:00', '2024-01-01-02:00']
        >>> @asset(partitions_def=hours)
        ... def events(context) -> str:
        ...     return context.partition_time_window.end.isoformat()
        >>> materialize([events], partition_key="2024-01-01-01:00").output_for_node("events")
        '2024-01-01T02:00:00+00:00'
    """

    def __init__(self, start_date: str | dt.datetime, end_date: str | dt.datetime | None = None,
                 minute_offset: int = 0, timezone: str | None = None, fmt: str | None = None,
                 end_offset: int = 0, exclusions: Sequence[Any] | None = None) -> None:
        super().__init__(start=start_date, fmt=fmt or _DEFAULT_FMT["HOURLY"], end=end_date, schedule_type="HOURLY",
                         timezone=timezone, end_offset=end_offset, minute_offset=minute_offset, exclusions=exclusions)


class DailyPartitionsDefinition(TimeWindowPartitionsDefinition):
    """Partitions of one day each, keyed ``YYYY-MM-DD``: the most common way to partition by time.

    Each partition is the day from ``hour_offset:minute_offset`` to the same time the next day, in
    ``timezone``; a day is a partition once it has ended. Dagster's ``exclusions`` are refused.

    Args:
        start_date: The start of the first partition: a string in ``fmt`` (or ISO 8601), a date or a
            datetime, read in ``timezone``; a start between two ticks begins at the next tick.
        end_date: Partitions start before this date. Defaults to None: no end.
        minute_offset: The minute of the hour each partition starts at. Defaults to 0.
        hour_offset: The hour of the day each partition starts at. Defaults to 0.
        timezone: The IANA time zone of the schedule (``"Europe/Paris"``). Defaults to UTC.
        fmt: The ``strftime`` format of the keys (each window's start). Defaults to ``"%Y-%m-%d"``.
        end_offset: How many partitions to add after the last complete one (1: the one in
            progress; -1 drops the last complete one). Defaults to 0.
        exclusions: Not supported: a ``DefinitionError`` says to leave it out.

    Raises:
        DefinitionError: when ``exclusions`` is given, an offset is out of range, the time zone is
            unknown, or a date matches neither ``fmt`` nor ISO 8601.

    Examples:
        >>> from orchestrator import DailyPartitionsDefinition, asset, materialize
        >>> days = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-04")
        >>> days.get_partition_keys()
        ['2024-01-01', '2024-01-02', '2024-01-03']
        >>> @asset(partitions_def=days)
        ... def daily_sales(context) -> str:
        ...     return f"sales of {context.partition_key}"
        >>> materialize([daily_sales], partition_key="2024-01-02").output_for_node("daily_sales")
        'sales of 2024-01-02'
    """

    def __init__(self, start_date: str | dt.date | dt.datetime, end_date: str | dt.date | dt.datetime | None = None,
                 minute_offset: int = 0, hour_offset: int = 0, timezone: str | None = None, fmt: str | None = None,
                 end_offset: int = 0, exclusions: Sequence[Any] | None = None) -> None:
        super().__init__(start=start_date, fmt=fmt or _DEFAULT_FMT["DAILY"], end=end_date, schedule_type="DAILY",
                         timezone=timezone, end_offset=end_offset, minute_offset=minute_offset,
                         hour_offset=hour_offset, exclusions=exclusions)


class WeeklyPartitionsDefinition(TimeWindowPartitionsDefinition):
    """Partitions of one week each, starting on ``day_offset`` (0 = Sunday), keyed ``YYYY-MM-DD``.

    Each partition is the week from its first day at ``hour_offset:minute_offset`` in ``timezone``;
    a week is a partition once it has ended. Dagster's ``exclusions`` are refused.

    Args:
        start_date: The start of the first partition: a string in ``fmt`` (or ISO 8601), a date or a
            datetime, read in ``timezone``; a start between two ticks begins at the next tick.
        end_date: Partitions start before this date. Defaults to None: no end.
        minute_offset: The minute of the hour each partition starts at. Defaults to 0.
        hour_offset: The hour of the day each partition starts at. Defaults to 0.
        day_offset: The day of the week each partition starts on, 0 (Sunday) to 6. Defaults to 0.
        timezone: The IANA time zone of the schedule (``"Europe/Paris"``). Defaults to UTC.
        fmt: The ``strftime`` format of the keys (each window's start). Defaults to ``"%Y-%m-%d"``.
        end_offset: How many partitions to add after the last complete one (1: the one in
            progress; -1 drops the last complete one). Defaults to 0.
        exclusions: Not supported: a ``DefinitionError`` says to leave it out.

    Raises:
        DefinitionError: when ``exclusions`` is given, an offset is out of range, the time zone is
            unknown, or a date matches neither ``fmt`` nor ISO 8601.

    Examples:
        >>> from orchestrator import WeeklyPartitionsDefinition
        >>> weeks = WeeklyPartitionsDefinition(start_date="2024-01-07", end_date="2024-01-21")
        >>> weeks.get_partition_keys()
        ['2024-01-07', '2024-01-14']
        >>> mondays = WeeklyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-15", day_offset=1)
        >>> mondays.get_partition_keys()
        ['2024-01-01', '2024-01-08']
    """

    def __init__(self, start_date: str | dt.date | dt.datetime, end_date: str | dt.date | dt.datetime | None = None,
                 minute_offset: int = 0, hour_offset: int = 0, day_offset: int = 0, timezone: str | None = None,
                 fmt: str | None = None, end_offset: int = 0, exclusions: Sequence[Any] | None = None) -> None:
        super().__init__(start=start_date, fmt=fmt or _DEFAULT_FMT["WEEKLY"], end=end_date, schedule_type="WEEKLY",
                         timezone=timezone, end_offset=end_offset, minute_offset=minute_offset,
                         hour_offset=hour_offset, day_offset=day_offset, exclusions=exclusions)


class MonthlyPartitionsDefinition(TimeWindowPartitionsDefinition):
    """Partitions of one month each, starting on day ``day_offset`` (default 1), keyed ``YYYY-MM-DD``.

    Each partition is the month from its first day at ``hour_offset:minute_offset`` in
    ``timezone``; a month is a partition once it has ended. Dagster's ``exclusions`` are refused.

    Args:
        start_date: The start of the first partition: a string in ``fmt`` (or ISO 8601), a date or a
            datetime, read in ``timezone``; a start between two ticks begins at the next tick.
        end_date: Partitions start before this date. Defaults to None: no end.
        minute_offset: The minute of the hour each partition starts at. Defaults to 0.
        hour_offset: The hour of the day each partition starts at. Defaults to 0.
        day_offset: The day of the month each partition starts on, 1 to 31 (months without that
            day have no partition, as in cron). Defaults to 1.
        timezone: The IANA time zone of the schedule (``"Europe/Paris"``). Defaults to UTC.
        fmt: The ``strftime`` format of the keys (each window's start). Defaults to ``"%Y-%m-%d"``.
        end_offset: How many partitions to add after the last complete one (1: the one in
            progress; -1 drops the last complete one). Defaults to 0.
        exclusions: Not supported: a ``DefinitionError`` says to leave it out.

    Raises:
        DefinitionError: when ``exclusions`` is given, an offset is out of range, the time zone is
            unknown, or a date matches neither ``fmt`` nor ISO 8601.

    Examples:
        >>> from orchestrator import MonthlyPartitionsDefinition
        >>> months = MonthlyPartitionsDefinition(start_date="2024-01-01", end_date="2024-04-01")
        >>> months.get_partition_keys()
        ['2024-01-01', '2024-02-01', '2024-03-01']
        >>> mid_months = MonthlyPartitionsDefinition(start_date="2024-01-01", end_date="2024-03-01", day_offset=15)
        >>> mid_months.get_partition_keys()
        ['2024-01-15', '2024-02-15']
    """

    def __init__(self, start_date: str | dt.date | dt.datetime, end_date: str | dt.date | dt.datetime | None = None,
                 minute_offset: int = 0, hour_offset: int = 0, day_offset: int = 1, timezone: str | None = None,
                 fmt: str | None = None, end_offset: int = 0, exclusions: Sequence[Any] | None = None) -> None:
        super().__init__(start=start_date, fmt=fmt or _DEFAULT_FMT["MONTHLY"], end=end_date, schedule_type="MONTHLY",
                         timezone=timezone, end_offset=end_offset, minute_offset=minute_offset,
                         hour_offset=hour_offset, day_offset=day_offset, exclusions=exclusions)


_WindowFn = Callable[[dt.datetime, dt.datetime], Mapping[str, Any]]
_WindowTagsFn = Callable[[dt.datetime, dt.datetime], Mapping[str, str]]


def _window_config(partitions_def: TimeWindowPartitionsDefinition, fn: _WindowFn,
                   tags_fn: _WindowTagsFn | None) -> PartitionedConfig:
    def config_for_key(key: str) -> Mapping[str, Any]:
        window = partitions_def.time_window_for_partition_key(key)
        return fn(window.start, window.end)

    def tags_for_key(key: str) -> Mapping[str, str]:
        assert tags_fn is not None
        window = partitions_def.time_window_for_partition_key(key)
        return tags_fn(window.start, window.end)

    return PartitionedConfig(partitions_def, decorated_fn=fn, run_config_for_partition_key_fn=config_for_key,
                             tags_for_partition_key_fn=tags_for_key if tags_fn else None)


def hourly_partitioned_config(start_date: str | dt.datetime, minute_offset: int = 0, timezone: str | None = None,
                              fmt: str | None = None, end_offset: int = 0,
                              tags_for_partition_fn: _WindowTagsFn | None = None,
                              exclusions: Sequence[Any] | None = None) -> Callable[[_WindowFn], PartitionedConfig]:
    """Make a ``PartitionedConfig`` over hourly partitions from ``fn(start, end) -> run config``.

    Give the result as ``@job(config=...)``: the job is partitioned by a
    ``HourlyPartitionsDefinition`` of these arguments, and a run of a key gets the run config
    ``fn(start, end)`` returns for that window (timezone-aware datetimes). Calling the result
    calls ``fn``.

    Args:
        start_date: The start of the first partition: a string in ``fmt`` (or ISO 8601), a date or a
            datetime, read in ``timezone``; a start between two ticks begins at the next tick.
        minute_offset: The minute of the hour each partition starts at. Defaults to 0.
        timezone: The IANA time zone of the schedule (``"Europe/Paris"``). Defaults to UTC.
        fmt: The ``strftime`` format of the keys (each window's start). Defaults to ``"%Y-%m-%d-%H:%M"``.
        end_offset: How many partitions to add after the last complete one (1: the one in
            progress; -1 drops the last complete one). Defaults to 0.
        tags_for_partition_fn: Returns the extra run tags of a window, from ``(start, end)``.
            Defaults to none.
        exclusions: Not supported: a ``DefinitionError`` says to leave it out.

    Returns:
        A decorator that turns the function into a ``PartitionedConfig``.

    Raises:
        DefinitionError: when ``exclusions`` is given, an offset is out of range, the time zone is
            unknown, or a date matches neither ``fmt`` nor ISO 8601.

    Examples:
        >>> from orchestrator import hourly_partitioned_config
        >>> @hourly_partitioned_config(start_date="2024-01-01-00:00", timezone="Europe/Paris")
        ... def hourly(start, end):
        ...     return {"ops": {"load": {"config": {"hour": start.isoformat()}}}}
        >>> hourly.get_run_config_for_partition_key("2024-01-01-05:00")
        {'ops': {'load': {'config': {'hour': '2024-01-01T05:00:00+01:00'}}}}
    """
    def wrap(fn: _WindowFn) -> PartitionedConfig:
        return _window_config(HourlyPartitionsDefinition(start_date, minute_offset=minute_offset, timezone=timezone,
                                                         fmt=fmt, end_offset=end_offset, exclusions=exclusions),
                              fn, tags_for_partition_fn)

    return wrap


def daily_partitioned_config(start_date: str | dt.date | dt.datetime, minute_offset: int = 0, hour_offset: int = 0,
                             timezone: str | None = None, fmt: str | None = None, end_offset: int = 0,
                             tags_for_partition_fn: _WindowTagsFn | None = None,
                             exclusions: Sequence[Any] | None = None) -> Callable[[_WindowFn], PartitionedConfig]:
    """Make a ``PartitionedConfig`` over daily partitions from ``fn(start, end) -> run config``.

    Give the result as ``@job(config=...)``: the job is partitioned by a
    ``DailyPartitionsDefinition`` of these arguments, and a run of a key gets the run config
    ``fn(start, end)`` returns for that window (timezone-aware datetimes). Calling the result
    calls ``fn``.

    Args:
        start_date: The start of the first partition: a string in ``fmt`` (or ISO 8601), a date or a
            datetime, read in ``timezone``; a start between two ticks begins at the next tick.
        minute_offset: The minute of the hour each partition starts at. Defaults to 0.
        hour_offset: The hour of the day each partition starts at. Defaults to 0.
        timezone: The IANA time zone of the schedule (``"Europe/Paris"``). Defaults to UTC.
        fmt: The ``strftime`` format of the keys (each window's start). Defaults to ``"%Y-%m-%d"``.
        end_offset: How many partitions to add after the last complete one (1: the one in
            progress; -1 drops the last complete one). Defaults to 0.
        tags_for_partition_fn: Returns the extra run tags of a window, from ``(start, end)``.
            Defaults to none.
        exclusions: Not supported: a ``DefinitionError`` says to leave it out.

    Returns:
        A decorator that turns the function into a ``PartitionedConfig``.

    Raises:
        DefinitionError: when ``exclusions`` is given, an offset is out of range, the time zone is
            unknown, or a date matches neither ``fmt`` nor ISO 8601.

    Examples:
        >>> from orchestrator import daily_partitioned_config, job, op
        >>> @daily_partitioned_config(start_date="2024-01-01")
        ... def daily_config(start, end):
        ...     return {"ops": {"load": {"config": {"date": start.strftime("%Y-%m-%d")}}}}
        >>> @op(config_schema={"date": str})
        ... def load(context) -> str:
        ...     return f"loading {context.op_config['date']}"
        >>> @job(config=daily_config)
        ... def daily_job():
        ...     load()
        >>> daily_job.execute_in_process(partition_key="2024-01-05").output_for_node("load")
        'loading 2024-01-05'
    """
    def wrap(fn: _WindowFn) -> PartitionedConfig:
        return _window_config(DailyPartitionsDefinition(start_date, minute_offset=minute_offset, hour_offset=hour_offset,
                                                        timezone=timezone, fmt=fmt, end_offset=end_offset,
                                                        exclusions=exclusions),
                              fn, tags_for_partition_fn)

    return wrap


def weekly_partitioned_config(start_date: str | dt.date | dt.datetime, minute_offset: int = 0, hour_offset: int = 0,
                              day_offset: int = 0, timezone: str | None = None, fmt: str | None = None,
                              end_offset: int = 0, tags_for_partition_fn: _WindowTagsFn | None = None,
                              exclusions: Sequence[Any] | None = None) -> Callable[[_WindowFn], PartitionedConfig]:
    """Make a ``PartitionedConfig`` over weekly partitions from ``fn(start, end) -> run config``.

    Give the result as ``@job(config=...)``: the job is partitioned by a
    ``WeeklyPartitionsDefinition`` of these arguments, and a run of a key gets the run config
    ``fn(start, end)`` returns for that window (timezone-aware datetimes). Calling the result
    calls ``fn``.

    Args:
        start_date: The start of the first partition: a string in ``fmt`` (or ISO 8601), a date or a
            datetime, read in ``timezone``; a start between two ticks begins at the next tick.
        minute_offset: The minute of the hour each partition starts at. Defaults to 0.
        hour_offset: The hour of the day each partition starts at. Defaults to 0.
        day_offset: The day of the week each partition starts on, 0 (Sunday) to 6. Defaults to 0.
        timezone: The IANA time zone of the schedule (``"Europe/Paris"``). Defaults to UTC.
        fmt: The ``strftime`` format of the keys (each window's start). Defaults to ``"%Y-%m-%d"``.
        end_offset: How many partitions to add after the last complete one (1: the one in
            progress; -1 drops the last complete one). Defaults to 0.
        tags_for_partition_fn: Returns the extra run tags of a window, from ``(start, end)``.
            Defaults to none.
        exclusions: Not supported: a ``DefinitionError`` says to leave it out.

    Returns:
        A decorator that turns the function into a ``PartitionedConfig``.

    Raises:
        DefinitionError: when ``exclusions`` is given, an offset is out of range, the time zone is
            unknown, or a date matches neither ``fmt`` nor ISO 8601.

    Examples:
        >>> from orchestrator import weekly_partitioned_config
        >>> @weekly_partitioned_config(start_date="2024-01-07")
        ... def weekly(start, end):
        ...     return {"ops": {"load": {"config": {"week": f"{start:%Y-%m-%d}..{end:%Y-%m-%d}"}}}}
        >>> weekly.get_run_config_for_partition_key("2024-01-14")
        {'ops': {'load': {'config': {'week': '2024-01-14..2024-01-21'}}}}
    """
    def wrap(fn: _WindowFn) -> PartitionedConfig:
        return _window_config(WeeklyPartitionsDefinition(start_date, minute_offset=minute_offset, hour_offset=hour_offset,
                                                         day_offset=day_offset, timezone=timezone, fmt=fmt,
                                                         end_offset=end_offset, exclusions=exclusions),
                              fn, tags_for_partition_fn)

    return wrap


def monthly_partitioned_config(start_date: str | dt.date | dt.datetime, minute_offset: int = 0, hour_offset: int = 0,
                               day_offset: int = 1, timezone: str | None = None, fmt: str | None = None,
                               end_offset: int = 0, tags_for_partition_fn: _WindowTagsFn | None = None,
                               exclusions: Sequence[Any] | None = None) -> Callable[[_WindowFn], PartitionedConfig]:
    """Make a ``PartitionedConfig`` over monthly partitions from ``fn(start, end) -> run config``.

    Give the result as ``@job(config=...)``: the job is partitioned by a
    ``MonthlyPartitionsDefinition`` of these arguments, and a run of a key gets the run config
    ``fn(start, end)`` returns for that window (timezone-aware datetimes). Calling the result
    calls ``fn``.

    Args:
        start_date: The start of the first partition: a string in ``fmt`` (or ISO 8601), a date or a
            datetime, read in ``timezone``; a start between two ticks begins at the next tick.
        minute_offset: The minute of the hour each partition starts at. Defaults to 0.
        hour_offset: The hour of the day each partition starts at. Defaults to 0.
        day_offset: The day of the month each partition starts on, 1 to 31 (months without that
            day have no partition, as in cron). Defaults to 1.
        timezone: The IANA time zone of the schedule (``"Europe/Paris"``). Defaults to UTC.
        fmt: The ``strftime`` format of the keys (each window's start). Defaults to ``"%Y-%m-%d"``.
        end_offset: How many partitions to add after the last complete one (1: the one in
            progress; -1 drops the last complete one). Defaults to 0.
        tags_for_partition_fn: Returns the extra run tags of a window, from ``(start, end)``.
            Defaults to none.
        exclusions: Not supported: a ``DefinitionError`` says to leave it out.

    Returns:
        A decorator that turns the function into a ``PartitionedConfig``.

    Raises:
        DefinitionError: when ``exclusions`` is given, an offset is out of range, the time zone is
            unknown, or a date matches neither ``fmt`` nor ISO 8601.

    Examples:
        >>> from orchestrator import monthly_partitioned_config
        >>> @monthly_partitioned_config(start_date="2024-01-01")
        ... def monthly(start, end):
        ...     return {"ops": {"load": {"config": {"month": start.strftime("%Y-%m")}}}}
        >>> monthly.get_run_config_for_partition_key("2024-02-01")
        {'ops': {'load': {'config': {'month': '2024-02'}}}}
    """
    def wrap(fn: _WindowFn) -> PartitionedConfig:
        return _window_config(MonthlyPartitionsDefinition(start_date, minute_offset=minute_offset,
                                                          hour_offset=hour_offset, day_offset=day_offset,
                                                          timezone=timezone, fmt=fmt, end_offset=end_offset,
                                                          exclusions=exclusions),
                              fn, tags_for_partition_fn)

    return wrap
