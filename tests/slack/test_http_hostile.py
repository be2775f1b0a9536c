"""The Slack HTTP endpoint under hostile input, with real HTTP requests to the running bot (the real bolt
app behind the real receiver, the fake Slack Web API): junk bodies and headers unsigned or badly signed
get 401 before any parsing and leave no traceback in the log; signed junk gets 400, also quietly; a body
over the limit gets 413; a replayed signed request and a retried event run once; the replay window
follows the injected clock. Hypothesis fuzzes bodies, headers and replays against one running bot."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import Callable, Coroutine, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

import aiohttp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.model import Message
from bot.platforms.slack.verification import MAX_BODY, RequestCheck, Verdict
from tests.slack.fake_slack import TEAM
from tests.slack.rig import SECRET, WAIT, Rig, command_payload, running, sign

T = TypeVar("T")
TS, SIG = "X-Slack-Request-Timestamp", "X-Slack-Signature"


def event_body(text: str, event_id: str, ts: str = "1700000001.000001") -> bytes:
    """An Events API callback carrying one channel message."""
    return json.dumps(
        {
            "token": "legacy",
            "team_id": TEAM,
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": 1700000000,
            "event": {"type": "message", "channel": "C1", "user": "U1", "text": text, "ts": ts},
            "authorizations": [{"team_id": TEAM, "user_id": "UBOT", "is_bot": True}],
        }
    ).encode()


async def raw_post(url: str, body: bytes, headers: Mapping[str, str]) -> int:
    """POST exactly these bytes and headers; the status."""
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            url, data=body, headers={"Content-Type": "application/json", **headers}, timeout=aiohttp.ClientTimeout(WAIT)
        ) as response,
    ):
        await response.read()
        return response.status


def signed(body: bytes, ts: int | None = None, secret: str = SECRET) -> dict[str, str]:
    stamp = int(time.time()) if ts is None else ts
    return {TS: str(stamp), SIG: sign(body, stamp, secret)}


def texts(rig: Rig) -> list[str]:
    return [e.text for e in rig.probe.events if isinstance(e, Message)]


def tracebacks(records: list[logging.LogRecord]) -> list[str]:
    """Records that carry a traceback, or errors: what a junk request must never leave in the log."""
    return [r.getMessage() for r in records if r.exc_info or r.exc_text or r.levelno >= logging.ERROR]


JUNK = [
    b"{not json",
    b"[" * 50_000,
    b'{"a":' * 50_000,
    b"\xff\xfe\x00\xc3(",
    b"payload=%7B%7B%7B%7B",
    b"",
    b'{"type": "event_callback", "event": {"type": "message", "text": "forged"}}',
]


def bad_headers(body: bytes) -> list[dict[str, str]]:
    """Missing, malformed, stale and forged signing headers for `body`."""
    now = int(time.time())
    good = signed(body)
    return [
        {},
        {TS: good[TS]},
        {SIG: good[SIG]},
        {TS: "abc", SIG: good[SIG]},
        {TS: "1e9", SIG: good[SIG]},
        {TS: "-1", SIG: good[SIG]},
        {TS: good[TS] + "0", SIG: good[SIG]},
        {TS: "9" * 40, SIG: good[SIG]},
        {TS: "١٢٣", SIG: good[SIG]},
        {TS: good[TS], SIG: "v0=zz"},
        {TS: good[TS], SIG: good[SIG].upper()},
        signed(body, secret="not-the-secret"),
        # 20 s past the 5-minute window each way: a second ticking between signing and the check cannot
        # bring them back into it.
        signed(body, now - 320),
        signed(body, now + 320),
        {TS: good[TS], SIG: sign(body + b" ", now)},
    ]


async def test_junk_unsigned_or_badly_signed_gets_401_without_parsing_or_traceback(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with running(tmp_path) as rig:
        statuses = {await raw_post(rig.url, body, headers) for body in JUNK for headers in bad_headers(body)}
        assert statuses == {401}
        await rig.event(
            {"type": "message", "channel": "C1", "user": "U1", "text": "genuine", "ts": "1700000009.000001"}
        )
        await rig.probe.wait_for(1)
    assert texts(rig) == ["genuine"]
    assert rig.fake.called("users.info") == [] and rig.fake.responses == []
    assert tracebacks(caplog.records) == []
    assert "Traceback" not in caplog.text


async def test_signed_junk_gets_400_quietly_and_runs_nothing(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    async with running(tmp_path) as rig:
        for body in (b"{not json", b"[" * 50_000, b'{"a":' * 50_000, b"\xff\xfe\x00\xc3(", b"payload=%7B%7B"):
            assert await raw_post(rig.url, body, signed(body)) == 400
        await rig.event({"type": "message", "channel": "C1", "user": "U1", "text": "after", "ts": "1700000009.1"})
        await rig.probe.wait_for(1)
    assert texts(rig) == ["after"]
    assert tracebacks(caplog.records) == []
    assert sum("could not be read" in r.getMessage() for r in caplog.records) == 5


async def test_a_body_over_the_limit_is_refused_unread(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    async with running(tmp_path) as rig:
        body = b"x" * (MAX_BODY + 1)
        assert await raw_post(rig.url, body, signed(body)) == 413
    assert tracebacks(caplog.records) == []


async def test_a_replayed_signed_request_is_handled_once(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        body = event_body("once", "Ev1")
        headers = signed(body)
        assert [await raw_post(rig.url, body, headers) for _ in range(3)] == [200, 200, 200]
        await rig.post(event_body("next", "Ev2", "1700000002.000002"), "application/json")
        await rig.probe.wait_for(2)
        assert sorted(texts(rig)) == ["next", "once"]  # each once; handled concurrently, so any order
        # A slash command replayed: one answer.
        form = urlencode(command_payload(rig.fake, "/help", "", response="help")).encode()
        headers = {**signed(form), "Content-Type": "application/x-www-form-urlencoded"}
        assert [await raw_post(rig.url, form, headers) for _ in range(2)] == [200, 200]
        await rig.command("/help", "", response="later")
        await rig.response("later")
        await rig.response("help")
        assert [r["_key"] for r in rig.fake.responses].count("help") == 1


async def test_a_retried_event_is_handled_once(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        body = event_body("slow to ack", "EvRetried")
        now = int(time.time())
        assert await raw_post(rig.url, body, signed(body, now)) == 200
        # Slack's retry: the same event, signed anew, with its retry number and reason.
        retry = {**signed(body, now + 1), "X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
        assert await raw_post(rig.url, body, retry) == 200
        await rig.post(event_body("next", "EvNext", "1700000002.000002"), "application/json")
        await rig.probe.wait_for(2)
        assert sorted(texts(rig)) == ["next", "slow to ack"]  # each once; handled concurrently, so any order


async def test_the_replay_window_follows_the_injected_clock(tmp_path: Path) -> None:
    clock = [1_900_000_000.0]  # not today: only the injected clock can make these timestamps fresh
    async with running(tmp_path, start=False) as rig:
        rig.platform.wall_clock = lambda: clock[0]
        await rig.app.start()
        body = event_body("at a made-up time", "EvClock")
        headers = signed(body, int(clock[0]))
        assert await raw_post(rig.url, body, headers) == 200
        clock[0] += 299
        assert await raw_post(rig.url, body, headers) == 200  # a replay: acknowledged, not run
        clock[0] += 2
        assert await raw_post(rig.url, body, headers) == 401  # out of the window: refused outright
        fresh = event_body("later", "EvLater", "1700000002.000002")
        assert await raw_post(rig.url, fresh, signed(fresh, int(clock[0]))) == 200
        await rig.probe.wait_for(2)
        assert sorted(texts(rig)) == ["at a made-up time", "later"]  # each once; handled concurrently


def test_the_replay_cache_is_pruned_and_bounded() -> None:
    clock = [1000.0]
    check = RequestCheck(SECRET, now=lambda: clock[0], size=3)
    bodies = [f"body {n}".encode() for n in range(5)]
    for body in bodies:
        assert check.check(str(int(clock[0])), sign(body, int(clock[0])), body) is Verdict.ACCEPTED
    assert len(check.signatures) == 3  # the oldest went first
    last = bodies[-1]
    assert check.check(str(int(clock[0])), sign(last, int(clock[0])), last) is Verdict.REPLAYED
    clock[0] += 301
    assert check.check("1000", sign(last, 1000), last) is Verdict.REFUSED
    assert len(check.signatures) == 0  # expired entries are gone, not only ignored


# ------------------------------------------------------------ fuzzing against one running bot


class Served:
    """The rig running on an event loop of its own thread, so synchronous hypothesis tests can use it."""

    def __init__(self, tmp_path: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.stop = asyncio.Event()
        self.rig: Rig | None = None
        self.records: list[logging.LogRecord] = []
        self.thread = threading.Thread(target=self.loop.run_until_complete, args=(self._serve(tmp_path),))

    async def _serve(self, tmp_path: Path) -> None:
        self.stop = asyncio.Event()
        async with running(tmp_path) as rig:
            self.rig = rig
            self.ready.set()
            await self.stop.wait()

    def call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(2 * WAIT)

    def messages(self) -> list[str]:
        assert self.rig is not None
        return texts(self.rig)


class Keep(logging.Handler):
    def __init__(self, records: list[logging.LogRecord]) -> None:
        super().__init__(logging.DEBUG)
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    server = Served(tmp_path_factory.mktemp("served"))
    keep = Keep(server.records)
    root = logging.getLogger()
    root.addHandler(keep)
    level = root.level
    root.setLevel(logging.DEBUG)
    server.thread.start()
    assert server.ready.wait(30)
    try:
        yield server
    finally:
        server.loop.call_soon_threadsafe(server.stop.set)
        server.thread.join(30)
        server.loop.close()
        root.removeHandler(keep)
        root.setLevel(level)


def _quietly(served: Served, action: Callable[[], None]) -> None:
    """Run `action`; the log it leaves must hold no traceback."""
    before = len(served.records)
    action()
    assert tracebacks(served.records[before:]) == []


HEADER_TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=80)
FUZZ = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(
    body=st.binary(max_size=4096),
    timestamp=st.none() | HEADER_TEXT | st.integers().map(str),
    signature=st.none() | HEADER_TEXT | st.binary(min_size=32, max_size=32).map(lambda b: "v0=" + b.hex()),
    content_type=st.sampled_from(
        ["application/json", "application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x"]
    ),
)
def test_fuzz_unsigned_requests_get_401_and_no_traceback(
    served: Served, body: bytes, timestamp: str | None, signature: str | None, content_type: str
) -> None:
    assert served.rig is not None
    headers = {
        "Content-Type": content_type,
        **({TS: timestamp} if timestamp is not None else {}),
        **({SIG: signature} if signature is not None else {}),
    }
    _quietly(served, lambda: assert_status(served, body, headers, {401}))


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@FUZZ
# Offsets within 10 s of the window's edge are left out: the wall clock may tick between signing and the check.
@given(
    payload=JSONISH,
    junk=st.binary(max_size=256),
    tamper=st.booleans(),
    offset=st.integers(-1000, 1000).filter(lambda offset: not 290 <= abs(offset) <= 310),
)
def test_fuzz_badly_signed_bodies_get_401_and_signed_ones_never_crash(
    served: Served, payload: object, junk: bytes, tamper: bool, offset: int
) -> None:
    assert served.rig is not None
    body = json.dumps(payload).encode() + junk
    now = int(time.time())
    headers = signed(body, now + offset)
    if tamper or abs(offset) > 300:
        if tamper:
            body += b"!"
        _quietly(served, lambda: assert_status(served, body, headers, {401}))
    else:
        # Signed: Slack (or whoever has the secret) sent it. Whatever it holds, no crash, no traceback.
        _quietly(served, lambda: assert_status(served, body, headers, {200, 400, 404}))


@FUZZ
@given(
    text=st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=40),
    copies=st.integers(2, 4),
)
def test_fuzz_a_replayed_event_runs_once(served: Served, text: str, copies: int) -> None:
    assert served.rig is not None
    rig = served.rig
    seen = len(served.messages())
    body = event_body(text, f"Ev{time.monotonic_ns()}")
    headers = signed(body)
    assert [served.call(raw_post(rig.url, body, headers)) for _ in range(copies)] == [200] * copies
    marker = event_body("marker", f"Ev{time.monotonic_ns()}")
    assert served.call(raw_post(rig.url, marker, signed(marker))) == 200
    served.call(rig.probe.wait_for(seen + 2))
    new = served.messages()[seen:]
    assert len(new) == 2 and "marker" in new  # the event once, then the marker


def assert_status(served: Served, body: bytes, headers: Mapping[str, str], expected: set[int]) -> None:
    assert served.rig is not None
    assert served.call(raw_post(served.rig.url, body, headers)) in expected
