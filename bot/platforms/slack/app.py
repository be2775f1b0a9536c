"""The slack-bolt side: the Web API client (its base URL from `platforms.slack.api_base`, retries for
rate limits honouring Retry-After, for dropped connections and for server errors), the bolt
`AsyncApp` (which verifies request signatures and ignores the bot's own events), and the two ways
Slack reaches the bot: Socket Mode (an outgoing websocket; no public URL) or HTTP mode (an aiohttp
server on one path for events, commands and interactions, which verifies every request before bolt
parses it: see `verification.py`).
"""

from __future__ import annotations

import asyncio
import json
import logging

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.platforms.base import PlatformError
from bot.platforms.slack.errors import error_code
from bot.platforms.slack.verification import MAX_BODY, RequestCheck, Verdict

log = logging.getLogger("affinity.slack")

RATE_LIMIT_RETRIES = 3
CONNECTION_RETRIES = 2
SERVER_ERROR_RETRIES = 2
CONNECT_TIMEOUT = 30.0


def retry_handlers() -> list[AsyncRetryHandler]:
    """429s wait for Retry-After then retry; resets and refused connections, and 500 and 503 answers
    (a Slack hiccup), retry with backoff. The handlers share one count of retries per call."""
    return [
        AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        AsyncConnectionErrorRetryHandler(max_retry_count=CONNECTION_RETRIES),
        AsyncServerErrorRetryHandler(max_retry_count=SERVER_ERROR_RETRIES),
    ]


def web_client(token: str, api_base: str) -> AsyncWebClient:
    """The Web API client every call goes through."""
    return AsyncWebClient(
        token=token, base_url=api_base, retry_handlers=retry_handlers(), logger=logging.getLogger("affinity.slack.web")
    )


