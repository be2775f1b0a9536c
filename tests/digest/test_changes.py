"""The one change rule of the digest, in English and French: both values and the change, percent for counts,
ratios and durations, points for shares, "new" from zero, "=" unchanged, U+2212 for a decrease, "—" for no
data, "(no earlier data)" when the previous period was not seen; durations in their two largest units."""

from __future__ import annotations

import pytest

from bot.i18n import Text, Translator
from bot.plugin import Metric, MetricKind
from bot.registry import locale_roots
from plugins.digest.changes import change_text, duration_text, metric_line, metric_text

TRANSLATOR = Translator.load(locale_roots(["core", "digest"]))
NB = "\u202f"  # French narrow no-break space (before %, in thousands)
MINUS = "\u2212"


def both(text: Text) -> tuple[str, str]:
    return TRANSLATOR.render(text, "en"), TRANSLATOR.render(text, "fr")


@pytest.mark.parametrize(
    ("value", "previous", "kind", "english", "french"),
    [
        (51, 42, "count", "42 → 51, +21%", f"42 → 51, +21{NB}%"),
        (42, 51, "count", f"51 → 42, {MINUS}18%", f"51 → 42, {MINUS}18{NB}%"),
        (5, 0, "count", "0 → 5, new", "0 → 5, nouveau"),
        (42, 42, "count", "42 → 42, =", "42 → 42, ="),
        (0, 0, "count", "0 → 0, =", "0 → 0, ="),
        (1240, 1202, "count", "1,202 → 1,240, +3%", f"1{NB}202 → 1{NB}240, +3{NB}%"),
        (1001, 1000, "count", "1,000 → 1,001, +0.1%", f"1{NB}000 → 1{NB}001, +0,1{NB}%"),  # never "+0 %"
        (0.45, 0.40, "share", "40% → 45%, +5 pts", f"40{NB}% → 45{NB}%, +5 pts"),
        (0.30, 0.45, "share", f"45% → 30%, {MINUS}15 pts", f"45{NB}% → 30{NB}%, {MINUS}15 pts"),
        (0.451, 0.449, "share", "45% → 45%, =", f"45{NB}% → 45{NB}%, ="),  # same as shown: no phantom change
        (0.05, 0.0, "share", "0% → 5%, +5 pts", f"0{NB}% → 5{NB}%, +5 pts"),  # points, never "new"
        (0.75, 0.5, "ratio", "0.5 → 0.75, +50%", f"0,5 → 0,75, +50{NB}%"),
        (0.333, 0.331, "ratio", "0.33 → 0.33, =", "0,33 → 0,33, ="),
        (900, 720, "duration", "12 min → 15 min, +25%", f"12 min → 15 min, +25{NB}%"),
        (12_000, 0, "duration", "0 s → 3 h 20 min, new", "0 s → 3 h 20 min, nouveau"),
        (None, 42, "count", "—", "—"),
        (None, None, "share", "—", "—"),
        (51, None, "count", "51 (no earlier data)", "51 (aucune donnée antérieure)"),
        (0.45, None, "share", "45% (no earlier data)", f"45{NB}% (aucune donnée antérieure)"),
        (40, None, "duration", "40 s (no earlier data)", "40 s (aucune donnée antérieure)"),
    ],
)
def test_the_change_rule_in_both_languages(
    value: float | None, previous: float | None, kind: MetricKind, english: str, french: str
) -> None:
    assert both(change_text(value, previous, kind)) == (english, french)


@pytest.mark.parametrize(
    ("seconds", "english", "french"),
    [
        (0, "0 s", "0 s"),
        (40, "40 s", "40 s"),
        (59.4, "59 s", "59 s"),
        (59.6, "1 min", "1 min"),
        (720, "12 min", "12 min"),
        (3599, "1 h", "1 h"),  # 59.98 minutes read as an hour, never "60 min"
        (3600, "1 h", "1 h"),
        (12_000, "3 h 20 min", "3 h 20 min"),
        (86_399, "1 d", "1 j"),
        (2 * 86_400 + 4 * 3600, "2 d 4 h", "2 j 4 h"),
        (3 * 86_400, "3 d", "3 j"),
        (-5, "0 s", "0 s"),  # a clock skew never shows a negative wait
    ],
)
def test_durations_read_in_their_two_largest_units(seconds: float, english: str, french: str) -> None:
    assert both(duration_text(seconds)) == (english, french)


def test_time_to_first_answer_under_an_hour_never_reads_zero_hours() -> None:
    english, french = both(duration_text(25 * 60))
    assert english == "25 min" and french == "25 min"
    assert "0 h" not in english


def test_a_metric_line_and_a_metric_that_is_not_compared() -> None:
    messages = Metric("messages", "Messages", 51, previous=42)
    assert both(metric_line(messages)) == ("Messages: 42 → 51, +21%", f"Messages{NB}: 42 → 51, +21{NB}%")
    cohort = Metric("cohort", "Cohort", 12, previous=3, compare=False)
    assert both(metric_text(cohort)) == ("12", "12")
    assert both(metric_text(Metric("cohort", "Cohort", None, compare=False))) == ("—", "—")
