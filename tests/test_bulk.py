"""Tests of bot/storage/bulk.py: rows written through one JSON parameter come back exactly."""

from __future__ import annotations

import sqlite3

import pytest

from bot.storage.bulk import as_json, rows_from_json

ROWS = [
    ("plain", 1, None, 2.5),
    ('Qu’en pensez-vous ? « ok » "quoted" \\ back', -7, "é" * 3, 0.0),
    ("emoji 🎉 and RTL \u202eabc and zero\u200bwidth", 2**62, "", -1.25),
    ("x" * 10_000, 0, "'; DROP TABLE t; --", 1e-9),
]


def test_rows_keep_their_values_and_sql_types() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (a TEXT, b INTEGER, c TEXT, d REAL)")
    changed = conn.execute(f"INSERT INTO t (a, b, c, d) {rows_from_json(4)}", (as_json(ROWS),)).rowcount
    assert changed == len(ROWS)
    assert conn.execute("SELECT a, b, c, d FROM t ORDER BY rowid").fetchall() == ROWS
    types = conn.execute("SELECT typeof(a), typeof(b), typeof(c), typeof(d) FROM t WHERE rowid = 1").fetchone()
    assert types == ("text", "integer", "null", "real")


def test_an_upsert_clause_may_follow() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE n (k TEXT PRIMARY KEY, v INTEGER)")
    upsert = f"INSERT INTO n (k, v) {rows_from_json(2)} ON CONFLICT (k) DO UPDATE SET v = n.v + excluded.v"
    conn.execute(upsert, (as_json([("a", 1), ("b", 2)]),))
    conn.execute(upsert, (as_json(iter([("a", 10)])),))
    assert conn.execute("SELECT k, v FROM n ORDER BY k").fetchall() == [("a", 11), ("b", 2)]


def test_no_columns_is_refused() -> None:
    with pytest.raises(ValueError, match="column"):
        rows_from_json(0)


def test_a_lone_surrogate_becomes_a_question_mark_instead_of_unreadable_bytes() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (a TEXT)")
    conn.execute(f"INSERT INTO t (a) {rows_from_json(1)}", (as_json([("bad \udc80 byte, « ok »",)]),))
    assert conn.execute("SELECT a FROM t").fetchone() == ("bad ? byte, « ok »",)
