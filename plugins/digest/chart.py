"""The activity chart: active members and messages over the last periods, as a PNG a manager can read.

What a reader needs, in the chart itself: a title naming the periods covered (first and last day), labelled
axes with their units ("members" on the left, "messages per week" on the right, the x axis naming what a
tick is), a legend naming the two series, and colours from the Okabe-Ito palette (safe for the common forms
of colour blindness): the line in vermillion, the bars in sky blue, each axis label in its series' colour.
A period with no data (before the bot saw the community) is a GAP: no bar, a break in the line, never a
zero; `ChartText.note` can say why under the title.

matplotlib is imported when the first figure is built (the console must not pay for it at start) and used
through its object API with the Agg canvas (no pyplot global state), so it is safe to call from a
worker thread: the plugin renders it with `asyncio.to_thread`, off the event loop.

A figure is kept and drawn again with the new figures rather than built anew (see `_TrendFigure`): the
PNG is the same, pixel for pixel, as a figure built for those figures.

`ChartCache` keeps the last few PNGs under the exact data they plot: the same labels, words and figures
give the same bytes, so a preview asked again while the period's figures have not moved, or a digest
delivered right after its preview, does not render again.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from bot.i18n import Text, Translator, When, _
from plugins.digest.periods import Period

WIDTH_PX = 1000
HEIGHT_PX = 500
DPI = 100

# Okabe & Ito (2008), "Color Universal Design": distinguishable with protanopia, deuteranopia and tritanopia.
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
LINE_COLOUR = OKABE_ITO["vermillion"]  # active members
BAR_COLOUR = OKABE_ITO["sky_blue"]  # messages
BAR_TEXT_COLOUR = OKABE_ITO["blue"]  # the messages axis label: sky blue is too light for text

Point = int | float | None
"""A value of a period; None is no data (a gap), never zero."""


@dataclass(frozen=True, slots=True)
class ChartText:
    """The chart's words, already translated for the reader: `active_label` and `messages_label` name the
    series (the legend), `active_axis` and `messages_axis` are the axes' units (each series' name when
    empty), `note` a line under the title (empty: none)."""

    title: str
    x_label: str
    active_label: str
    messages_label: str
    active_axis: str = ""
    messages_axis: str = ""
    note: str = ""


def _day(day: date, tz: str, style: str) -> When:
    return When(datetime.combine(day, time(12), ZoneInfo(tz)), tz, style)


def activity_labels(periods: Sequence[Period], tz: str, translator: Translator, locale: str) -> list[str]:
    """One tick per period: the first day of a week ("9 Nov"), the month ("Nov 2026")."""
    style = "LLL y" if periods and periods[0].kind == "month" else "d MMM"
    return [translator.format_value(_day(p.start, tz, style), locale) for p in periods]


def activity_words(
    periods: Sequence[Period], tz: str, translator: Translator, locale: str, covered_from: date | None = None
) -> ChartText:
    """The activity chart's words for `periods` (oldest first): the title names the first and last day
    covered, the axes their units, and a note says since when there is data when some periods have none."""
    monthly = bool(periods) and periods[0].kind == "month"
    start = _day(periods[0].start, tz, "d MMM y") if periods else ""
    end = _day(periods[-1].last_day, tz, "d MMM y") if periods else ""
    title: Text = (
        _("Monthly activity, {start} to {end}", start=start, end=end)
        if monthly
        else _("Weekly activity, {start} to {end}", start=start, end=end)
    )
    note: Text = ""
    if covered_from is not None and periods and periods[0].start < covered_from:
        note = _("No data before {day}: the bot was not recording yet.", day=_day(covered_from, tz, "d MMM y"))
    return ChartText(
        title=translator.render(title, locale),
        x_label=translator.render(_("Month") if monthly else _("Week starting on"), locale),
        active_label=translator.render(_("Active members"), locale),
        messages_label=translator.render(_("Messages"), locale),
        active_axis=translator.render(_("members"), locale),
        messages_axis=translator.render(_("messages per month") if monthly else _("messages per week"), locale),
        note=translator.render(note, locale),
    )


def render_trend(labels: Sequence[str], active: Sequence[Point], messages: Sequence[Point], words: ChartText) -> bytes:
    """A WIDTH_PX x HEIGHT_PX PNG: messages as bars (right axis), active members as a line (left axis); a
    None is a gap in both."""
    shape = (tuple(labels), words)
    with _FIGURES_LOCK:
        figure = _FIGURES.pop(shape, None)
        if figure is None:
            figure = _TrendFigure(labels, active, messages, words)
        else:
            figure.replot(active, messages)
        _FIGURES[shape] = figure  # the most recently used last
        while len(_FIGURES) > _KEPT_FIGURES:
            _FIGURES.popitem(last=False)
        return figure.png()


# Drawing the same chart again with other figures costs about a fifth less than building it anew: the axes,
# ticks, legend and the text measurements matplotlib caches per canvas are kept. A figure is kept per
# labels and words (one per community language, in practice), and used by one thread at a time.
_KEPT_FIGURES = 4
_FIGURES: OrderedDict[tuple[tuple[str, ...], ChartText], _TrendFigure] = OrderedDict()
_FIGURES_LOCK = threading.Lock()


class _TrendFigure:
    """One trend chart's matplotlib figure, drawn again with new figures by `replot`."""

    def __init__(
        self, labels: Sequence[str], active: Sequence[Point], messages: Sequence[Point], words: ChartText
    ) -> None:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.patches import Patch
        from matplotlib.ticker import MaxNLocator

        figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
        FigureCanvasAgg(figure)
        left = figure.add_subplot(1, 1, 1)
        right = left.twinx()
        positions = list(range(len(labels)))
        bars = right.bar(positions, _heights(messages), color=BAR_COLOUR, label=words.messages_label, zorder=1)
        (line,) = left.plot(
            positions, _line(active), color=LINE_COLOUR, marker="o", linewidth=2, label=words.active_label, zorder=3
        )
        _hide_gaps(bars, messages)
        # Draw the line above the bars although it lives on the other axis.
        left.set_zorder(right.get_zorder() + 1)
        left.patch.set_visible(False)
        if words.note:
            figure.suptitle(words.title, fontsize="large")
            left.set_title(words.note, fontsize="small", color="#444444")
        else:
            left.set_title(words.title)
        left.set_xlabel(words.x_label)
        left.set_ylabel(words.active_axis or words.active_label, color=LINE_COLOUR)
        right.set_ylabel(words.messages_axis or words.messages_label, color=BAR_TEXT_COLOUR)
        left.set_xticks(positions, list(labels), rotation=30, ha="right")
        for axis in (left, right):
            axis.set_ylim(bottom=0, top=max([*axis.get_ylim(), 1]))
            axis.yaxis.set_major_locator(MaxNLocator(integer=True))
        # A proxy swatch: the bar container's first bar may be hidden (a gap), and the legend would copy it.
        swatch = Patch(facecolor=BAR_COLOUR, label=words.messages_label)
        left.legend(handles=[line, swatch], loc="upper left")
        left.grid(axis="y", alpha=0.3)
        self.figure, self.left, self.right, self.line, self.bars = figure, left, right, line, bars
        params = figure.subplotpars
        self.margins = {k: getattr(params, k) for k in ("left", "right", "bottom", "top", "wspace", "hspace")}

    def replot(self, active: Sequence[Point], messages: Sequence[Point]) -> None:
        """Put other figures on the same periods, scaled as a new chart would be."""
        self.line.set_ydata(_line(active))
        for bar, height in zip(self.bars, _heights(messages), strict=True):
            bar.set_height(height)
        _hide_gaps(self.bars, messages)
        for axis in (self.left, self.right):
            axis.set_autoscaley_on(True)  # `set_ylim` had turned it off
            axis.relim()
            axis.autoscale_view(scalex=False)
            axis.set_ylim(bottom=0, top=max([*axis.get_ylim(), 1]))

    def png(self) -> bytes:
        """The chart laid out (its margins fit its current tick labels) and encoded."""
        # Lay out from the margins a new figure starts with: `tight_layout` from the previous chart's margins
        # lands a last-bit float away, which moves anti-aliased text by a shade.
        self.figure.subplots_adjust(**self.margins)
        self.figure.tight_layout()
        # `tight_layout` leaves a placeholder layout engine behind, for which `savefig` lays the whole figure
        # out once more without drawing it before the real drawing: a third of the work, for nothing here.
        self.figure.set_layout_engine(None)
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=DPI)
        return buffer.getvalue()


