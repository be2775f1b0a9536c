"""Loose text comparison: the folded form of names and the "did you mean" suggestions.

Everything a member types to name something (a command, a parameter, a group, a channel, a choice)
is compared on its folded form, so `Rust Lille`, `rust-lille` and `RUST LILLÉ` are the same name,
and a near miss gets a suggestion spelled the way it was registered.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from difflib import SequenceMatcher

__all__ = ["closest", "fold"]

# Hyphens and dashes of every kind, underscores and whitespace all separate words the same way.
_SEPARATORS = re.compile(r"[\s_\-\u2010-\u2015\u2212]+")


def fold(text: str) -> str:
    """The comparison form of `text`: no accents, case-folded, words separated by single spaces."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    # Combining marks are the accents split off by NFKD; format characters (zero-width spaces,
    # direction marks) are invisible and must not make two names differ.
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch) and unicodedata.category(ch) != "Cf")
    return _SEPARATORS.sub(" ", bare).strip()


def closest(word: str, candidates: Iterable[str], n: int = 3, cutoff: float = 0.6) -> list[str]:
    """Up to `n` candidates that `word` probably meant, best first, in their original spelling.

    An exact folded match ranks first, then candidates that start with `word`, contain it, or
    contain its letters in order with the same first letter (`grp` for `group`), then spelling
    mistakes whose difflib ratio reaches `cutoff`.
    """
    target = fold(word)
    if not target or n <= 0:
        return []
    matcher = SequenceMatcher(autojunk=False)
    matcher.set_seq2(target)  # difflib caches details about the second sequence: the one we reuse
    scored: list[tuple[float, int, str]] = []
    seen: set[str] = set()
    for index, candidate in enumerate(candidates):
        if candidate in seen:
            continue
        seen.add(candidate)
        folded = fold(candidate)
        if not folded:
            continue
        score = _score(target, folded, matcher, cutoff)
        if score is not None:
            scored.append((-score, index, candidate))
    scored.sort()
    return [candidate for _score_, _index, candidate in scored[:n]]


def _score(target: str, folded: str, matcher: SequenceMatcher[str], cutoff: float) -> float | None:
    """How well `folded` matches `target` (higher is better), or None when it does not."""
    closeness = len(target) / len(folded)
    if folded == target:
        return 4.0
    if folded.startswith(target):
        return 3.0 + closeness
    if len(target) >= 3 and target in folded:
        return 2.0 + closeness
    if len(target) >= 2 and target[0] == folded[0] and _is_subsequence(target, folded):
        return 1.0 + closeness
    matcher.set_seq1(folded)
    # The quick upper bounds skip the quadratic ratio for hopeless pairs (e.g. a 10,000-char word).
    if matcher.real_quick_ratio() < cutoff or matcher.quick_ratio() < cutoff:
        return None
    ratio = matcher.ratio()
    return ratio if ratio >= cutoff else None


def _is_subsequence(short: str, long: str) -> bool:
    """True when every character of `short` appears in `long` in the same order."""
    if len(short) > len(long):
        return False
    remaining = iter(long)
    return all(ch in remaining for ch in short)
