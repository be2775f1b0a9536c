"""Rebuild the question evaluation sets (data/<lang>.<split>.tsv) from snapshots of public corpora.

Not run in CI: it needs the corpora's git snapshots under $QUESTIONS_MIRROR (default /work/.mirror,
one bare git directory per repository, `<owner>+<name>/repo`), read at the pinned commits in
SNAPSHOTS with `git show`, so the output is byte-for-byte reproducible. Every mapping from a corpus
label to "a question the bot should track" (1) or not (0), every filter and every sampling step is
here and in benchmarks/README.md ("Question evaluation sets"); the counts per source, category,
label and split are written to data/counts.md.

    python -m benchmarks.questions.build [--mirror DIR] [--out DIR]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Snapshot:
    """A public GitHub repository at a pinned commit."""

    repo: str
    commit: str


SNAPSHOTS: dict[str, Snapshot] = {
    "swda": Snapshot("NathanDuran/Switchboard-Corpus", "2aec5da98f15808d578c83328b871907b9d31f05"),
    "dailydialog": Snapshot("snakeztc/NeuralDialog-LAED", "746a4834a1b5566011ccc0c40f45c8deaf0e3c67"),
    "fib": Snapshot("Valentin-D-Richard/UD_French-FIB", "91ccf259e428a16ef3f4bbfa9901dd2c526fb1ff"),
    "gsd": Snapshot("UniversalDependencies/UD_French-GSD", "830e2782304af08b3cc1c9250475343e04274d81"),
    "parisstories": Snapshot(
        "UniversalDependencies/UD_French-ParisStories", "c549ab63a3ac2af92ad9e87fff2b4f45742f2d42"
    ),
    "rhapsodie": Snapshot("UniversalDependencies/UD_French-Rhapsodie", "e638b8136977e5ddd9c49ac0b99cc56b7216db33"),
    "miam": Snapshot("eusip/MIAM", "cfd51154604b900f4cbd70d4c1f6214845f7f837"),
    "disrpt": Snapshot("disrpt/sharedtask2023", "944b8c26264be60cd2d07e9ebd3adaf427540872"),
}


@dataclass(frozen=True)
class Row:
    """One labelled message before it is written: `category` (corpus:label) only feeds the counts."""

    lang: str
    split: str
    label: int
    source: str
    text: str
    category: str


class Mirror:
    """Reads files of the pinned snapshots from their bare git directories."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _git_dir(self, snap: Snapshot) -> Path:
        base = self.root / snap.repo.replace("/", "+") / "repo"
        return base / ".git" if (base / ".git").is_dir() else base

    def _git(self, snap: Snapshot, *args: str) -> bytes:
        done = subprocess.run(
            ["git", "--git-dir", str(self._git_dir(snap)), *args],  # noqa: S607 - git from PATH
            check=False,
            capture_output=True,
        )
        if done.returncode:
            # A missing snapshot, or one without the pinned commit, must stop the build: a silently
            # different corpus would change the sets under everyone's figures.
            raise SystemExit(
                f"cannot read {snap.repo} at {snap.commit} under {self.root}: "
                f"{done.stderr.decode('utf-8', 'replace').strip()}"
            )
        return done.stdout

    def read(self, name: str, path: str) -> str:
        """The text of `path` in snapshot `name` at its pinned commit."""
        snap = SNAPSHOTS[name]
        return self._git(snap, "show", f"{snap.commit}:{path}").decode("utf-8")

    def listing(self, name: str, prefix: str) -> list[str]:
        """The paths under `prefix` in snapshot `name`, sorted."""
        snap = SNAPSHOTS[name]
        out = self._git(snap, "ls-tree", "-r", "--name-only", snap.commit, prefix).decode("utf-8")
        return sorted(line for line in out.splitlines() if line)


# ---------------------------------------------------------------------------------------------- helpers

_SPACES = re.compile(r"\s+")


def clean(text: str) -> str:
    """One line: tabs, newlines and runs of spaces become one space."""
    return _SPACES.sub(" ", text).strip()


