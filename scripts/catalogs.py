"""Keep the gettext catalogs in step with the code.

`python scripts/catalogs.py` extracts every `_("...")` from bot/ and plugins/ with Babel and
adds the missing msgids (untranslated) to the right `fr.po`: bot/ and plugins/core/ go to
bot/locales/fr.po, every other plugin to plugins/<name>/locales/fr.po. `--check` only reports
what is missing or stale (the test suite runs the same check).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ("fr",)


def domains() -> Iterator[tuple[Path, list[Path]]]:
    """(catalog directory, source directories) pairs."""
    yield ROOT / "bot" / "locales", [ROOT / "bot", ROOT / "plugins" / "core"]
    for plugin in sorted((ROOT / "plugins").iterdir()):
        if plugin.is_dir() and plugin.name not in ("core", "__pycache__"):
            yield plugin / "locales", [plugin]


def extract(sources: list[Path]) -> dict[str, str]:
    """msgid -> first location, for every `_()` call in the sources."""
    found: dict[str, str] = {}
    for source in sources:
        for filename, lineno, message, _comments, _context in extract_from_dir(
            str(source), method_map=[("**.py", "python")], keywords={"_": None}
        ):
            if isinstance(message, str) and message:
                found.setdefault(message, f"{source.relative_to(ROOT)}/{filename}:{lineno}")
    return found


def load(path: Path, locale: str) -> Catalog:
    """Read a catalog, or start an empty one."""
    if path.is_file():
        with path.open("rb") as fh:
            return read_po(fh, locale=locale)
    return Catalog(locale=locale, project="affinity-bot")


def main() -> int:
    """Extract the messages and update (or with `--check`, verify) every catalog."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--only", help="one catalog directory, e.g. plugins/groups/locales")
    args = parser.parse_args()
    problems = 0
    for directory, sources in domains():
        if args.only and directory.resolve() != (ROOT / args.only).resolve():
            continue
        messages = extract(sources)
        if not messages:
            continue
        for locale in LOCALES:
            path = directory / f"{locale}.po"
            catalog = load(path, locale)
            missing = [m for m in messages if not (catalog.get(m) and catalog.get(m).string)]
            stale = [m.id for m in catalog if m.id and m.id not in messages]
            for msgid in missing:
                print(f"missing {locale}: {msgid!r} ({messages[msgid]})")
            for msgid in stale:
                print(f"stale {locale}: {msgid!r}")
            problems += len(missing) + len(stale)
            if not args.check:
                for msgid, where in messages.items():
                    if catalog.get(msgid) is None:
                        catalog.add(msgid, "", locations=[(where.rsplit(":", 1)[0], int(where.rsplit(":", 1)[1]))])
                for msgid in stale:
                    catalog.delete(msgid)
                directory.mkdir(parents=True, exist_ok=True)
                with path.open("wb") as fh:
                    write_po(fh, catalog, width=110, omit_header=False, sort_output=True, include_lineno=False)
    return 1 if problems and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
