"""The growth chart: the community's member count day by day, with the joins and departures the bot saw each
week, as a PNG.

Pure drawing: the figures and every word arrive ready (`GrowthSeries`, `GrowthText`, translated by the
caller); nothing here reads the database or translates. matplotlib is imported on the first chart and used
through its object API with the Agg canvas (no pyplot global state), so it runs on a worker thread: the
digest calls `render_growth` through `asyncio.to_thread`, off the event loop.

Readable for everyone: Okabe-Ito colours (safe for the common colour-vision deficiencies), departures also
told apart by their hatching and their place below zero, a legend, labelled axes with their units. A day
without a recorded count is NaN, a gap in the line, never a fall to zero.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

WIDTH_PX = 1000
HEIGHT_PX = 500
DPI = 100

# Okabe & Ito (2008), "Color Universal Design": distinct for protanopia, deuteranopia and tritanopia.
MEMBERS_COLOUR = "#0072B2"  # blue
JOINS_COLOUR = "#009E73"  # bluish green
LEAVES_COLOUR = "#D55E00"  # vermillion


@dataclass(frozen=True, slots=True)
class GrowthText:
    """The chart's words, already translated for the reader."""

    title: str
    x_label: str
    members_axis: str  # "Members"
    flow_axis: str  # "Members per week"
    members_legend: str
    joins_legend: str
    leaves_legend: str


@dataclass(frozen=True, slots=True)
class GrowthSeries:
    """What the chart plots: one member count per day (NaN when none was recorded) and, per week of seven of
    those days, the joins and departures seen; `week_labels` name each week (its first day)."""

    members: tuple[float, ...]
    joins: tuple[int, ...]
    leaves: tuple[int, ...]
    week_labels: tuple[str, ...]

    def __post_init__(self) -> None:
        weeks = len(self.week_labels)
        if len(self.joins) != weeks or len(self.leaves) != weeks or len(self.members) != 7 * weeks:
            raise ValueError("a growth series has 7 days of counts and one join and departure total per week")


def render_growth(series: GrowthSeries, words: GrowthText) -> bytes:
    """A WIDTH_PX x HEIGHT_PX PNG: the member count as a line (left axis, gaps where unknown), joins as bars
    above zero and departures below it (right axis, members per week)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    FigureCanvasAgg(figure)
    left = figure.add_subplot(1, 1, 1)
    right = left.twinx()
    weeks = len(series.week_labels)
    # x is in days from the first day; a week's bar stands in the middle of its seven days.
    centres = [7 * week + 3 for week in range(weeks)]
    joins = right.bar(
        centres, list(series.joins), width=5, color=JOINS_COLOUR, label=words.joins_legend, zorder=1, alpha=0.85
    )
    leaves = right.bar(
        centres,
        [-n for n in series.leaves],
        width=5,
        color=LEAVES_COLOUR,
        hatch="//",
        edgecolor="white",
        label=words.leaves_legend,
        zorder=1,
        alpha=0.85,
    )
    right.axhline(0, color="#555555", linewidth=0.8, zorder=2)
    known = sum(1 for value in series.members if not math.isnan(value))
    (line,) = left.plot(
        list(range(len(series.members))),
        list(series.members),
        color=MEMBERS_COLOUR,
        linewidth=2.2,
        # A count between two unknown days would draw nothing without a marker.
        marker="o",
        markersize=3 if known < 60 else 0,
        label=words.members_legend,
        zorder=3,
    )
    left.set_zorder(right.get_zorder() + 1)  # the line above the bars although it lives on the other axis
    left.patch.set_visible(False)
    left.set_title(words.title)
    left.set_xlabel(words.x_label)
    left.set_ylabel(words.members_axis, color=MEMBERS_COLOUR)
    right.set_ylabel(words.flow_axis)
    left.set_xlim(-1, 7 * weeks)
    # At most about 13 labelled weeks, so a year stays readable.
    step = max(1, math.ceil(weeks / 13))
    ticks = list(range(0, weeks, step))
    left.set_xticks([7 * week for week in ticks], [series.week_labels[week] for week in ticks], rotation=30, ha="right")
    _flow_limits(right, series.joins, series.leaves)
    if known:
        low = min(v for v in series.members if not math.isnan(v))
        high = max(v for v in series.members if not math.isnan(v))
        margin = max(1.0, (high - low) * 0.1)
        left.set_ylim(max(0.0, low - margin), high + margin)
    for axis in (left, right):
        axis.yaxis.set_major_locator(MaxNLocator(integer=True))
    # Below the chart, where it hides no bar nor any part of the line.
    figure.legend(handles=[line, joins, leaves], loc="lower center", ncol=3, frameon=False)
    left.grid(axis="y", alpha=0.3)
    figure.tight_layout(rect=(0, 0.06, 1, 1))
    figure.set_layout_engine(None)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _flow_limits(axis: Any, joins: Sequence[int], leaves: Sequence[int]) -> None:
    """Zero in the same place whatever the week: symmetric limits around it, at least ±1."""
    reach = max([1, *joins, *leaves])
    axis.set_ylim(-reach * 1.15, reach * 1.15)