def bucket(key: str) -> int:
    """A stable number in [0, 100) for a document key (the split and sampling decisions)."""
    return int(hashlib.sha256(key.encode("utf-8")).hexdigest()[:8], 16) % 100


# ------------------------------------------------------------------------------------ English: SwDA

# SWBD-DAMSL tags (as collapsed by NathanDuran/Switchboard-Corpus) that ask the other person for
# information: yes-no, wh-, open, or-clause (the "or ..." that ends an alternative question), and
# their declarative forms ("so you have kids?"). Every other tag is 0; the question-shaped ones among
# them are the hard negatives: qh rhetorical, bh backchannel in question form ("really?"), br signal
# of non-understanding ("what?", "pardon?"), ^g tag question ("right?").
SWDA_QUESTIONS = frozenset({"qy", "qw", "qo", "qrr", "qy^d", "qw^d"})
# '%' is an uninterpretable or abandoned fragment of speech ("Uh, our,"): transcription, not a message.
SWDA_DROPPED = frozenset({"%"})
# Conversations of the SwDA training list kept (the whole list is 1,115 conversations, ~190,000
# utterances: too big to ship); chosen by hash of the conversation id.
SWDA_TRAIN_CONVERSATIONS = 150
_SWDA_MARKUP = re.compile(r"<[^<>]{0,40}>")  # <laughter>, <noise>, <Children>...
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.!?;:])")


def swda_text(raw: str) -> str:
    """The utterance as transcribed, without the non-speech markup."""
    text = _SWDA_MARKUP.sub(" ", raw)
    text = clean(text)
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    return text.strip(" ,")


def swda(mirror: Mirror) -> Iterator[Row]:
    """SwDA: official training list -> train (sampled), validation and test lists -> heldout."""
    parts = {"train": "swda_data/train/", "val": "swda_data/val/", "test": "swda_data/test/"}
    for part, prefix in parts.items():
        paths = mirror.listing("swda", prefix)
        if part == "train":
            paths = sorted(paths, key=lambda p: (bucket("swda:" + p), p))[:SWDA_TRAIN_CONVERSATIONS]
            paths.sort()
        split = "train" if part == "train" else "heldout"
        for path in paths:
            conv = Path(path).stem
            for line in mirror.read("swda", path).splitlines():
                if not line.strip():
                    continue
                first, last = line.index("|"), line.rindex("|")
                raw, tag = line[first + 1 : last], line[last + 1 :].strip()
                if tag in SWDA_DROPPED:
                    yield Row("en", split, -1, f"swda:{conv}", "", f"swda:{tag}")
                    continue
                text = swda_text(raw)
                if not text:
                    yield Row("en", split, -1, f"swda:{conv}", "", "swda:empty-after-markup")
                    continue
                if "*" in text:
                    # An annotator's note inside the text ("*listen; probably 'fiscal'", "*typo tying",
                    # "*why no slash?"): no safe way to cut it out, so the utterance is left out.
                    yield Row("en", split, -1, f"swda:{conv}", "", "swda:annotator-note")
                    continue
                yield Row("en", split, int(tag in SWDA_QUESTIONS), f"swda:{conv}", text, f"swda:{tag}")


# ----------------------------------------------------------------------------- English: DailyDialog

# DailyDialog acts: 1 inform, 2 question, 3 directive, 4 commissive, one per turn. A turn labelled
# 2 is a question (1). A turn labelled inform/directive/commissive that contains a "?" is EXCLUDED:
# most are requests or offers phrased as questions ("Could you tell me the exchange rate?", "Can I
# borrow five bucks?") that the bot should track, but the corpus does not say which, and relabelling
# them by their "?" would label by the detector's own cue. The clean question-shaped hard negatives
# come from SwDA instead. Other turns are 0.
_DD_ACTS = {"1": "inform", "2": "question", "3": "directive", "4": "commissive"}
_DD_APOSTROPHE = re.compile(r"(\w) ?([’']) ?(s|t|ll|re|ve|m|d|clock|am)\b", re.IGNORECASE)
_DD_SPACE_AFTER_OPEN = re.compile(r"([(\[]) ")
_DD_SPACE_BEFORE_CLOSE = re.compile(r" ([)\]%])")


