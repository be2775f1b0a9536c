"""Group names and tags: the folded key that makes names unique, tag parsing, channel slugs.

`Rust Lille`, `rust-lille` and `RUST LILLÉ` share one key, so they are one name.
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
    """`Rust, web #Lille` -> ("rust", "web", "lille"): folded, deduplicated, at most MAX_TAGS."""
    if not text:
        return ()
    seen: list[str] = []
    for raw in _TAG_SPLIT.split(text):
        tag = fold(raw).replace(" ", "-")[:MAX_TAG]
        if tag and tag not in seen:
            seen.append(tag)
    return tuple(seen[:MAX_TAGS])


def channel_slug(name: str) -> str:
    """A channel name every platform accepts: `Rust Lillé!` -> `rust-lille`."""
    ascii_name = unicodedata.normalize("NFKD", fold(name)).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-")
    return (slug or "group")[:80]
