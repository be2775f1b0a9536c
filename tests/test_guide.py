"""docs/writing-a-plugin.md cannot rot: every code block it introduces with a file's path (the last
line before the block names it in backticks and ends with a colon, e.g. "In `plugins/example/plugin.py`:") must appear,
line for line, in that file; and every file of the reference plugin is shown at least once."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "writing-a-plugin.md"
_FENCE = re.compile(r"^```(\S*)\s*$")
_PATH = re.compile(r"`((?:plugins|bot|tests|migrations)/[\w/.-]+\.(?:py|sql|po))`")


def file_blocks(text: str) -> list[tuple[str, int, str]]:
    """(path, line number, block) for each fenced block whose lead line names a file of the repo."""
    found: list[tuple[str, int, str]] = []
    lines = text.splitlines()
    lead = ""
    i = 0
    while i < len(lines):
        if _FENCE.match(lines[i]):
            start = i
            i += 1
            while i < len(lines) and lines[i].rstrip() != "```":
                i += 1
            paths = _PATH.findall(lead) if lead.rstrip().endswith(":") else []
            if paths:
                found.append((paths[-1], start + 1, "\n".join(lines[start + 1 : i])))
            lead = ""
        elif lines[i].strip():
            lead = lines[i]
        i += 1
    return found


def _normal(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.splitlines())


def test_every_file_block_of_the_guide_is_in_its_file() -> None:
    blocks = file_blocks(GUIDE.read_text(encoding="utf-8"))
    assert len(blocks) >= 12, "the guide should show the reference plugin's code"
    stale = []
    for path, line, block in blocks:
        target = ROOT / path
        if not target.is_file():
            stale.append(f"line {line}: {path} does not exist")
        elif _normal(block) not in _normal(target.read_text(encoding="utf-8")):
            stale.append(f"line {line}: this block is no longer in {path}; copy the file's code into the guide")
    assert stale == []


def test_every_file_of_the_reference_plugin_is_shown() -> None:
    shown = {path for path, _line, _block in file_blocks(GUIDE.read_text(encoding="utf-8"))}
    plugin = {str(p.relative_to(ROOT)) for p in (ROOT / "plugins" / "example").rglob("*") if p.suffix in (".py", ".po")}
    expected = plugin | {"migrations/example/0001_polls.sql", "tests/example/test_poll.py"}
    assert expected - shown == set()


def test_the_lead_line_rule_reads_paths() -> None:
    text = "In `plugins/example/plugin.py`:\n\n```python\nx = 1\n```\n\nNo file here:\n\n```text\ny\n```\n"
    text += "Not a lead line: `bot/app.py` builds.\n\n```text\nz\n```\n"
    assert file_blocks(text) == [("plugins/example/plugin.py", 3, "x = 1")]