def dailydialog_text(raw: str) -> str:
    """The turn with the corpus's tokenisation undone ("I ’ ll go ." -> "I’ll go.")."""
    text = clean(raw)
    text = _DD_APOSTROPHE.sub(r"\1\2\3", text)
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    text = _DD_SPACE_AFTER_OPEN.sub(r"\1", text)
    return _DD_SPACE_BEFORE_CLOSE.sub(r"\1", text)


def dailydialog(mirror: Mirror) -> Iterator[Row]:
    """DailyDialog: the official validation dialogues -> train, test dialogues -> heldout (the
    snapshot lacks the training texts). A test dialogue that repeats a validation dialogue, whole or
    in part (a turn of more than 30 characters in common), is dropped: the corpus has near-duplicate
    dialogues across its splits."""
    seen: set[str] = set()
    train_turns: set[str] = set()
    for part, split in (("validation", "train"), ("test", "heldout")):
        texts = mirror.read("dailydialog", f"data/daily_dialog/{part}/dialogues.txt").splitlines()
        acts = mirror.read("dailydialog", f"data/daily_dialog/{part}/dialogues_act.txt").splitlines()
        for number, (dialogue, act_line) in enumerate(zip(texts, acts, strict=True), start=1):
            source = f"dailydialog:{part}-{number}"
            key = clean(dialogue).lower()
            if key in seen:
                yield Row("en", split, -1, source, "", "dailydialog:duplicate-dialogue")
                continue
            seen.add(key)
            turns = list(dialogue.split("__eou__"))
            if turns and not turns[-1].strip():
                turns.pop()
            labels = act_line.split()
            if len(turns) != len(labels):
                yield Row("en", split, -1, source, "", "dailydialog:misaligned-dialogue")
                continue
            rows: list[Row] = []
            for turn, act in zip(turns, labels, strict=True):
                name = _DD_ACTS[act]
                text = dailydialog_text(turn)
                if not text:
                    continue
                if act != "2" and "?" in text:
                    rows.append(Row("en", split, -1, source, "", f"dailydialog:{name}-with-?"))
                    continue
                rows.append(Row("en", split, int(act == "2"), source, text, f"dailydialog:{name}"))
            yield from _unless_repeating(rows, split, train_turns, "dailydialog")


def _unless_repeating(rows: list[Row], split: str, train_texts: set[str], corpus: str) -> Iterator[Row]:
    """A train dialogue's rows (remembering its long messages), or a heldout dialogue's rows unless one
    of its messages longer than 30 characters is also in a train dialogue (then it is left out)."""
    long_texts = {row.text for row in rows if len(row.text) > 30}
    if split == "train":
        train_texts.update(long_texts)
        yield from rows
    elif long_texts & train_texts:
        for row in rows:
            dropped = f"{corpus}:heldout-dialogue-repeats-train"
            yield row if row.label < 0 else Row(row.lang, split, -1, row.source, "", dropped)
    else:
        yield from rows


# ------------------------------------------------------------------------------------ English: STAC

# STAC (Settlers of Catan players chatting online), in the DISRPT 2023 release: one CoNLL-U sentence
# per chat turn (speaker, text), discourse units (EDUs) marked BeginSeg=Yes, and SDRT relations between
# units in the .rels files. The release has no dialogue-act column, so a turn is a question (1) when
# one of its units is the question side of a question relation: the first unit of a
# Question_answer_pair (a question someone answered), the second unit of a Clarification_question or
# a Q_Elab (a question asked about the previous unit). A turn with a "?" that is in no question
# relation is LEFT OUT: mostly questions nobody answered ("does anyone have a wheat ?", "any takers ?"),
# which the relations cannot mark. Other turns are 0.
_STAC_QUESTION_FIRST = frozenset({"Question_answer_pair"})
_STAC_QUESTION_SECOND = frozenset({"Clarification_question", "Q_Elab"})
_PTB_NOT = re.compile(r"(\w) (n't)\b", re.IGNORECASE)
_PTB_CLITIC = re.compile(r"(\w) ('(?:s|m|re|ve|ll|d))\b", re.IGNORECASE)
_PUNCT_RUN = re.compile(r"([!?.,]) (?=[!?.])")


