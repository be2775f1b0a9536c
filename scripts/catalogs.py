"""Keep the gettext catalogs in step with the code.

`python scripts/catalogs.py` extracts every `_("...")`, `n_("...", "...", n)` and `term("...", context)`
from bot/ and plugins/ with Babel, and every parameter name (msgctxt "parameter") and choice value
(msgctxt "choice") the plugins declare, and adds the missing entries (untranslated) to the right
`fr.po`: bot/ and plugins/core/ go to bot/locales/fr.po, every other plugin to
plugins/<name>/locales/fr.po. French entries are also set in French typography (`bot.typography`).
`--check` only reports what is missing, stale or badly typeset (the test suite runs the same check).
A catalog is rewritten only when an entry changed, so an unchanged catalog keeps its bytes and its
modification time.
"""

from __future__ import annotations

import argparse
import ast
import io
import re
import sys
from collections.abc import Iterator
from contextlib import redirect_stderr
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ("fr",)
KEYWORDS = {"_": None, "n_": (1, 2), "term": (1, (2, "c"))}
sys.path.insert(0, str(ROOT))  # the declarations are read from the plugins of this checkout


@dataclass(frozen=True)
class Entry:
    """One message to translate: its msgid (two for a counted message), context and first location."""

    msgid: str | tuple[str, str]
    context: str | None
    where: str

    @property
    def key(self) -> tuple[str, str | None]:
        """How the catalog finds it: singular msgid and context."""
        return (self.msgid if isinstance(self.msgid, str) else self.msgid[0], self.context)


def domains() -> Iterator[tuple[Path, list[Path], str]]:
    """(catalog directory, source directories, plugin whose declarations it translates) triples."""
    yield ROOT / "bot" / "locales", [ROOT / "bot", ROOT / "plugins" / "core"], "core"
    for plugin in sorted((ROOT / "plugins").iterdir()):
        if plugin.is_dir() and plugin.name not in ("core", "__pycache__"):
            yield plugin / "locales", [plugin], plugin.name


def declared_words(plugin: str) -> Iterator[Entry]:
    """The parameter names and choice values a plugin's commands declare: members type them."""
    from bot.registry import declared_commands

    where = f"plugins/{plugin}/plugin.py:1"
    for decl in declared_commands([plugin]):
        for param in decl.params:
            yield Entry(param.name, "parameter", where)
            for option in param.choices:
                yield Entry(option.value, "choice", where)


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


def extract(sources: list[Path], plugin: str) -> dict[tuple[str, str | None], Entry]:
    """(msgid, context) -> entry, for every marked string in the sources and every declared word."""
    found: dict[tuple[str, str | None], Entry] = {}
    for source in sources:
        # Babel writes its warnings straight to sys.stderr: catch them to drop the spurious ones.
        warnings = io.StringIO()
        with redirect_stderr(warnings):
            messages = list(extract_from_dir(str(source), method_map=[("**.py", "python")], keywords=KEYWORDS))
        forward_warnings(warnings.getvalue())
        for filename, lineno, message, _comments, context in messages:
            if isinstance(message, tuple) and not all(message):
                continue
            if message:
                msgid = message if isinstance(message, str) else (message[0], message[1])
                entry = Entry(msgid, context, f"{source.relative_to(ROOT)}/{filename}:{lineno}")
                found.setdefault(entry.key, entry)
    if (ROOT / "plugins" / plugin / "plugin.py").is_file():
        for entry in declared_words(plugin):
            found.setdefault(entry.key, entry)
    return found


def _translated(message: object) -> bool:
    string = getattr(message, "string", None)
    return bool(string) and (isinstance(string, str) or all(string))  # type: ignore[arg-type]


def compare(
    messages: dict[tuple[str, str | None], Entry], catalog: Catalog
) -> tuple[list[Entry], list[tuple[str, str | None]]]:
    """(missing, stale): entries without a translation, and catalog entries no code uses any more.

    A message that became counted (or stopped being counted) is stale in its old shape."""
    missing = [e for key, e in messages.items() if not _translated(catalog.get(key[0], context=key[1]))]
    stale = []
    for message in catalog:
        if not message.id:
            continue
        key = (message.id if isinstance(message.id, str) else message.id[0], message.context)
        wanted = messages.get(key)
        if wanted is None or isinstance(wanted.msgid, str) != isinstance(message.id, str):
            stale.append(key)
    return missing, stale


def update(
    catalog: Catalog, messages: dict[tuple[str, str | None], Entry], stale: list[tuple[str, str | None]]
) -> bool:
    """Add the new entries (untranslated) and drop the stale ones; True when the catalog changed."""
    changed = False
    for msgid, context in stale:
        catalog.delete(msgid, context=context)
        changed = True
    for (msgid, context), entry in messages.items():
        if catalog.get(msgid, context=context) is None:
            filename, lineno = entry.where.rsplit(":", 1)
            empty: str | tuple[str, str] = "" if isinstance(entry.msgid, str) else ("", "")
            catalog.add(entry.msgid, empty, locations=[(filename, int(lineno))], context=context)
            changed = True
    return changed


def typeset(catalog: Catalog) -> list[tuple[str, str | None]]:
    """Apply the French typography rule to every translation; the entries it changed."""
    from bot.typography import french

    changed = []
    for message in catalog:
        if not message.id or not message.string:
            continue
        fixed = french(message.string) if isinstance(message.string, str) else tuple(map(french, message.string))
        if fixed != message.string:
            message.string = fixed
            changed.append((message.id if isinstance(message.id, str) else message.id[0], message.context))
    return changed


def shown(key: tuple[str, str | None]) -> str:
    """An entry as the report names it: `'msgid'` or `'msgid' (context)`."""
    return repr(key[0]) + (f" ({key[1]})" if key[1] else "")


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
    for directory, sources, plugin in domains():
        if args.only and directory.resolve() != (ROOT / args.only).resolve():
            continue
        messages = extract(sources, plugin)
        if not messages:
            continue
        for locale in LOCALES:
            path = directory / f"{locale}.po"
            catalog = load(path, locale)
            missing, stale = compare(messages, catalog)
            for entry in missing:
                print(f"missing {locale}: {shown(entry.key)} ({entry.where})")
            for key in stale:
                print(f"stale {locale}: {shown(key)}")
            typeset_keys = typeset(catalog) if locale == "fr" else []
            for key in typeset_keys:
                print(f"typography {locale}: {shown(key)}")
            problems += len(missing) + len(stale) + len(typeset_keys)
            # Only a catalog whose entries changed is written: the others keep their bytes.
            changed = update(catalog, messages, stale) or bool(typeset_keys) or not path.is_file()
            if not args.check and changed:
                directory.mkdir(parents=True, exist_ok=True)
                with path.open("wb") as fh:
                    write_po(fh, catalog, width=110, omit_header=False, sort_output=True, include_lineno=False)
    return 1 if problems and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
