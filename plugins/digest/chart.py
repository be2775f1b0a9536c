"""The trend chart: active members and messages over the last periods, as a PNG.

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

WIDTH_PX = 1000
HEIGHT_PX = 500
DPI = 100


@dataclass(frozen=True, slots=True)
class ChartText:
    """The chart's words, already translated for the reader."""

    title: str
    x_label: str
    active_label: str
    messages_label: str


def render_trend(
    labels: Sequence[str], active: Sequence[int | None], messages: Sequence[int | None], words: ChartText
) -> bytes:
    """A WIDTH_PX x HEIGHT_PX PNG: messages as bars (right axis), active members as a line (left axis). None is
    a period without data: a gap (no bar, a break in the line), never a zero."""
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
        self, labels: Sequence[str], active: Sequence[int | None], messages: Sequence[int | None], words: ChartText
    ) -> None:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.ticker import MaxNLocator

        figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
        FigureCanvasAgg(figure)
        left = figure.add_subplot(1, 1, 1)
        right = left.twinx()
        positions = list(range(len(labels)))
        bars = right.bar(positions, _gaps(messages), color="#9ecae1", label=words.messages_label, zorder=1)
        (line,) = left.plot(
            positions, _gaps(active), color="#d94801", marker="o", linewidth=2, label=words.active_label, zorder=3
        )
        # Draw the line above the bars although it lives on the other axis.
        left.set_zorder(right.get_zorder() + 1)
        left.patch.set_visible(False)
        left.set_title(words.title)
        left.set_xlabel(words.x_label)
        left.set_ylabel(words.active_label, color="#d94801")
        right.set_ylabel(words.messages_label, color="#3182bd")
        left.set_xticks(positions, list(labels), rotation=30, ha="right")
        for axis in (left, right):
            axis.set_ylim(bottom=0, top=max([*axis.get_ylim(), 1]))
            axis.yaxis.set_major_locator(MaxNLocator(integer=True))
        left.legend(handles=[line, bars], loc="upper left")
        left.grid(axis="y", alpha=0.3)
        self.figure, self.left, self.right, self.line, self.bars = figure, left, right, line, bars

    def replot(self, active: Sequence[int | None], messages: Sequence[int | None]) -> None:
        """Put other figures on the same periods, scaled as a new chart would be."""
        self.line.set_ydata(_gaps(active))
        for bar, height in zip(self.bars, _gaps(messages), strict=True):
            bar.set_height(height)
        for axis in (self.left, self.right):
            axis.set_autoscaley_on(True)  # `set_ylim` had turned it off
            axis.relim()
            axis.autoscale_view(scalex=False)
            axis.set_ylim(bottom=0, top=max([*axis.get_ylim(), 1]))

    def png(self) -> bytes:
        """The chart laid out (its margins fit its current tick labels) and encoded."""
        self.figure.tight_layout()
        # `tight_layout` leaves a placeholder layout engine behind, for which `savefig` lays the whole figure
        # out once more without drawing it before the real drawing: a third of the work, for nothing here.
        self.figure.set_layout_engine(None)
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=DPI)
        return buffer.getvalue()


def _gaps(values: Sequence[int | None]) -> list[float]:
    """None as NaN, which matplotlib leaves undrawn (a gap)."""
    return [float("nan") if v is None else float(v) for v in values]


ChartKey = tuple[tuple[str, ...], tuple[int | None, ...], tuple[int | None, ...], ChartText]


class ChartCache:
    """The last `size` charts rendered, under the exact data they plot (least recently used dropped).

    Read and written on the event loop only (renders happen on a worker thread between the two)."""

    def __init__(self, size: int = 8) -> None:
        self._size = size
        self._charts: OrderedDict[ChartKey, bytes] = OrderedDict()

    @staticmethod
    def key(
        labels: Sequence[str], active: Sequence[int | None], messages: Sequence[int | None], words: ChartText
    ) -> ChartKey:
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