def stac_text(raw: str) -> str:
    """The turn with the release's tokenisation undone ("I 'm" -> "I'm", "ca n't" -> "can't", "ok ?" -> "ok?")."""
    text = clean(raw)
    text = _PTB_NOT.sub(r"\1\2", text)
    text = _PTB_CLITIC.sub(r"\1\2", text)
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    return _PUNCT_RUN.sub(r"\1", text)


def _token_span(field: str) -> set[int]:
    """Token numbers of a .rels unit ("12-17", "4", or "3-5,9-10")."""
    numbers: set[int] = set()
    for part in field.split(","):
        first, _, last = part.partition("-")
        numbers.update(range(int(first), int(last or first) + 1))
    return numbers


def stac(mirror: Mirror) -> Iterator[Row]:
    """STAC: the DISRPT train games -> train, dev and test games -> heldout."""
    for part, split in (("train", "train"), ("dev", "heldout"), ("test", "heldout")):
        base = f"data/eng.sdrt.stac/eng.sdrt.stac_{part}"
        questions: dict[str, set[int]] = {}
        lines = mirror.read("disrpt", base + ".rels").splitlines()
        for line in lines[1:]:
            fields = line.split("\t")
            doc, unit1, unit2, direction, relation = fields[0], fields[1], fields[2], fields[9], fields[11]
            forward = direction == "1>2"
            if relation in _STAC_QUESTION_FIRST:
                questions.setdefault(doc, set()).update(_token_span(unit1 if forward else unit2))
            elif relation in _STAC_QUESTION_SECOND:
                questions.setdefault(doc, set()).update(_token_span(unit2 if forward else unit1))
        doc = ""
        position = 0
        for block in mirror.read("disrpt", base + ".conllu").split("\n\n"):
            text = ""
            count = 0
            for line in block.splitlines():
                if line.startswith("# newdoc_id"):
                    doc = line.split("=", 1)[1].strip()
                    position = 0
                elif line.startswith("# text ="):
                    text = line.split("=", 1)[1].strip()
                elif line and line.split("\t", 1)[0].isdigit():
                    count += 1
            if not count:
                continue
            tokens = range(position + 1, position + count + 1)
            position += count
            asked = any(t in questions.get(doc, ()) for t in tokens)
            message = stac_text(text)
            if not message:
                continue
            if asked:
                yield Row("en", split, 1, f"stac:{doc}", message, "stac:question-relation")
            elif "?" in message:
                yield Row("en", split, -1, f"stac:{doc}", "", "stac:?-in-no-question-relation")
            else:
                yield Row("en", split, 0, f"stac:{doc}", message, "stac:other")


# ---------------------------------------------------------------------------------- Italian: iLISTEN

# iLISTEN (in MIAM): Italian conversations about diet between people and an embodied agent, typed
# ("T_" sessions) or spoken and transcribed ("S_" sessions). Only the people's turns are kept: the
# agent's lines are scripted and repeated word for word across sessions. INFO-REQUEST (the person asks
# for information, "vorrei sapere che cosa si intende per equilibrio alimentare") is 1.
# SOLICITATION-REQ_CLARIFICATION mixes real questions ("si, ma in che modo?") with signals of
# non-understanding ("Cioè?", "non ho capito ripeti perfavore"), which SwDA's br makes 0: LEFT OUT as
# ambiguous. Other acts (STATEMENT, GENERIC-ANSWER, AGREE, REJECT, KIND-ATTITUDE_SMALL-TALK, OPENING,
# CLOSING) are 0, except their turns that contain a "?" ("Sei sincera?", small talk asked as a
# question), LEFT OUT as for DailyDialog: the scheme labels function, not form.
_ILISTEN_QUESTIONS = frozenset({"INFO-REQUEST"})
_ILISTEN_AMBIGUOUS = frozenset({"SOLICITATION-REQ_CLARIFICATION"})
_PERSON_TURN = re.compile(r"^([ST]_\d+)_U\d+$")