def _line(values: Sequence[Point]) -> list[float]:
    """The line's points: no data is NaN, which matplotlib leaves out (the line breaks there)."""
    return [float("nan") if v is None else float(v) for v in values]


def _heights(values: Sequence[Point]) -> list[float]:
    return [0.0 if v is None else float(v) for v in values]


def _hide_gaps(bars: Any, values: Sequence[Point]) -> None:
    """No bar at all for a period with no data (a zero-height bar would still read as zero)."""
    for bar, value in zip(bars, values, strict=True):
        bar.set_visible(value is not None)


ChartKey = tuple[tuple[str, ...], tuple[Point, ...], tuple[Point, ...], ChartText]


class ChartCache:
    """The last `size` charts rendered, under the exact data they plot (least recently used dropped).

    Read and written on the event loop only (renders happen on a worker thread between the two)."""

    def __init__(self, size: int = 8) -> None:
        self._size = size
        self._charts: OrderedDict[ChartKey, bytes] = OrderedDict()

    @staticmethod
    def key(labels: Sequence[str], active: Sequence[Point], messages: Sequence[Point], words: ChartText) -> ChartKey:
        """Everything `render_trend` draws, and nothing else."""
        return tuple(labels), tuple(active), tuple(messages), words

    def get(self, key: ChartKey) -> bytes | None:
        """The PNG of exactly this data, if it was rendered recently."""
        png = self._charts.get(key)
        if png is not None:
            self._charts.move_to_end(key)
        return png

    def put(self, key: ChartKey, png: bytes) -> None:
        """Remember a rendered PNG."""
        self._charts[key] = png
        self._charts.move_to_end(key)
        while len(self._charts) > self._size:
            self._charts.popitem(last=False)