class _TokenUnusedFilter(logging.Filter):
    """Drops bolt's "`token` will be unused" warning: it is not about a mistake of ours."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


def bolt_app(client: AsyncWebClient, signing_secret: str) -> AsyncApp:
    """The bolt app; listeners are added by the platform."""
    # bolt reads SLACK_BOT_TOKEN from the environment when no token is given, then warns on every
    # start that the client it was given wins over that token. The client's token is the one meant
    # (usually that very variable) and bolt has no way to say "no token", so that one record is
    # dropped while the app is built.
    logger = logging.getLogger("affinity.slack.bolt")
    quiet = _TokenUnusedFilter()
    logger.addFilter(quiet)
    try:
        # Requests are verified by HttpReceiver on the raw bytes before bolt sees them (bolt would
        # parse the body first), and Socket Mode needs no signature: bolt's own check is off.
        return AsyncApp(
            client=client,
            signing_secret=signing_secret,
            name="affinity-bot",
            logger=logger,
            request_verification_enabled=False,
        )
    finally:
        logger.removeFilter(quiet)


class HttpReceiver:
    """HTTP mode: an aiohttp server on one path that verifies each POST (`verification.py`) on its raw
    bytes, then hands the genuine ones to bolt.

    Unsigned, badly signed, malformed or stale requests get 401 before any parsing, a body over
    `MAX_BODY` gets 413 unread, a replay of a handled request gets 200 and does not run again, nor
    does a retry of an event already handled. A signed body that still cannot be read gets 400. None
    of these logs a traceback: what the network sends is never an error of the bot."""

    def __init__(self, bolt: AsyncApp, host: str, port: int, path: str, check: RequestCheck) -> None:
        self.bolt = bolt
        self.host = host
        self.port = port
        self.path = path
        self.check = check
        self._runner: web.AppRunner | None = None

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()  # at most MAX_BODY bytes: aiohttp answers 413 to larger ones
        verdict = self.check.check(
            request.headers.get("X-Slack-Request-Timestamp"), request.headers.get("X-Slack-Signature"), body
        )
        if verdict is Verdict.REFUSED:
            log.debug("Slack HTTP mode: refused a request that is not signed by Slack (401)")
            return web.Response(status=401)
        if verdict is Verdict.REPLAYED:
            log.info("Slack HTTP mode: ignored a replay of a request already handled")
            return web.Response(status=200)
        try:
            text = body.decode("utf-8")
            if not self._first_delivery(text):
                log.info(
                    "Slack HTTP mode: ignored retry %s of an event already handled",
                    request.headers.get("X-Slack-Retry-Num", "?"),
                )
                return web.Response(status=200)
            bolt_request = AsyncBoltRequest(
                body=text, query=request.query_string, headers={k: request.headers.getall(k) for k in request.headers}
            )
        except (ValueError, RecursionError, TypeError, AttributeError) as exc:
            # Only Slack (or whoever holds the signing secret) gets here: worth a line, not a traceback.
            log.warning("Slack HTTP mode: a signed request could not be read (%s)", type(exc).__name__)
            return web.Response(status=400)
        response = await self.bolt.async_dispatch(bolt_request)
        return await to_aiohttp_response(response)

    def _first_delivery(self, text: str) -> bool:
        """False for an event callback whose event_id was already handled (Slack retries keep it)."""
        if not text.startswith("{") or '"event_id"' not in text:
            return True
        event_id = json.loads(text).get("event_id")
        return not isinstance(event_id, str) or self.check.first_delivery(event_id)

    async def start(self) -> None:
        """Listen; fails with a PlatformError when the address is taken."""
        application = web.Application(client_max_size=MAX_BODY)
        application.router.add_post(self.path, self._handle)
        runner = web.AppRunner(application, access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self.port).start()
        except OSError as exc:
            await runner.cleanup()
            raise PlatformError(f"Slack: cannot listen on {self.host}:{self.port} ({exc.strerror or exc})") from exc
        self._runner = runner
        self.port = int(runner.addresses[0][1])  # the real port when 0 asked for any free one
        log.info("Slack HTTP mode: listening on http://%s:%d%s", self.host, self.port, self.path)

    @property
    def url(self) -> str:
        """Where Slack must send requests (as seen from this machine)."""
        return f"http://{self.host}:{self.port}{self.path}"

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


class SocketReceiver:
    """Socket Mode: bolt's handler on slack_sdk's aiohttp websocket client, which reconnects by itself."""

    def __init__(self, bolt: AsyncApp, app_token: str, client: AsyncWebClient, token_env: str) -> None:
        self.bolt = bolt
        self.app_token = app_token
        self.client = client
        self.token_env = token_env
        self._handler: AsyncSocketModeHandler | None = None

    async def start(self) -> None:
        """Connect; returns once the websocket is open."""
        # The SDK retries a failed connection forever; asking for the URL first turns a wrong
        # app token into one clear error at start.
        try:
            response = await self.client.apps_connections_open(app_token=self.app_token)
        except SlackApiError as exc:
            raise PlatformError(
                f"Slack: the app-level token in {self.token_env} was refused "
                f"({error_code(exc)}); it must start with xapp- and have connections:write"
            ) from exc
        handler = AsyncSocketModeHandler(self.bolt, app_token=self.app_token, web_client=self.client)
        handler.client.wss_uri = str(response["url"])
        self._handler = handler
        try:
            # The SDK leaves connect_async/close_async unannotated; they return None.
            await asyncio.wait_for(handler.connect_async(), CONNECT_TIMEOUT)  # type: ignore[no-untyped-call]
        except TimeoutError as exc:
            await self.stop()
            raise PlatformError(f"Slack: Socket Mode did not connect within {CONNECT_TIMEOUT:g} s") from exc
        log.info("Slack Socket Mode: connected")

    async def stop(self) -> None:
        """Close the websocket and its session."""
        if self._handler is not None:
            handler, self._handler = self._handler, None
            await handler.close_async()  # type: ignore[no-untyped-call]
