"""Whether an HTTP request really comes from Slack, decided on the raw bytes before anything parses them.

Slack signs each request: `X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:{timestamp}:{body}">` keyed with
the app's signing secret, and `X-Slack-Request-Timestamp` in Unix seconds. A request is accepted when
both headers are there and well formed (a timestamp of ASCII digits, a signature of 64 hex digits), the
timestamp is within `WINDOW` (5 minutes) of the clock, and the HMAC matches (compared in constant time).
Anything else is `REFUSED`, which the receiver answers with 401 without reading the body any further:
junk (invalid JSON, deep nesting, invalid UTF-8) never reaches a parser unless it was signed.

A signed request seen before (same timestamp and signature) is `REPLAYED`: someone who captured one
cannot have it run twice. The replay cache only needs to hold a request until its timestamp leaves the
window, after which the clock check refuses it anyway; entries are pruned as they expire and the cache
holds at most `MAX_REMEMBERED` of them (the oldest go first; Slack sends far fewer in 5 minutes).

Events also carry an `event_id` that a retry (`X-Slack-Retry-Num`, a new timestamp and signature) keeps:
`first_delivery(event_id)` says whether an event is new, over `EVENT_WINDOW` (Slack's last retry comes
about 5 minutes after the first try), so a retried event is handled once.

The clock is injected (Unix seconds), so tests move it instead of sleeping.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

WINDOW = 300  # seconds a timestamp may differ from the clock, as Slack and bolt allow
EVENT_WINDOW = 3600  # seconds an event id is remembered (retries come within about 5 minutes)
MAX_REMEMBERED = 50_000  # signatures (and event ids) kept at most
MAX_BODY = 1 << 20  # bytes: Slack's payloads are far smaller; a larger body is refused (413) unread

_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


class Verdict(enum.Enum):
    """What to do with a request."""

    ACCEPTED = "accepted"  # signed by Slack, within the window, not seen before: handle it
    REFUSED = "refused"  # unsigned, badly signed, malformed or stale: 401
    REPLAYED = "replayed"  # signed and fresh but already handled: 200, nothing runs


class Seen:
    """Keys remembered until their own expiry time, pruned as they expire, at most `size` of them."""

    def __init__(self, size: int, now: Callable[[], float]) -> None:
        self.size = size
        self.now = now
        self._expiry: OrderedDict[Hashable, float] = OrderedDict()

    def add(self, key: Hashable, until: float) -> bool:
        """Remember `key` until `until`; False when it was already remembered (and still is)."""
        self.prune()
        if key in self._expiry:
            return False
        self._expiry[key] = until
        while len(self._expiry) > self.size:
            self._expiry.popitem(last=False)
        return True

    def prune(self) -> None:
        """Forget expired keys. They are kept in arrival order, which is their expiry order give or take
        the window, so the walk stops at the first one still valid."""
        now = self.now()
        while self._expiry:
            key, until = next(iter(self._expiry.items()))
            if until > now:
                return
            del self._expiry[key]

    def __len__(self) -> int:
        return len(self._expiry)


class RequestCheck:
    """Verifies Slack's signature and timestamp on raw bytes, and refuses replays."""

    def __init__(
        self,
        signing_secret: str,
        *,
        now: Callable[[], float] = time.time,
        window: int = WINDOW,
        size: int = MAX_REMEMBERED,
    ) -> None:
        self._key = signing_secret.encode()
        self.now = now
        self.window = window
        self.signatures = Seen(size, self._now)
        self.events = Seen(size, self._now)

    def _now(self) -> float:
        return self.now()

    def check(self, timestamp: str | None, signature: str | None, body: bytes) -> Verdict:
        """The verdict on one request: its two headers (None when missing) and its raw body."""
        self.signatures.prune()  # even a flood of refused requests lets expired entries go
        if timestamp is None or signature is None:
            return Verdict.REFUSED
        if not _TIMESTAMP.fullmatch(timestamp) or not _SIGNATURE.fullmatch(signature):
            return Verdict.REFUSED
        sent_at = int(timestamp)
        if abs(self.now() - sent_at) > self.window:
            return Verdict.REFUSED
        expected = "v0=" + hmac.new(self._key, b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature):
            return Verdict.REFUSED
        # Until sent_at + window the clock check lets this request in; after, it refuses it by itself.
        if not self.signatures.add((timestamp, signature), sent_at + self.window):
            return Verdict.REPLAYED
        return Verdict.ACCEPTED

    def first_delivery(self, event_id: str) -> bool:
        """True the first time an event id is seen within `EVENT_WINDOW`; False for a retry of it."""
        return self.events.add(event_id, self.now() + EVENT_WINDOW)
