"""Posting to Slack: messages (chat.postMessage, in threads with thread_ts) and their edits (chat.update),
files (files_upload_v2:
files.getUploadURLExternal, the upload itself, files.completeUploadExternal), direct messages
(conversations.open) and answers through a command's response_url. Every Web API failure
becomes a `DeliveryError`."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.formatting import LocalReply
from bot.model import Attachment
from bot.platforms.slack.errors import delivery_error
from bot.platforms.slack.render import Renderer, SlackMessage

log = logging.getLogger("affinity.slack.delivery")


class Delivery:
    """Sends rendered replies and files through the Web API."""

    def __init__(
        self, client: AsyncWebClient, renderer: Renderer, retry_handlers: Sequence[AsyncRetryHandler] = ()
    ) -> None:
        self.client = client
        self.renderer = renderer
        self._retry_handlers = list(retry_handlers)
        self._dms: dict[str, str] = {}

    async def dm_channel(self, user_id: str) -> str:
        """The id of the bot's direct-message conversation with a member (opened once, cached)."""
        if user_id not in self._dms:
            try:
                response = await self.client.conversations_open(users=user_id)
            except Exception as exc:
                raise delivery_error(exc) from exc
            self._dms[user_id] = str(response["channel"]["id"])
        return self._dms[user_id]

    async def post(self, channel_id: str, reply: LocalReply, thread_ts: str | None = None) -> str | None:
        """Post a reply's text, card and buttons (several messages when it is too long for one), then its
        files; the first message's ts (None: files only)."""
        first = await self.post_messages(channel_id, self.renderer.messages(reply), thread_ts)
        if reply.attachments:
            await self.upload(channel_id, reply.attachments, thread_ts=thread_ts)
        return first

    async def post_messages(
        self, channel_id: str, messages: Sequence[SlackMessage], thread_ts: str | None = None
    ) -> str | None:
        """Post rendered messages in order; the first one's ts."""
        first: str | None = None
        for message in messages:
            try:
                response = await self.client.chat_postMessage(
                    channel=channel_id,
                    text=message.text,
                    blocks=list(message.blocks) or None,
                    thread_ts=thread_ts,
                    unfurl_links=False,
                )
            except Exception as exc:
                raise delivery_error(exc) from exc
            first = first or str(response["ts"])
        return first

    async def update(self, channel_id: str, ts: str, reply: LocalReply) -> bool:
        """Replace a message the bot posted (chat.update) with a reply rendered as a post renders it: its
        text, card and buttons (the first message of a reply too long for one; files stay as they were).
        False when the message is gone (`message_not_found`)."""
        messages = self.renderer.messages(reply)
        message = messages[0] if messages else SlackMessage(" ", ())
        if len(messages) > 1:
            log.warning("edit of %s: the new version needs %d messages, the first one is kept", ts, len(messages))
        try:
            # An empty blocks list clears the old blocks; text is the notification and screen-reader fallback.
            await self.client.chat_update(channel=channel_id, ts=ts, text=message.text, blocks=list(message.blocks))
        except Exception as exc:
            error = delivery_error(exc)
            if error.reason == "not_found":
                return False
            raise error from exc
        return True

    async def upload(self, channel_id: str, attachments: Sequence[Attachment], *, thread_ts: str | None = None) -> None:
        """Share files in a channel or DM through the three-step external upload."""
        uploads = [{"filename": a.filename, "content": a.content, "title": a.filename} for a in attachments]
        try:
            await self.client.files_upload_v2(file_uploads=uploads, channel=channel_id, thread_ts=thread_ts)
        except Exception as exc:
            raise delivery_error(exc) from exc

    async def ephemeral(self, channel_id: str, user_id: str, reply: LocalReply) -> None:
        """A reply only one member sees (chat.postEphemeral), in several messages when it is too long."""
        await self.ephemeral_messages(channel_id, user_id, self.renderer.messages(reply))

    async def ephemeral_messages(self, channel_id: str, user_id: str, messages: Sequence[SlackMessage]) -> None:
        """Rendered messages only one member sees, in order."""
        for message in messages:
            try:
                await self.client.chat_postEphemeral(
                    channel=channel_id, user=user_id, text=message.text, blocks=list(message.blocks) or None
                )
            except Exception as exc:
                raise delivery_error(exc) from exc

    async def respond(
        self, response_url: str, message: SlackMessage, *, public: bool, replace_original: bool = False
    ) -> bool:
        """Answer through a response_url; False when Slack refused (expired or used up)."""
        body: dict[str, Any] = {
            "text": message.text,
            "blocks": list(message.blocks),
            "response_type": "in_channel" if public else "ephemeral",
            "replace_original": replace_original,
        }
        webhook = AsyncWebhookClient(response_url, retry_handlers=self._retry_handlers)
        try:
            response = await webhook.send_dict(body)
        except Exception as exc:
            log.warning("response_url could not be reached: %s", exc)
            return False
        if response.status_code != 200:
            log.warning("response_url refused the answer: %s %s", response.status_code, response.body)
            return False
        return True
