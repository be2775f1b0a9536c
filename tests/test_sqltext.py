"""Placeholders rewritten for PostgreSQL: `?` and `:name` become `$n` everywhere a value may go, and
nowhere else (strings, quoted names, comments, `::` casts)."""

from __future__ import annotations

import pytest

from bot.storage.sqltext import reads_only, to_numbered


def test_positional_marks_are_numbered_in_order() -> None:
    numbered = to_numbered("SELECT a FROM t WHERE b = ? AND c IN (?, ?)")
    assert numbered.text == "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)"
    assert numbered.arguments(("x", 1, 2)) == ["x", 1, 2]


def test_a_name_used_twice_is_one_parameter() -> None:
    numbered = to_numbered("SELECT * FROM t WHERE (:ch IS NULL OR channel = :ch) AND day >= :since")
    assert numbered.text == "SELECT * FROM t WHERE ($1 IS NULL OR channel = $1) AND day >= $2"
    assert numbered.arguments({"since": "2026-01-01", "ch": None, "unused": 5}) == [None, "2026-01-01"]


def test_marks_inside_strings_identifiers_comments_and_casts_stay() -> None:
    sql = (
        "SELECT 'what? :no', \"col?\", x::text -- a comment? :nope\nFROM t /* ? :also */ WHERE y = ? AND z = 'it''s ?'"
    )
    numbered = to_numbered(sql)
    assert numbered.count == 1
    assert numbered.text.endswith("WHERE y = $1 AND z = 'it''s ?'")
    assert "'what? :no'" in numbered.text and '"col?"' in numbered.text and "x::text" in numbered.text


def test_casts_can_be_appended_to_each_placeholder() -> None:
    numbered = to_numbered("SELECT ? IS NULL, ? + 1")
    assert numbered.with_casts(["text", "bigint"]) == "SELECT $1::text IS NULL, $2::bigint + 1"


def test_wrong_parameters_are_refused_clearly() -> None:
    with pytest.raises(TypeError, match="2 placeholders but 1"):
        to_numbered("SELECT ?, ?").arguments((1,))
    with pytest.raises(TypeError, match=":since"):
        to_numbered("SELECT :since").arguments({})
    with pytest.raises(ValueError, match="not both"):
        to_numbered("SELECT ?, :name")


def test_reads_are_recognised_after_comments() -> None:
    assert reads_only("-- list\nSELECT 1")
    assert reads_only("/* c */ WITH x AS (SELECT 1) SELECT * FROM x")
    assert not reads_only("INSERT INTO t VALUES (1)")
    assert not reads_only("PRAGMA user_version")
