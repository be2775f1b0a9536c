"""Pure modules of the questions plugin: quiet hours, the ladder, leaderboard weights, digest figures,
the in-memory index."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from plugins.questions import ladder, scoring, stats
from plugins.questions.index import OpenIndex, Tracked

PARIS = "Europe/Paris"
T0 = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)  # 10:00 in Paris
NIGHT = (time(22, 0), time(8, 0))


@pytest.mark.parametrize(
    ("utc", "expected"),
    [
        (datetime(2026, 11, 16, 20, 59, tzinfo=UTC), datetime(2026, 11, 16, 20, 59, tzinfo=UTC)),  # 21:59 Paris
        (datetime(2026, 11, 16, 21, 0, tzinfo=UTC), datetime(2026, 11, 17, 7, 0, tzinfo=UTC)),  # 22:00 -> 08:00
        (datetime(2026, 11, 16, 23, 30, tzinfo=UTC), datetime(2026, 11, 17, 7, 0, tzinfo=UTC)),  # 00:30 -> 08:00
        (datetime(2026, 11, 17, 6, 59, tzinfo=UTC), datetime(2026, 11, 17, 7, 0, tzinfo=UTC)),  # 07:59 -> 08:00
        (datetime(2026, 11, 17, 7, 0, tzinfo=UTC), datetime(2026, 11, 17, 7, 0, tzinfo=UTC)),  # 08:00 is awake
    ],
)
def test_quiet_hours_across_midnight_in_the_community_zone(utc: datetime, expected: datetime) -> None:
    assert ladder.out_of_quiet_hours(utc, PARIS, *NIGHT) == expected


def test_quiet_hours_within_one_day_and_disabled() -> None:
    lunch = (time(12, 0), time(14, 0))
    assert ladder.out_of_quiet_hours(T0 + timedelta(hours=3), PARIS, *lunch) == T0 + timedelta(hours=4)
    assert ladder.out_of_quiet_hours(T0 + timedelta(hours=12), PARIS, time(0), time(0)) == T0 + timedelta(hours=12)


def test_ladder_delays_only_the_steps_that_notify() -> None:
    evening = datetime(2026, 11, 16, 18, 0, tzinfo=UTC)  # 19:00 Paris: +4 h is 23:00, quiet
    rungs = ladder.Ladder(PARIS, timedelta(hours=4), timedelta(hours=24), timedelta(hours=72), *NIGHT)
    steps = rungs.plan(evening)
    assert [s.kind for s in steps] == [ladder.NUDGE, ladder.ESCALATE, ladder.WAITING]
    assert rungs.step_after(ladder.WAITING, evening) is None
    assert steps[0].due_at == datetime(2026, 11, 17, 7, 0, tzinfo=UTC)
    assert steps[1].due_at == evening + timedelta(hours=24)  # 19:00 the next day is not quiet
    assert steps[2].due_at == evening + timedelta(hours=72)


def test_each_weight_raises_the_points() -> None:
    plain = scoring.points(scoring.Credit("bob", timedelta(), newcomer=False, solved=False))
    assert plain == pytest.approx(1.0)
    waited = scoring.points(scoring.Credit("bob", timedelta(days=1), newcomer=False, solved=False))
    assert waited == pytest.approx(1.5)
    capped = scoring.points(scoring.Credit("bob", timedelta(days=30), newcomer=False, solved=False))
    assert capped == pytest.approx(2.5)  # the wait counts for three days at most
    newcomer = scoring.points(scoring.Credit("bob", timedelta(), newcomer=True, solved=False))
    solved = scoring.points(scoring.Credit("bob", timedelta(), newcomer=False, solved=True))
    assert newcomer == pytest.approx(1.5) and solved == pytest.approx(1.5)
    everything = scoring.points(scoring.Credit("bob", timedelta(days=1), newcomer=True, solved=True))
    assert everything == pytest.approx(1.5 * 1.5 * 1.5)
    thanked_only = scoring.points(scoring.Credit("bob", timedelta(), newcomer=False, solved=True, first=False))
    assert thanked_only == pytest.approx(0.75)


def test_leaderboard_prefers_patience_over_speed_and_volume() -> None:
    credits = [
        scoring.Credit("fast", timedelta(minutes=1), newcomer=False, solved=False),
        scoring.Credit("fast", timedelta(minutes=2), newcomer=False, solved=False),
        scoring.Credit("patient", timedelta(days=3), newcomer=True, solved=True),
        scoring.Credit("helper", timedelta(), newcomer=False, solved=True, first=False),
    ]
    board = scoring.leaderboard(credits)
    assert [s.helper for s in board] == ["patient", "fast", "helper"]
    assert board[0] == scoring.Standing("patient", 5.6, 1, 1)
    assert board[1].answers == 2 and board[2].answers == 0 and board[2].solved == 1
    assert scoring.leaderboard([]) == []
    assert len(scoring.leaderboard([scoring.Credit(str(i), timedelta(), False, False) for i in range(20)])) == 10


def test_digest_figures() -> None:
    asked = [stats.Asked("fr", T0, T0 + timedelta(hours=h), solved=h < 2) for h in (1, 2, 3, 30)]
    asked.append(stats.Asked("en", T0, None, solved=False))
    figures = stats.figures(asked, still_waiting=1)
    assert figures["asked"] == 5 and figures["answered"] == 4 and figures["solved"] == 1
    assert figures["median_first_answer"] == 2.5 * 3600  # seconds
    assert figures["p90_first_answer"] == 30 * 3600
    assert figures["answered_within_24h_share"] == 0.6
    assert figures["asked_fr"] == 4 and figures["asked_en"] == 1 and figures["still_waiting"] == 1
    empty = stats.figures([], still_waiting=0)
    # Nothing to compute is no data, never 0: no answered question has no median, no question no share.
    assert empty["median_first_answer"] is None and empty["p90_first_answer"] is None
    assert empty["answered_within_24h_share"] is None and empty["asked"] == 0 and empty["still_waiting"] == 0
    quick = stats.figures([stats.Asked("en", T0, T0 + timedelta(minutes=12, seconds=30), solved=False)], 0)
    assert quick["median_first_answer"] == 750 and quick["answered_within_24h_share"] == 1.0
    assert stats.percentile([5.0], 0.9) == 5.0 and stats.median([1.0, 3.0, 2.0]) == 2.0


def test_index_finds_questions_by_message_asker_and_answer() -> None:
    index = OpenIndex()
    first = Tracked(1, "c", "general", "m1", "alice", T0)
    second = Tracked(2, "c", "general", "m5", "alice", T0 + timedelta(hours=1))
    index.add(first)
    index.add(second)
    assert index.question("c", "general", "m1") is first and index.question("other", "general", "m1") is None
    assert [t.id for t in index.asked_by("c", "alice")] == [1, 2]
    index.add_answer(first, "bob", "m2")
    index.add_answer(first, "carol", "m3")
    assert first.answered_by == "bob" and index.answered_by_message("c", "general", "m3") is first
    assert index.answered_before(T0 + timedelta(hours=2)) == [1]  # the open one stays
    index.remove(1)
    assert index.answered_by_message("c", "general", "m3") is None and index.has_asker("c", "alice")
    index.remove(2)
    assert not index.has_asker("c", "alice") and len(index) == 0 and index.remove(2) is None
