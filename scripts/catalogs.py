"""Keep the gettext catalogs in step with the code.

`python scripts/catalogs.py` extracts every `_("...")` from bot/ and plugins/ with Babel and
adds the missing msgids (untranslated) to the right `fr.po`: bot/ and plugins/core/ go to
bot/locales/fr.po, every other plugin to plugins/<name>/locales/fr.po. `--check` only reports
what is missing or stale (the test suite runs the same check). A catalog is rewritten only when
a msgid was added or removed, so an unchanged catalog keeps its bytes and its modification time.
"""

from __future__ import annotations

import argparse
import ast
import io
import re
import sys
from collections.abc import Iterator
from contextlib import redirect_stderr
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


_SKIPPED_FSTRING = re.compile(r"^(?P<file>.+):(?P<line>\d+): warning: Skipping f-string with substitutions")


def fstring_arguments(path: Path) -> set[int]:
    """Lines where an f-string starts inside a `_()` call's parameter values, not as its msgid.

    `_("Read as {read}.", read=f"{local:%H:%M}")` is correct: the f-string fills a placeholder.
    Babel cannot tell a parameter from the message and warns about every f-string in the call."""
    lines: set[int] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_":
            values = [*node.args[1:], *(keyword.value for keyword in node.keywords)]
            lines |= {inner.lineno for value in values for inner in ast.walk(value) if isinstance(inner, ast.JoinedStr)}
    return lines


def forward_warnings(text: str) -> None:
    """Pass Babel's warnings on to stderr, except those about f-strings that are parameter values."""
    for line in text.splitlines():
        match = _SKIPPED_FSTRING.match(line)
        if match and int(match["line"]) in fstring_arguments(Path(match["file"])):
            continue
        print(line, file=sys.stderr)


def extract(sources: list[Path]) -> dict[str, str]:
    """msgid -> first location, for every `_()` call in the sources."""
    found: dict[str, str] = {}
    for source in sources:
        # Babel writes its warnings straight to sys.stderr: catch them to drop the spurious ones.
        warnings = io.StringIO()
        with redirect_stderr(warnings):
            messages = list(extract_from_dir(str(source), method_map=[("**.py", "python")], keywords={"_": None}))
        forward_warnings(warnings.getvalue())
        for filename, lineno, message, _comments, _context in messages:
            if isinstance(message, str) and message:
                found.setdefault(message, f"{source.relative_to(ROOT)}/{filename}:{lineno}")
    return found


def compare(messages: dict[str, str], catalog: Catalog) -> tuple[list[str], list[str]]:
    """(missing, stale): msgids without a translation, and catalog entries no code uses any more."""
    missing = [m for m in messages if not (catalog.get(m) and catalog.get(m).string)]
    stale = [m.id for m in catalog if m.id and m.id not in messages]
    return missing, stale


def update(catalog: Catalog, messages: dict[str, str], stale: list[str]) -> bool:
    """Add the new msgids (untranslated) and drop the stale ones; True when the catalog changed."""
    changed = False
    for msgid, where in messages.items():
        if catalog.get(msgid) is None:
            filename, lineno = where.rsplit(":", 1)
            catalog.add(msgid, "", locations=[(filename, int(lineno))])
            changed = True
    for msgid in stale:
        catalog.delete(msgid)
        changed = True
    return changed


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
            missing, stale = compare(messages, catalog)
            for msgid in missing:
                print(f"missing {locale}: {msgid!r} ({messages[msgid]})")
            for msgid in stale:
                print(f"stale {locale}: {msgid!r}")
            problems += len(missing) + len(stale)
            # Only a catalog whose msgids changed is written: the others keep their bytes.
            if not args.check and (update(catalog, messages, stale) or not path.is_file()):
                directory.mkdir(parents=True, exist_ok=True)
                with path.open("wb") as fh:
                    write_po(fh, catalog, width=110, omit_header=False, sort_output=True, include_lineno=False)
    return 1 if problems and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
