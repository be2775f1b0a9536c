"""Group names and tags: the folded key that makes names unique, tag parsing and matching, channel slugs.

`Rust Lille`, `rust-lille` and `RUST LILLÉ` share one key, so they are one name. Tags are stored and
shown as the member typed them (`Café`), and compared folded (`cafe` finds `Café`).
"""

from __future__ import annotations

import re
import unicodedata

from bot.folding import fold

MAX_NAME = 60
MAX_TAGS = 10
MAX_TAG = 30
_TAG_SPLIT = re.compile(r"[\s,;#]+")


def group_key(name: str) -> str:
    """The folded form under which a name is unique in a community."""
    return fold(name)


def is_valid_name(name: str) -> bool:
    """A name has at least one letter or digit, and no more than MAX_NAME characters."""
    return 0 < len(name) <= MAX_NAME and any(ch.isalnum() for ch in name)


def parse_tags(text: str | None) -> tuple[str, ...]:
    """`Café, web #Lille café` -> ("Café", "web", "Lille"): spelled as typed (the first spelling wins),
    deduplicated on the folded form, at most MAX_TAGS."""
    if not text:
        return ()
    tags: list[str] = []
    keys: set[str] = set()
    for raw in _TAG_SPLIT.split(text):
        tag = unicodedata.normalize("NFC", raw).strip("-_.")[:MAX_TAG]
        key = tag_key(tag)
        if key and key not in keys:
            keys.add(key)
            tags.append(tag)
    return tuple(tags[:MAX_TAGS])


def tag_key(tag: str) -> str:
    """The folded form two tags are compared on: `Café`, `cafe` and `CAFÉ` are one tag."""
    return fold(tag).replace(" ", "-")


def has_tags(tags: tuple[str, ...], wanted: tuple[str, ...]) -> bool:
    """True when `tags` carries every tag of `wanted`, folded (`cafe` matches a group tagged `Café`)."""
    mine = {tag_key(t) for t in tags}
    return all(tag_key(t) in mine for t in wanted)


def channel_slug(name: str) -> str:
    """A channel name every platform accepts: `Rust Lillé!` -> `rust-lille`."""
    ascii_name = unicodedata.normalize("NFKD", fold(name)).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-")
    return (slug or "group")[:80]
