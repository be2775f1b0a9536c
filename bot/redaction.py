"""Keeping secrets out of everything the process prints or logs.

- `looks_like_token(value)`: a Discord bot token (three base64url parts joined by dots), a Slack token
  (`xoxb-`, `xoxp-`, `xoxa-`, `xoxe-`, `xoxs-`, `xoxr-`... and `xapp-`) or a Slack signing secret (32 hex
  digits). Configuration errors use it to tell a token pasted where a variable's name belongs.
- `mask(value)`: what may be shown of a secret: its kind (`xoxb-`) and its last two characters, never more.
- `redact(text)`: `text` with every token-shaped string masked, plus what is secret only by where it sits:
  Discord interaction tokens in webhook and callback URLs (`/interactions/<id>/<token>`,
  `/webhooks/<id>/<token>`), Slack response URLs (`https://hooks.slack.com/...`), `Authorization` values,
  and the values of `token`-like fields in payloads that libraries log at DEBUG (discord.py logs every
  gateway event, interactions included). The filter also hides the URL slack_sdk's webhook client logs
  at DEBUG, which is always a response URL or an incoming webhook.
- `configure_logging(level, stream)`: the process's one log handler, whose filter redacts every record
  (message, arguments, traceback) before any formatter sees it, whoever logged it.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import TextIO

_SLACK = r"(?:xox[a-z](?:\.xox[a-z])?|xapp)-[A-Za-z0-9-]+"
_DISCORD = r"[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{20,}"
_HEX_SECRET = r"[0-9a-fA-F]{32}"  # noqa: S105 (a pattern that finds secrets, not one)
# Each shape with its own edges: a token may touch punctuation (`database.xoxb-…: unknown key`, a full stop
# ending a sentence, `_end`), but not the characters of its own alphabet (a longer run is something else).
_TOKEN = re.compile(
    rf"(?<![A-Za-z0-9]){_SLACK}"
    rf"|(?<![A-Za-z0-9_-]){_DISCORD}(?![A-Za-z0-9_-])"
    rf"|(?<![0-9a-fA-F]){_HEX_SECRET}(?![0-9a-fA-F])"
)
_WHOLE_TOKEN = re.compile(rf"{_SLACK}|{_DISCORD}|{_HEX_SECRET}")

# Secret by position: the part after the prefix is replaced by "…".
_PLACED = [
    re.compile(r"(/(?:interactions|webhooks)/\d+/)[^/\s'\"?#]+"),  # Discord interaction tokens
    re.compile(r"(https://hooks\.slack(?:-gov)?\.com/)[^\s'\",<>]+"),  # Slack response URLs and webhooks
    re.compile(r"(?i)((?:authorization|x-slack-signature)['\"]?\s*[:=]\s*['\"]?(?:bot |bearer )?)[^\s'\",}]+"),
    re.compile(
        r"(?i)((?<![A-Za-z0-9_])['\"]?(?:token|response_url|signing_secret|client_secret|access_token"
        r"|refresh_token|bot_token|app_token)['\"]?\s*[:=]\s*['\"]?)[^\s'\",&}]+"
    ),
    # The password of a database URL (postgresql://user:password@host/db), which config refuses but a
    # person may still paste: everything between the user's ':' and the '@'.
    re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://[^\s:/@'\"]*:)[^\s@/'\"]+(?=@)"),
    re.compile(r"(?i)((?<![A-Za-z0-9_])password\s*=\s*['\"]?)[^\s'\",&}]+"),
]
# slack_sdk's webhook client only ever posts to capability URLs (response URLs, incoming webhooks): the
# URL it logs at DEBUG is a secret wherever it points.
_WEBHOOK_LOGGER = "slack_sdk.webhook"
_WEBHOOK_URL = re.compile(r"(url: )[^\s,]+")
HIDDEN = "…"


def looks_like_token(value: str) -> bool:
    """True when `value` (surrounding blanks aside) is shaped like a Discord or Slack secret."""
    return _WHOLE_TOKEN.fullmatch(value.strip()) is not None


def mask(value: str) -> str:
    """What may be shown of a secret: its kind and its last two characters (`xoxb-…3f`)."""
    value = value.strip()
    kind = value.split("-", 1)[0] + "-" if re.match(_SLACK, value) else ""
    return f"{kind}{HIDDEN}{value[-2:]}" if len(value) >= 12 else HIDDEN


def redact(text: str) -> str:
    """`text` with every secret in it masked."""
    for pattern in _PLACED:
        text = pattern.sub(lambda found: found.group(1) + HIDDEN, text)
    return _TOKEN.sub(lambda found: mask(found.group(0)), text)


class RedactingFilter(logging.Filter):
    """Masks secrets in a record before it is formatted: the message with its arguments, the traceback
    and the stack. Installed on the handler, so it covers every library's loggers."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask the record in place; always True, the record is kept."""
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: let logging report it as it would
            return True
        if record.name.startswith(_WEBHOOK_LOGGER):
            message = _WEBHOOK_URL.sub(lambda found: found.group(1) + HIDDEN, message)
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class BotLogHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The process's log handler (one at a time: configuring again replaces it). Without a stream of its
    own it writes to the `sys.stderr` of the moment, so it never holds on to a stream closed since."""

    def __init__(self, stream: TextIO | None = None) -> None:
        logging.Handler.__init__(self)
        self._own_stream = stream

    @property
    def stream(self) -> TextIO:
        """The stream given, or the current `sys.stderr` (which tests and pytest replace)."""
        return self._own_stream if self._own_stream is not None else sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        self._own_stream = value


LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(level: str | int, stream: TextIO | None = None) -> logging.Handler:
    """Log at `level` to `stream` (standard error when None) through a redacting handler; returns it."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, BotLogHandler)]:
        root.removeHandler(old)
    handler = BotLogHandler(stream)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.addFilter(RedactingFilter())
    root.addHandler(handler)
    root.setLevel(level)
    return handler
