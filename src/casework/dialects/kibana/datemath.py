"""Kibana's dates for `from` and `to`: an ISO 8601 date, or date math (`now-1d`, `now/d`, `2024-01-01||+1M/d`), as
Elasticsearch reads it: an anchor, then any number of `+N<unit>` / `-N<unit>` steps and `/<unit>` roundings.

Units: y, M, w, d, h (or H), m, s. Rounding goes down to the start of the unit, or, for an upper bound, up to its
last millisecond, as Elasticsearch rounds a `lte` bound."""

import calendar
import re
from datetime import datetime, timedelta

from casework.db.base import as_utc

_STEP = re.compile(r"([+-])(\d+)([yMwdhHms])|/([yMwdhHms])")
_FIXED = {
    "w": timedelta(weeks=1),
    "d": timedelta(days=1),
    "h": timedelta(hours=1),
    "m": timedelta(minutes=1),
    "s": timedelta(seconds=1),
}


class DateMathError(ValueError):
    pass


def _anchor(text: str, now: datetime) -> datetime:
    if text == "now":
        return now
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        raise DateMathError(text) from None
    return as_utc(moment)


def _add_months(moment: datetime, months: int) -> datetime:
    year, month = divmod(moment.month - 1 + months, 12)
    year += moment.year
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def _round_down(moment: datetime, unit: str) -> datetime:
    unit = "h" if unit == "H" else unit
    if unit == "y":
        return moment.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    if unit == "M":
        return moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if unit == "w":
        start = moment - timedelta(days=moment.weekday())
        return start.replace(hour=0, minute=0, second=0, microsecond=0)
    if unit == "d":
        return moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if unit == "h":
        return moment.replace(minute=0, second=0, microsecond=0)
    if unit == "m":
        return moment.replace(second=0, microsecond=0)
    return moment.replace(microsecond=0)


def _next(moment: datetime, unit: str) -> datetime:
    unit = "h" if unit == "H" else unit
    if unit == "y":
        return _add_months(moment, 12)
    if unit == "M":
        return _add_months(moment, 1)
    return moment + _FIXED[unit]


def parse(text: str, now: datetime, *, round_up: bool = False) -> datetime:
    """The moment `text` names, in UTC; DateMathError if it names none."""
    text = text.strip()
    if text.startswith("now"):
        anchor, math = "now", text[3:]
    else:
        anchor, _sep, math = text.partition("||")
    moment = _anchor(anchor, now)
    position = 0
    while position < len(math):
        step = _STEP.match(math, position)
        if step is None:
            raise DateMathError(text)
        sign, amount, unit, rounding = step.groups()
        if rounding:
            moment = _round_down(moment, rounding)
            if round_up:
                moment = _next(moment, rounding) - timedelta(milliseconds=1)
        else:
            count = int(amount) * (1 if sign == "+" else -1)
            if unit in "yM":
                moment = _add_months(moment, count * (12 if unit == "y" else 1))
            else:
                moment = moment + _FIXED["h" if unit == "H" else unit] * count
        position = step.end()
    return moment