def ilisten(mirror: Mirror) -> Iterator[Row]:
    """iLISTEN: MIAM's train sessions -> train, its dev and test sessions -> heldout. A heldout session
    that repeats a train session (a turn of more than 30 characters in common) is dropped."""
    train_turns: set[str] = set()
    for part, split in (("train", "train"), ("dev", "heldout"), ("test", "heldout")):
        sessions: dict[str, list[Row]] = {}
        table = csv.DictReader(io.StringIO(mirror.read("miam", f"ilisten/{part}.csv")))
        for record in table:
            person = _PERSON_TURN.match(record["Speaker"])
            if person is None:
                continue
            act = record["Dialogue_Act"]
            source = f"ilisten:{person.group(1)}"
            rows = sessions.setdefault(source, [])
            text = clean(record["Utterance"])
            if not text:
                continue
            if act in _ILISTEN_QUESTIONS:
                rows.append(Row("it", split, 1, source, text, f"ilisten:{act}"))
            elif act in _ILISTEN_AMBIGUOUS:
                rows.append(Row("it", split, -1, source, "", f"ilisten:{act}"))
            elif "?" in text:
                rows.append(Row("it", split, -1, source, "", f"ilisten:{act}-with-?"))
            else:
                rows.append(Row("it", split, 0, source, text, f"ilisten:{act}"))
        for rows in sessions.values():
            yield from _unless_repeating(rows, split, train_turns, "ilisten")


# ----------------------------------------------------------------------------------- French: UD + FIB


@dataclass(frozen=True)
class Token:
    """One CoNLL-U word: its id, head and relation (the basic tree: FIB's enriched files add `cue:*`
    edges as extra head|relation pairs, kept apart in `cues` as (head, relation)), FEATS and MISC."""

    id: str
    form: str
    upos: str
    head: str
    deprel: str
    features: str
    cues: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Sentence:
    """One CoNLL-U sentence: id, text and its words (multiword ranges and empty nodes left out)."""

    sent_id: str
    text: str
    tokens: tuple[Token, ...]


def conllu(text: str) -> Iterator[Sentence]:
    """The sentences of a CoNLL-U file."""
    for block in text.split("\n\n"):
        sent_id = sent_text = ""
        tokens: list[Token] = []
        for line in block.splitlines():
            if line.startswith("# sent_id ="):
                sent_id = line.split("=", 1)[1].strip()
            elif line.startswith("# text ="):
                sent_text = line.split("=", 1)[1].strip()
            elif line and not line.startswith("#"):
                cols = line.split("\t")
                if len(cols) != 10 or not cols[0].isdigit():
                    continue
                pairs = list(zip(cols[6].split("|"), cols[7].split("|"), strict=False))
                basic = [(h, r) for h, r in pairs if not r.startswith("cue:")] or [("_", "_")]
                cues = tuple((h, r) for h, r in pairs if r.startswith("cue:"))
                features = cols[5] + "|" + cols[9]
                tokens.append(Token(cols[0], cols[1], cols[3], basic[0][0], basic[0][1], features, cues))
        if sent_id and sent_text:
            yield Sentence(sent_id, sent_text, tuple(tokens))


