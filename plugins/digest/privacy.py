"""What the digest stores about a member, exported and forgotten.

Stored: the opt-in DM subscription (member id), and in each stored digest the top contributors (id,
display name at the time, message count). Forgetting deletes the subscription and, in every stored
digest that lists the member, replaces their id with null and their name with "a former member" in
the JSON and in the text of every language it was rendered in. The aggregate figures (counts of members
and messages) stay: they describe the community, not the member.
"""

from __future__ import annotations

from typing import Any

from bot.i18n import Translator, _
from bot.model import UserRef
from bot.plugin import Sql
from plugins.digest.repo import DigestRepo, contributors_of


async def export_user(repo: DigestRepo, user: UserRef) -> dict[str, Any]:
    """The member's subscription and where stored digests name them."""
    community = user.community.key
    subscribed = await repo.subscription(community, user.user_id)
    named = []
    for digest in await repo.mentioning(community, user.user_id):
        for entry in contributors_of(digest.figures):
            if entry.get("id") == user.user_id:
                named.append(
                    {
                        "period_start": digest.period.start.isoformat(),
                        "period_end": digest.period.end.isoformat(),
                        "messages": entry.get("messages"),
                    }
                )
    return {"subscribed_at": subscribed.isoformat() if subscribed else None, "named_in_digests": named}


async def forget_user(repo: DigestRepo, translator: Translator, user: UserRef, tx: Sql) -> int:
    """Delete the subscription and scrub the member from stored digests, inside `tx`."""
    community = user.community.key
    scrubbed = []
    for digest in await repo.mentioning(community, user.user_id, tx):
        # Each text is replaced in its own language (the stored JSON keeps the community's); no other query
        # inside `tx`.
        locale = str(digest.figures.get("locale", "en"))
        figures = dict(digest.figures)
        rendered = digest.rendered
        renderings = dict(digest.renderings)
        entries = []
        for entry in contributors_of(figures):
            if entry.get("id") == user.user_id:
                old = f"{entry.get('name')} ({entry.get('messages')})"
                rendered = rendered.replace(
                    old, f"{translator.render(_('a former member'), locale)} ({entry.get('messages')})"
                )
                for lang, text in renderings.items():
                    former = translator.render(_("a former member"), lang)
                    renderings[lang] = text.replace(old, f"{former} ({entry.get('messages')})")
                entry = {**entry, "id": None, "name": translator.render(_("a former member"), locale)}
            entries.append(entry)
        if isinstance(figures.get("lists"), dict):
            figures["lists"] = {**figures["lists"], "top_contributors": entries}
        else:
            figures["top_contributors"] = entries
        scrubbed.append((digest.id, figures, rendered, renderings))
    return await repo.forget(tx, community, user.user_id, scrubbed)
