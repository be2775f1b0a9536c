"""How a digest figure and its change read: the one rule every rendering of the digest shows (the chat text,
the markdown file); the CSV shows raw values and no change. Pure: lazy `Text` only, no I/O.

- count, ratio, duration: both values and the change in percent, "42 → 51, +21 %"; from 0 to something
  "0 → 5, new" (never a division by zero); unchanged "42 → 42, =".
- share (0..1): both percentages and the change in points, "40 % → 45 %, +5 pts", computed from the two
  percentages as shown, so the line never contradicts itself.
- A decrease is written with the minus sign U+2212, never a hyphen.
- No value: "—". No previous value (the bot did not see the previous period): "51 (no earlier data)".
- Durations are seconds, shown "40 s" under a minute, "12 min" under an hour, "3 h 20 min" under a day,
  else "2 d 4 h".

Numbers and percentages are `bot.i18n` values, so each language writes them its own way (« 1 240 »,
« 45 % » in French).
"""

from __future__ import annotations

from bot.i18n import Percent, Text, _, n_
from bot.plugin import Metric, MetricKind

NO_DATA = "\u2014"  # an em dash: the figure does not exist for that period (never a zero)
MINUS = "\u2212"


def duration_text(seconds: float) -> Text:
    """A duration in its two largest units: "40 s", "12 min", "3 h 20 min", "2 d 4 h" (rounded, never "0 h")."""
    total = max(0.0, float(seconds))
    if round(total) < 60:
        return _("{seconds} s", seconds=round(total))
    minutes = round(total / 60)
    if minutes < 60:
        return _("{minutes} min", minutes=minutes)
    if total < 86_400:
        hours, rest = divmod(minutes, 60)
        if hours < 24:
            return _("{hours} h", hours=hours) if rest == 0 else _("{hours} h {minutes} min", hours=hours, minutes=rest)
    days, hours = divmod(round(total / 3600), 24)
    return _("{days} d", days=days) if hours == 0 else _("{days} d {hours} h", days=days, hours=hours)


def _whole_percent(share: float) -> int:
    """A share as the whole percentage it is shown as."""
    return round(share * 100)


def value_text(value: float | None, kind: MetricKind) -> Text:
    """One value as it reads: numbers per locale, shares as percentages, durations in units, "—" for none."""
    if value is None:
        return NO_DATA
    if kind == "share":
        return _("{percent}", percent=Percent(_whole_percent(value) / 100))
    if kind == "duration":
        return duration_text(value)
    if kind == "ratio":
        return _("{value}", value=round(float(value), 2))
    return _("{value}", value=value)


def delta_text(value: float | None, previous: float | None, kind: MetricKind) -> Text | None:
    """The change alone: "+21 %", "−5 %", "+1 pt", "+5 pts" (shares move in points), "new" (from zero), "=";
    None when either value is missing. Computed from the values as shown (shares in whole percent, ratios to
    two decimals), so a line never contradicts itself; under 1 %, one decimal, so a change that exists never
    reads "+0 %"."""
    if value is None or previous is None:
        return None
    if kind == "share":
        points = _whole_percent(value) - _whole_percent(previous)
        if points == 0:
            return "="
        return n_("{sign}{count} pt", "{sign}{count} pts", abs(points), sign="+" if points > 0 else MINUS)
    if kind == "ratio":
        value, previous = round(float(value), 2), round(float(previous), 2)  # compare what is shown
    if value == previous:
        return "="
    if previous == 0:
        return _("new")
    moved = abs(value - previous) / abs(previous)
    percent = Percent(moved, digits=1 if moved < 0.01 else 0)
    return _("{sign}{percent}", sign="+" if value > previous else MINUS, percent=percent)


def change_text(value: float | None, previous: float | None, kind: MetricKind) -> Text:
    """A value with its change from the previous period, by the rule of its kind (see the module)."""
    after = value_text(value, kind)
    if value is None:
        return NO_DATA
    delta = delta_text(value, previous, kind)
    if previous is None or delta is None:
        return _("{value} (no earlier data)", value=after)
    return _("{before} → {after}, {change}", before=value_text(previous, kind), after=after, change=delta)


def metric_text(metric: Metric) -> Text:
    """A metric's value, with its change unless the metric is not compared."""
    if not metric.compare:
        return value_text(metric.value, metric.kind)
    return change_text(metric.value, metric.previous, metric.kind)


def metric_line(metric: Metric) -> Text:
    """`Messages: 42 → 51, +21 %`."""
    return _("{label}: {value}", label=metric.label, value=metric_text(metric))