# How a FIB interrogative clause head (ClauseType=Int) hangs in the sentence decides the label:
# - reached from the root only through root/conj/parataxis: a main-clause question -> 1;
# - advcl, in a FAQ-style "context, question" sentence ("Je déménage, vais-je continuer à toucher
#   l'aide ?"): a question when the clause has subject-clitic inversion or "est-ce que" (impossible
#   in a subordinate clause) or the sentence is from FQB (a bank of questions people asked public
#   services); otherwise ("on comprend mieux pourquoi...") embedded -> 0;
# - ccomp, csubj, xcomp, obj, obl, nmod, acl, nsubj, dep, dislocated: an embedded interrogative
#   ("je sais pas pourquoi", "je me demande si...") -> 0 (hard negative);
# - appos: a title or a quoted question ("le film Paris brûle-t-il ?") -> 0;
# - discourse: a set phrase ("n'est-ce pas", "voyez-vous", "comment dire") -> 0;
# - inside a quotation (FIB's Quoted=Yes): someone else's question reported -> 0.
_MAIN_RELATIONS = frozenset({"root", "conj", "parataxis"})


def _has_inversion(sentence: Sentence, head: Token) -> bool:
    """True when the clause headed by `head` is marked by subject-clitic inversion or est-ce que."""
    for tok in sentence.tokens:
        for cue_head, relation in tok.cues:
            if cue_head == head.id and relation == "cue:mark":
                return True
    return False


def fib_label(sentence: Sentence, origin: str) -> str:
    """'main', 'embedded', 'quoted', 'title', 'set-phrase' or 'unannotated' (a head missing in the
    annotation) for a FIB sentence: main when one interrogative clause is a question the writer asks."""
    by_id = {tok.id: tok for tok in sentence.tokens}
    kinds: list[str] = []
    for tok in sentence.tokens:
        if "ClauseType=Int" not in tok.features:
            continue
        current = tok
        kind = "main"
        for _ in range(len(by_id) + 1):
            relation = current.deprel.split(":")[0]
            if "Quoted=Yes" in current.features:
                kind = "quoted"
            elif current.deprel == "_" or current.head == "_":
                kind = "unannotated"
            elif relation == "advcl":
                if current is tok and (_has_inversion(sentence, tok) or origin == "fqb"):
                    current = by_id.get(current.head, current)
                    continue
                kind = "embedded"
            elif relation == "appos":
                kind = "title"
            elif relation == "discourse":
                kind = "set-phrase"
            elif relation not in _MAIN_RELATIONS:
                kind = "embedded"
            elif current.head != "0" and current.head in by_id:
                current = by_id[current.head]
                continue
            break
        kinds.append(kind)
    for kind in ("main", "unannotated", "quoted", "title", "set-phrase", "embedded"):
        if kind in kinds:
            return kind
    return "embedded"


_NON_WORD = re.compile(r"[\W_]+")


def text_key(text: str) -> str:
    """Sentences are matched between FIB and newer UD releases by their letters and digits only."""
    return _NON_WORD.sub("", text.lower())


_TRUNCATION = re.compile(r"~")  # Rhapsodie/ParisStories mark a cut-off word with "~" ("je p~, je pense")
# Share of documents put in the French heldout split.
FR_HELDOUT_PERCENT = 40
# FQB: the TREC-fr trivia questions (1,858, "Qui a écrit ...?") would swamp the set; a hashed
# sample of about this percentage (~240) is kept, with every question of the FAQ-style sources (CLEF03, Impots, CAF,
# INSEE, UNESCO, PoleEmploi: what people ask public services).
FQB_TREC_PERCENT = 13


HAND_FR = Path(__file__).parent / "hand_fr.tsv"


