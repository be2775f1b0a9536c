"""Slack Web API failures as the neutral `DeliveryError`, so plugins can degrade the same way on
every platform: a missing scope names the scope, a channel the bot is not in says so, a closed
DM or an unknown user or channel gets its own reason. A server error (5xx, after the client's
retries), a network failure or Slack's own "retry later" codes are `failed` (transient), and logged
here; any other refusal is `rejected`: trying again would get the same answer."""

from __future__ import annotations

import logging

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.model import DeliveryError

log = logging.getLogger("affinity.slack")

NOT_IN_CHANNEL = "channel membership"  # what the bot lacks when it must be invited first

_NOT_FOUND = frozenset(
    {"channel_not_found", "user_not_found", "users_not_found", "message_not_found", "not_found", "file_not_found"}
)
_DM_CLOSED = frozenset({"cannot_dm_bot", "user_disabled", "messages_tab_disabled", "user_not_visible"})
_NOT_ALLOWED = frozenset(
    {
        "restricted_action",
        "not_authorized",
        "no_permission",
        "access_denied",
        "cant_invite",
        "cant_kick_from_general",
        "cant_archive_general",
        "cant_kick_self",
        "team_access_not_granted",
        "ekm_access_denied",
        "not_allowed_token_type",
        "method_not_supported_for_channel_type",
        "channel_cannot_be_unarchived",
    }
)


# Slack's own transient errors, answered with HTTP 200 (documented per method as "retry later").
_TRANSIENT = frozenset({"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"})


def error_code(exc: SlackApiError) -> str:
    """The `error` field of a failed Web API response."""
    data = exc.response.data if exc.response is not None else None
    code = data.get("error") if isinstance(data, dict) else None
    return str(code or "failed")


def delivery_error(exc: Exception) -> DeliveryError:
    """The neutral error for an exception raised by the Web API client."""
    if not isinstance(exc, SlackApiError):
        if isinstance(exc, SlackClientError | aiohttp.ClientError | OSError):  # timeouts are OSErrors
            return DeliveryError("failed", f"Slack could not be reached: {exc}")
        return DeliveryError("failed", str(exc))
    code = error_code(exc)
    status = exc.response.status_code if exc.response is not None else 0
    if status >= 500:
        # An outage is nothing a moderator can fix and callers may only keep the reason, so the
        # operator learns of it here, with Slack's status.
        log.warning("Slack server error %d on %s: %s", status, exc.response.api_url, code)
        return DeliveryError("failed", f"{status} {code}")
    if code == "missing_scope":
        data = exc.response.data if isinstance(exc.response.data, dict) else {}
        needed = str(data.get("needed") or "") or None
        return DeliveryError("missing_permission", code, permission=needed)
    if code == "not_in_channel":
        return DeliveryError("missing_permission", code, permission=NOT_IN_CHANNEL)
    if code in _NOT_ALLOWED:
        return DeliveryError("missing_permission", code, permission=code)
    if code in _NOT_FOUND:
        return DeliveryError("not_found", code)
    if code in _DM_CLOSED:
        return DeliveryError("dm_closed", code)
    if status == 429 or code in _TRANSIENT:
        return DeliveryError("failed", code)  # the client's retries are spent: try again later
    # Any other refusal (is_archived, msg_too_long, invalid_auth...) would fail the same way again.
    return DeliveryError("rejected", code)
