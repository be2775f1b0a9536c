"""The trend chart: active members and messages over the last periods, as a PNG.

matplotlib is imported inside the function (the console must not pay for it at start) and used
through its object API with the Agg canvas (no pyplot global state), so it is safe to call from a
worker thread: the plugin renders it with `asyncio.to_thread`, off the event loop.
"""

from __future__ import annotations

import io
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