def hand_labels(path: Path = HAND_FR) -> dict[str, tuple[str, str]]:
    """The hand labels of French "?" sentences FIB does not list: text key -> (label, reason)."""
    labels: dict[str, tuple[str, str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            label, reason, _corpus, _sent_id, text = line.split("\t")
            labels[text_key(text)] = (label, reason)
    return labels


def fr_document(origin: str, sent_id: str) -> str:
    """The document a French sentence belongs to (the split unit)."""
    if origin == "parisstories":
        # ParisStories_2019_cuisineApproximative_12 (UD 2.17) / ParisStories_ParisStories_2022_6_x__42 (FIB)
        match = re.search(r"(20\d\d)_(?:\d+_)?([^_]+)", sent_id)
        return f"parisstories:{match.group(1)}_{match.group(2)}" if match else f"parisstories:{sent_id}"
    if origin == "rhapsodie":
        match = re.search(r"Rhap_([DM]\d{4})", sent_id)
        return f"rhapsodie:{match.group(1)}" if match else f"rhapsodie:{sent_id}"
    if origin == "sequoia":
        # annodis.er_00012, Europar.550_00003, frwiki_50.1000_00001, emea-fr-test_00538
        return "sequoia:" + re.sub(r"_\d+$", "", sent_id.removeprefix("Sequoia_"))
    if origin == "pud":
        return "pud:" + sent_id.removeprefix("PUD_")[:6]
    # GSD and FQB sentences are independent (no document ids in the releases): one per document.
    return f"{origin}:{sent_id}"


def french(mirror: Mirror) -> Iterator[Row]:
    """French: every sentence of GSD dev+test, ParisStories and Rhapsodie (labels from FIB, matched by
    text; a sentence FIB does not list is not interrogative: 0), plus the FIB sentences of the other
    source corpora (Sequoia, PUD, GSD train: their non-interrogative sentences are not shipped here)
    and a sample of FQB."""
    fib: dict[str, tuple[str, Sentence]] = {}
    for part in ("train", "dev", "test"):
        enriched = mirror.read("fib", f"fr_fib-ud-{part}_enriched.conll")
        for sent in conllu(enriched):
            prefix = sent.sent_id.split("_", 1)[0]
            fib[text_key(sent.text)] = (fib_label(sent, prefix.lower()), sent)
    used: set[str] = set()
    hand = hand_labels()

    def emit(origin: str, sent_id: str, raw: str, fib_kind: str | None) -> Row:
        doc = fr_document(origin, sent_id)
        split = "heldout" if bucket(doc) < FR_HELDOUT_PERCENT else "train"
        text = clean(_TRUNCATION.sub("", raw))
        if fib_kind is None:
            if "?" in text:
                # FIB follows Coveney's typology, which has no intonation-only yes-no question ("tu
                # viens ?"): a "?" sentence FIB does not list may be one, or a tag ("tu vois, non ?"),
                # a reaction ("ah bon ?") or a reported question. These were labelled by hand
                # (hand_fr.tsv, with the reading of each); one missing there is left out.
                label, reason = hand.get(text_key(raw), ("x", "not-labelled"))
                if label == "x":
                    return Row("fr", split, -1, doc, "", f"{origin}:hand-{reason}")
                return Row("fr", split, int(label), doc, text, f"{origin}:hand-{reason}")
            return Row("fr", split, 0, doc, text, f"{origin}:not-interrogative")
        if origin == "fqb":
            # The French Question Bank is a bank of questions people asked (TREC, CLEF and the FAQs of
            # public services): each item is a question, whatever its syntax ("Je voudrais savoir si
            # je peux ... ?", "Dites-moi près de quelle ville ...").
            return Row("fr", split, 1, doc, text, "fqb:question-bank")
        if fib_kind == "unannotated":
            return Row("fr", split, -1, doc, "", f"{origin}:fib-unannotated-head")
        return Row("fr", split, int(fib_kind == "main"), doc, text, f"{origin}:fib-{fib_kind}")

    ud_files = {
        "gsd": ("fr_gsd-ud-dev.conllu", "fr_gsd-ud-test.conllu"),
        "parisstories": tuple(f"fr_parisstories-ud-{p}.conllu" for p in ("train", "dev", "test")),
        "rhapsodie": tuple(f"fr_rhapsodie-ud-{p}.conllu" for p in ("train", "dev", "test")),
    }
    for origin, files in ud_files.items():
        for name in files:
            for sent in conllu(mirror.read(origin, name)):
                key = text_key(sent.text)
                if not key or key in used:
                    continue
                used.add(key)
                found = fib.get(key)
                yield emit(origin, sent.sent_id, sent.text, found[0] if found else None)
    fib_origins = {"GSD": "gsd", "Sequoia": "sequoia", "PUD": "pud", "FQB": "fqb"}
    for key, (kind, sent) in sorted(fib.items(), key=lambda item: item[1][1].sent_id):
        if key in used:
            continue
        prefix = sent.sent_id.split("_", 1)[0]
        found_origin = fib_origins.get(prefix)
        if found_origin is None:
            # ParTUT (CC BY-NC-SA, 39 sentences) left out; ParisStories/Rhapsodie sentences FIB has
            # from an older UD release and that the current one no longer has are left out too.
            yield Row("fr", "none", -1, f"fib:{sent.sent_id}", "", f"fib-{prefix.lower()}:not-used")
            continue
        origin = found_origin
        sent_id = sent.sent_id.split("_", 1)[1]
        if origin == "fqb" and sent_id.startswith("FQB_TREC-fr") and bucket(sent_id) >= FQB_TREC_PERCENT:
            yield Row("fr", "none", -1, f"fqb:{sent_id}", "", "fqb:trec-not-sampled")
            continue
        used.add(key)
        yield emit(origin, sent_id, sent.text, kind)


# ------------------------------------------------------------------------------------------ writing


def write(rows: Iterable[Row], out: Path) -> Counter[tuple[str, str, str, int]]:
    """Writes data/<lang>.<split>.tsv (sorted by source, then corpus order) and returns the counts
    per (lang, split, category, label); label -1 counts what was left out."""
    counts: Counter[tuple[str, str, str, int]] = Counter()
    files: dict[tuple[str, str], list[Row]] = {}
    for row in rows:
        counts[(row.lang, row.split, row.category, row.label)] += 1
        if row.label >= 0:
            files.setdefault((row.lang, row.split), []).append(row)
    out.mkdir(parents=True, exist_ok=True)
    for (lang, split), kept in sorted(files.items()):
        lines = (f"{row.label}\t{row.source}\t{clean(row.text)}\n" for row in kept)
        (out / f"{lang}.{split}.tsv").write_text("".join(lines), encoding="utf-8")
    return counts


def counts_markdown(counts: Counter[tuple[str, str, str, int]]) -> str:
    """The counts table of data/counts.md."""
    lines = [
        "# Counts (written by build.py)",
        "",
        "Per language and split: messages per corpus category and label (1 question, 0 not);",
        "'left out' counts what a filter removed (see benchmarks/README.md).",
        "",
    ]
    for lang in sorted({k[0] for k in counts}):
        lines += [f"## {lang}", "", "| category | split | 1 | 0 | left out |", "| --- | --- | --- | --- | --- |"]
        cats = sorted({(k[2], k[1]) for k in counts if k[0] == lang})
        for cat, split in cats:
            q = counts[(lang, split, cat, 1)]
            n = counts[(lang, split, cat, 0)]
            left = counts[(lang, split, cat, -1)]
            lines.append(f"| {cat} | {split} | {q} | {n} | {left} |")
        for split in ("train", "heldout"):
            q = sum(v for k, v in counts.items() if k[0] == lang and k[1] == split and k[3] == 1)
            n = sum(v for k, v in counts.items() if k[0] == lang and k[1] == split and k[3] == 0)
            if q + n:
                lines.append(f"| **total** | {split} | {q} | {n} | {q / (q + n):.1%} questions |")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Rebuilds every data file and data/counts.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--mirror", type=Path, default=Path(os.environ.get("QUESTIONS_MIRROR", "/work/.mirror")))
    parser.add_argument("--out", type=Path, default=DATA)
    args = parser.parse_args(argv)
    mirror = Mirror(args.mirror)

    def everything() -> Iterator[Row]:
        yield from swda(mirror)
        yield from dailydialog(mirror)
        yield from stac(mirror)
        yield from ilisten(mirror)
        yield from french(mirror)

    counts = write(everything(), args.out)
    (args.out / "counts.md").write_text(counts_markdown(counts), encoding="utf-8")
    sys.stdout.write(counts_markdown(counts))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
