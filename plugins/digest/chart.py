"""The trend chart: active members and messages over the last periods, as a PNG.

matplotlib is imported inside the function (the console must not pay for it at start) and used
through its object API with the Agg canvas (no pyplot global state), so it is safe to call from a
worker thread: the plugin renders it with `asyncio.to_thread`, off the event loop.

`ChartCache` keeps the last few PNGs under the exact data they plot: the same labels, words and figures
give the same bytes, so a preview asked again while the period's figures have not moved, or a digest
delivered right after its preview, does not render again.
"""

from __future__ import annotations

import io
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


def render_trend(labels: Sequence[str], active: Sequence[int], messages: Sequence[int], words: ChartText) -> bytes:
    """A WIDTH_PX x HEIGHT_PX PNG: messages as bars (right axis), active members as a line (left axis)."""
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
    bars = right.bar(positions, list(messages), color="#9ecae1", label=words.messages_label, zorder=1)
    (line,) = left.plot(positions, list(active), color="#d94801", marker="o", linewidth=2,
                        label=words.active_label, zorder=3)
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
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


ChartKey = tuple[tuple[str, ...], tuple[int, ...], tuple[int, ...], ChartText]


class ChartCache:
    """The last `size` charts rendered, under the exact data they plot (least recently used dropped).

    Read and written on the event loop only (renders happen on a worker thread between the two)."""

    def __init__(self, size: int = 8) -> None:
        self._size = size
        self._charts: OrderedDict[ChartKey, bytes] = OrderedDict()

    @staticmethod
    def key(labels: Sequence[str], active: Sequence[int], messages: Sequence[int], words: ChartText) -> ChartKey:
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
