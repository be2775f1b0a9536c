"""A hostile member and a hostile moderator against the events plugin, through the real app: text that would
ping or disguise a link wherever an event shows (card, /event info, list, mine, reminders), links that are
not what they look like, dates and rules built to stall the loop or overflow, rights across groups, and
capacity games with the waitlist.

Each attack runs under its own stall watch (`stall`), so the run prints the worst loop stall per attack
(`pytest -s`); the suite's guard still fails any test whose loop stalls longer than its limit."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.formatting import LocalReply, to_discord, to_slack
from bot.loopwatch import watching
from bot.markup import Link, pieces
from bot.model import Level
from bot.plugin import CommandError
from bot.when.ical import IcsEvent, build_ics
from plugins.events import inputs
from tests.events.helpers import GROUP, OWNER, cards, create, event_id, events_app, make_group, plan, rows, shown

# Discord text that would ping or mask a link once rendered: an @everyone/@here or `<@` with nothing
# between, or a `](` right after a label.
LIVE_DISCORD = re.compile(r"@(everyone|here)|<@(?!\u200b)|\](?=\()", re.IGNORECASE)
# Slack's live forms: `<!here>`, `<@U1>`, `<url|label>`.
LIVE_SLACK = re.compile(r"<[!@#]|<https?://")
# Bidirectional overrides, embeddings and isolates, and control characters (but newline).
GARBLING = re.compile(r"[\u202a-\u202e\u2066-\u2069\x00-\x09\x0b-\x1f\x7f]")
HOSTILE = "@everyone <@123> <@&9> <!here> [Pay here](https://evil.example) \u202egpj.exe\u202c \u200bhidden\x1b[2J"


@contextmanager
def stall(name: str) -> Iterator[None]:
    """Print the worst loop stall of one attack (the figures of the report)."""
    with watching() as watch:
        yield
    print(f"\nSTALL {name}: {watch.worst_seconds * 1000:.0f} ms")


def texts(reply: LocalReply) -> list[str]:
    """Every string a reply shows."""
    found = [reply.text]
    if reply.card is not None:
        found.append(reply.card.title)
        found += [reply.card.description or ""]
        found += [f.name for f in reply.card.fields] + [f.value for f in reply.card.fields]
    return found


def assert_inert(reply: LocalReply) -> None:
    """Nothing a member wrote pings, masks a link or garbles the line, on Discord or Slack: the plain runs
    render inert, and the bot's own links are labelled by their own address (never by member text)."""
    for text in texts(reply):
        for piece in pieces(text):
            if isinstance(piece, Link):
                assert piece.url.startswith("https://") and "evil" not in piece.label, piece
                continue
            assert isinstance(piece, str), piece  # no mention the bot chose to make here
            assert not LIVE_DISCORD.search(to_discord(piece)), to_discord(piece)
            assert not LIVE_SLACK.search(to_slack(piece)), to_slack(piece)
            assert not GARBLING.search(piece), repr(piece)


# ------------------------------------------------------------------ text


async def test_hostile_text_is_inert_on_the_card_info_list_mine_and_reminders(tmp_path: Path) -> None:
    description = (HOSTILE + "\n**bold** _x_ `code`\n") * 20
    description = description[:1500]
    async with events_app(tmp_path) as h:
        with stall("hostile text: create, card, info, list, mine, reminders"):
            reply = await create(
                h,
                f'/event create "{GROUP}" "{HOSTILE}" "2026-12-01 19:00" address:"{HOSTILE}" '
                f"capacity:5 description:{description}",
            )
            number = event_id(reply)
            assert_inert(reply)
            [card] = cards(h)
            assert_inert(card.reply)
            assert "@everyone" in card.text  # still shown, as text
            going = await h.command("bob", f"/event rsvp {number} going")
            assert_inert(going)
            for line in (f"/event info {number}", "/event list", f'/event list group:"{GROUP}"', "/event mine"):
                assert_inert(await h.command("bob", line))
            for line in (f"/event ics {number}", "/event ics"):
                ics = await h.command("bob", line)
                assert_inert(ics)
                content = ics.attachments[0].content.decode()
                lines = content.replace("\r\n ", "").split("\r\n")
                assert not [ln for ln in lines if ln.startswith(("ATTENDEE", "ORGANIZER", "BEGIN:VALARM"))]
                assert "\u202e" not in content and "\x1b" not in content
            await h.command(OWNER, f'/event edit {number} title:"{HOSTILE} 2"')
            before = len(h.sent)
            await h.advance(days=15)  # past both reminders (1 day and 1 hour before 1 December)
            dms = h.sent[before:]
            assert dms, "no reminder or change notice was sent"
            for sent in dms:
                assert_inert(sent.reply)


async def test_a_title_of_invisible_characters_only_is_refused(tmp_path: Path) -> None:
    async with events_app(tmp_path) as h:
        reply = await h.command(OWNER, f'/event create "{GROUP}" "\u200b\u202e\u2066" "2026-12-01 19:00"')
        assert "cannot be empty" in reply.text, reply.text
        assert await rows(h, "SELECT id FROM events") == []


# ------------------------------------------------------------------ links


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "JaVaScRiPt://x.example/%0Aalert(1)",
        "http://user:pass@bank.example/",
        "https://bank.example\\@evil.example/",
        "https://evil.example\\.bank.example/",
        "https://bank.example /evil",
        "https://example.org/\u202egpj.exe",
        "https://" + "a" * 2000 + ".example/",
        "data:text/html,<script>",
    ],
)
async def test_links_that_are_not_what_they_look_like_are_refused(tmp_path: Path, link: str) -> None:
    async with events_app(tmp_path) as h:
        with stall(f"link {link[:30]!r}"):
            reply = await h.command(OWNER, f'/event create "{GROUP}" "Apéro" "2026-12-01 19:00" link:"{link}"')
        assert "#" not in reply.text or "planned" not in reply.text, reply.text
        assert await rows(h, "SELECT id FROM events") == []


async def test_an_idn_homograph_shows_its_real_host(tmp_path: Path) -> None:
    # A Cyrillic "а" in "pаypal": the card must not show a host that reads as paypal.example.
    async with events_app(tmp_path) as h:
        number = await plan(h, f'/event create "{GROUP}" "Apéro" "2026-12-01 19:00" link:https://p\u0430ypal.example/x')
        [card] = cards(h)
        assert "p\u0430ypal" not in card.text and "xn--" in card.text, card.text
        [(url,)] = await rows(h, "SELECT online_url FROM events WHERE id = ?", (number,))
        assert url.startswith("https://xn--"), url


# ------------------------------------------------------------------ dates and rules


@pytest.mark.parametrize(
    ("repeat", "refused"),
    [
        ("every day for 10000 years", None),
        ("FREQ=SECONDLY", True),
        ("FREQ=MINUTELY;INTERVAL=1", True),
        ("FREQ=DAILY;COUNT=1000000000", None),
        ("FREQ=DAILY;UNTIL=99991231T235959Z", None),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", True),
        ("FREQ=DAILY;BYSETPOS=" + ",".join(str(i) for i in range(1, 300)), None),
        ("FREQ=YEARLY;INTERVAL=9999", None),
        ("RRULE:FREQ=WEEKLY\r\nATTENDEE:mailto:x@evil.example", True),
        ("x" * 200, True),
    ],
)
async def test_rules_built_to_stall_or_overflow(tmp_path: Path, repeat: str, refused: bool | None) -> None:
    async with events_app(tmp_path) as h:
        with stall(f"repeat {repeat[:40]!r}"):
            reply = await h.command(OWNER, f'/event create "{GROUP}" "Apéro" "2026-12-01 19:00" repeat:"{repeat}"')
        made = await rows(h, "SELECT id, rule FROM events")
        print(f"repeat {repeat[:40]!r}: {shown(reply)[:160]!r} -> {made}")
        if refused:
            assert made == [], shown(reply)
        if made:
            dates = await rows(h, "SELECT COUNT(*) FROM event_occurrences")
            assert dates[0][0] <= 3
            assert "\r" not in made[0][1] and "\n" not in made[0][1] and "ATTENDEE" not in made[0][1].upper()


@pytest.mark.parametrize(
    ("start", "extra", "outcome"),
    [
        ("2027-03-28 02:30", "", "refused"),  # a time that does not exist in Paris (clocks jump 02:00 -> 03:00)
        ("9999-12-31 23:59", "", "refused"),
        ("2036-11-16 19:00", "", "refused"),  # ten years ahead
        ("tomorrow 23:59", "duration:14d", "refused"),
        ("tomorrow 23:59", 'end:"2026-12-01 23:59"', "refused"),
        ("2027-01-05 19:00 America/New_York", "", None),
        ("2027-01-05T19:00:00+09:00", "", None),
        ("0000-01-01 00:00", "", "refused"),
        ("2027-13-45 25:61", "", "refused"),
        ("9" * 100, "", "refused"),
    ],
)
async def test_starts_built_to_overflow(tmp_path: Path, start: str, extra: str, outcome: str | None) -> None:
    async with events_app(tmp_path) as h:
        with stall(f"start {start[:40]!r} {extra}"):
            reply = await h.command(OWNER, f'/event create "{GROUP}" "Apéro" "{start}" {extra}')
        made = await rows(h, "SELECT starts_at, ends_at FROM event_occurrences")
        print(f"start {start!r} {extra}: {shown(reply)[:200]!r} -> {made}")
        if outcome == "refused":
            assert made == [], shown(reply)
        elif outcome == "planned":
            assert len(made) == 1, shown(reply)


async def test_a_zero_width_character_in_a_link_is_dropped_before_it_is_stored(tmp_path: Path) -> None:
    async with events_app(tmp_path) as h:
        number = await plan(h, f'/event create "{GROUP}" "Apéro" "2026-12-01 19:00" link:https://exa\u200bmple.org/')
        assert await rows(h, "SELECT online_url FROM events WHERE id = ?", (number,)) == [("https://example.org/",)]


async def test_an_until_in_year_9999_is_refused_not_a_crash(tmp_path: Path) -> None:
    async with events_app(tmp_path) as h:
        for raw in ("FREQ=DAILY;UNTIL=99991231T235959Z", "FREQ=WEEKLY;UNTIL=99991231"):
            reply = await h.command(OWNER, f'/event create "{GROUP}" "Apéro" "2026-12-01 19:00" repeat:"{raw}"')
            assert "more than 100 years" in reply.text and "UNTIL" in reply.text, reply.text
        number = await plan(h)
        reply = await h.command(OWNER, f'/event edit {number} repeat:"FREQ=DAILY;UNTIL=99991231T235959Z"')
        assert "more than 100 years" in reply.text, reply.text
        fr = await h.command(
            OWNER, f'/event create "{GROUP}" "Apéro" "2026-12-01 19:00" repeat:"FREQ=DAILY;UNTIL=99991231"', locale="fr"
        )
        assert "plus de 100 ans" in fr.text, fr.text
        assert [r[0] for r in await rows(h, "SELECT id FROM events")] == [number]


# ------------------------------------------------------------------ rights

OTHER = "Python Roubaix"
SECRET = "Cercle Secret"


async def test_no_one_organises_an_event_of_a_group_they_do_not_own(tmp_path: Path) -> None:
    async with events_app(tmp_path) as h:
        await make_group(h, OTHER, "Roubaix", "dave")
        number = await plan(h)
        with stall("rights: owner of group B, member, stranger"):
            for who in ("dave", "bob", "eve"):  # owner of another group, member of this one, member of no group
                for line in (
                    f'/event edit {number} title:"Pwned"',
                    f"/event cancel {number}",
                    f'/event next {number} "2027-06-01 19:00"',
                    f'/event create "{GROUP}" "Mine" "2026-12-01 19:00"',
                ):
                    reply = await h.command(who, line)
                    assert "Only the owners of Rust Lille" in reply.text and "alice" in reply.text, (
                        who,
                        line,
                        reply.text,
                    )
        assert await rows(h, "SELECT id, title, status FROM events") == [(number, "Apéro Rust", "scheduled")]
        # dave moves his own event: the group is his, not the one of event #number.
        theirs = await plan(h, f'/event create "{OTHER}" "Py" "2026-12-02 19:00"', who="dave")
        assert theirs != number


async def test_a_cancelled_event_cannot_be_edited_and_a_date_cannot_move_to_the_past(tmp_path: Path) -> None:
    async with events_app(tmp_path) as h:
        number = await plan(h)
        past = await h.command(OWNER, f'/event edit {number} start:"2026-11-01 19:00"')
        assert "in the past" in past.text, past.text
        await h.command("bob", f"/event rsvp {number} going")
        before = len(h.sent)
        with stall("cancel with a hostile reason"):
            await h.command(OWNER, f'/event cancel {number} reason:"{HOSTILE}"')
        told = h.sent[before:]
        assert any("gpj.exe" in t.text for t in told), [t.text for t in told]  # bob hears the reason, inert
        for sent in told:
            assert_inert(sent.reply)
        reply = await h.command(OWNER, f'/event edit {number} title:"Back"')
        assert "is cancelled" in reply.text, reply.text
        again = await h.command(OWNER, f"/event rsvp {number} going")
        assert "cancel" in again.text.lower(), again.text


async def test_an_archived_groups_events_take_no_new_event(tmp_path: Path) -> None:
    async with events_app(tmp_path) as h:
        number = await plan(h)
        archived = await h.command(OWNER, f'/group archive "{GROUP}"')
        print("archive:", archived.text[:200])
        with stall("rights: archived group"):
            created = await h.command(OWNER, f'/event create "{GROUP}" "After" "2026-12-02 19:00"')
            answered = await h.command("bob", f"/event rsvp {number} going")
            listed = await h.command("bob", "/event list")
        print("archived group: create ->", repr(created.text[:160]), "| rsvp ->", repr(answered.text[:160]))
        print("archived group: list ->", repr(listed.text[:300]))
        assert "archived" in created.text, created.text
        edited = await h.command(OWNER, f'/event edit {number} title:"Still here"')
        assert "no longer active" in edited.text, edited.text
        cancelled = await h.command(OWNER, f"/event cancel {number}")
        assert "#" in cancelled.text and await rows(h, "SELECT status FROM events") == [("cancelled",)], cancelled.text


async def test_an_archived_groups_event_takes_no_answer(tmp_path: Path) -> None:
    async with events_app(tmp_path) as h:
        number = await plan(h)
        await h.command(OWNER, f'/group archive "{GROUP}"')
        await h.command("bob", f"/event rsvp {number} going")
        assert await rows(h, "SELECT user_id FROM event_rsvps") == []


async def test_a_private_groups_attendees_are_not_shown_to_non_members(tmp_path: Path) -> None:
    async with events_app(tmp_path) as h:
        reply = await h.command(
            "dave", f'/group create "{SECRET}" local "Quiet" city:"Roubaix" private:yes', level=Level.MEMBER
        )
        assert "created" in reply.text, reply.text
        number = await plan(h, f'/event create "{SECRET}" "Huis clos" "2026-12-02 19:00"', who="dave")
        await h.command("dave", f"/event rsvp {number} going")
        info = await h.command("eve", f"/event info {number}")
        assert "dave" not in shown(info).split("Organisers")[0], shown(info)
        assert "1 going" in shown(info)  # the count is no secret: the card in the group's channel shows it


async def test_a_non_member_cannot_answer_for_a_private_groups_event(tmp_path: Path) -> None:
    async with events_app(tmp_path) as h:
        await h.command("dave", f'/group create "{SECRET}" local "Quiet" city:"Roubaix" private:yes')
        number = await plan(h, f'/event create "{SECRET}" "Huis clos" "2026-12-02 19:00" capacity:1', who="dave")
        reply = await h.command("eve", f"/event rsvp {number} going")
        assert "private" in reply.text, reply.text
        assert await rows(h, "SELECT user_id FROM event_rsvps") == []


# ------------------------------------------------------------------ capacity and the waitlist


@pytest.mark.parametrize("capacity", ["0", "-1", "1000000000000", "1e3", "99999999999999999999999"])
async def test_capacities_out_of_bounds_are_refused(tmp_path: Path, capacity: str) -> None:
    async with events_app(tmp_path) as h:
        with stall(f"capacity {capacity}"):
            reply = await h.command(OWNER, f'/event create "{GROUP}" "Apéro" "2026-12-01 19:00" capacity:{capacity}')
        assert await rows(h, "SELECT id FROM events") == [], reply.text
        number = await plan(h, f'/event create "{GROUP}" "Apéro" "2026-12-01 19:00" capacity:3')
        edited = await h.command(OWNER, f"/event edit {number} capacity:{capacity}")
        assert await rows(h, "SELECT capacity FROM events") == [(3,)], edited.text


async def test_flipping_answers_does_not_jump_the_waitlist(tmp_path: Path) -> None:
    members = ("bob", "carol", "dan", "erin")
    async with events_app(tmp_path, members=members) as h:
        number = await plan(h, f'/event create "{GROUP}" "Apéro" "2026-12-01 19:00" capacity:1')
        for who in members:
            await h.command(who, f"/event rsvp {number} going")  # bob goes; carol, dan, erin wait in that order
        with stall("capacity: 200 going/no flips"):
            for _ in range(100):  # erin leaves and comes back, again and again
                await h.command("erin", f"/event rsvp {number} no")
                await h.command("erin", f"/event rsvp {number} going")
        place = await h.command("erin", f"/event rsvp {number} going")
        print("erin after flips:", place.text[:200])
        await h.command("dan", f"/event rsvp {number} no")
        back = await h.command("dan", f"/event rsvp {number} going")
        assert "3" in back.text, back.text  # dan left and came back: behind erin, at the end
        await h.command("bob", f"/event rsvp {number} no")  # a seat frees: carol, first in line, takes it
        answered = await rows(h, "SELECT user_id, answer FROM event_rsvps ORDER BY user_id")
        going = [u for u, a in answered if a == "going"]
        assert going == [h.platform.user("carol").user_id], answered
        waiting = await rows(h, "SELECT user_id FROM event_rsvps WHERE answer = 'waitlist' ORDER BY waitlist_position")
        assert [w[0] for w in waiting] == [h.platform.user(u).user_id for u in ("erin", "dan")], waiting


async def test_a_capacity_lowered_below_those_going_removes_no_one_and_shows_full(tmp_path: Path) -> None:
    async with events_app(tmp_path, members=("bob", "carol", "dan")) as h:
        number = await plan(h, f'/event create "{GROUP}" "Apéro" "2026-12-01 19:00" capacity:3')
        for who in ("bob", "carol", "dan"):
            await h.command(who, f"/event rsvp {number} going")
        await h.command(OWNER, f"/event edit {number} capacity:1")
        await h.command(OWNER, f"/event rsvp {number} going")
        answered = dict(await rows(h, "SELECT user_id, answer FROM event_rsvps"))
        assert sorted(answered.values()) == ["going", "going", "going", "waitlist"], answered
        ref = cards(h)[0].ref
        assert ref is not None
        card = h.platform.message(ref)  # the card as it reads now, after its edits
        assert "Full" in card.text, card.text
        await h.command("bob", f"/event rsvp {number} no")  # 2 going for 1 seat: the waitlist still waits
        answered = dict(await rows(h, "SELECT user_id, answer FROM event_rsvps"))
        assert answered[h.platform.user(OWNER).user_id] == "waitlist", answered


# ------------------------------------------------------------------ names that catch other groups' members


async def test_a_title_copied_by_another_groups_owner_does_not_catch_our_members(tmp_path: Path) -> None:
    async with events_app(tmp_path) as h:
        await make_group(h, OTHER, "Roubaix", "dave")
        ours = await plan(h)
        theirs = await plan(h, f'/event create "{OTHER}" "Apéro Rust" "2026-12-02 19:00"', who="dave")
        info = await h.command("bob", '/event info "apero rust"')
        assert f"Event #{ours}" in info.text and "Rust Lille" in shown(info), shown(info)
        edit = await h.command(OWNER, '/event edit "Apéro Rust" capacity:9')
        assert await rows(h, "SELECT id FROM events WHERE capacity = 9") == [(ours,)], edit.text
        # dave, in his own group, still finds his own.
        mine = await h.command("dave", '/event info "Apéro Rust"')
        assert f"Event #{theirs}" in mine.text, mine.text


async def test_a_copied_title_does_not_catch_our_members_answers(tmp_path: Path) -> None:
    async with events_app(tmp_path) as h:
        await make_group(h, OTHER, "Roubaix", "dave")
        ours = await plan(h)
        await plan(h, f'/event create "{OTHER}" "Apéro Rust" "2026-12-02 19:00"', who="dave")
        await h.command("bob", '/event rsvp "Apéro Rust" going')
        answered = await rows(
            h, "SELECT o.event_id FROM event_rsvps r JOIN event_occurrences o ON o.id = r.occurrence_id"
        )
        assert answered == [(ours,)]


async def test_a_date_already_over_cannot_be_cancelled_or_answered(tmp_path: Path) -> None:
    async with events_app(tmp_path) as h:
        number = await plan(h)
        await h.advance(days=16)  # 1 December's date is over; 5 January's is next
        late = await h.command("bob", f"/event rsvp {number} going date:2026-12-01")
        cancelled = await h.command(OWNER, f"/event cancel {number} date:2026-12-01")
        print("cancel a date that is over:", cancelled.text[:200])
        [(status,)] = await rows(
            h, "SELECT status FROM event_occurrences WHERE event_id = ? ORDER BY starts_at LIMIT 1", (number,)
        )
        assert await rows(h, "SELECT user_id FROM event_rsvps") == [], late.text
        assert status != "cancelled", cancelled.text


# ------------------------------------------------------------------ calendar files


def test_ics_text_fields_cannot_inject_properties() -> None:
    # `/event ics` (files.py) is not built yet; what it builds on, bot.when.ical, is attacked directly with
    # what an organiser can store (a description keeps its line breaks; CR LF arrives as LF).
    stamp = datetime(2026, 11, 16, 9, tzinfo=UTC)
    hostile = "a\r\nATTENDEE:mailto:x@evil.example\nORGANIZER:mailto:y@evil.example\nEND:VEVENT\nBEGIN:VEVENT"
    item = IcsEvent(
        uid="events-1@example",
        title=hostile,
        start=stamp + timedelta(days=15),
        description=hostile + "\n" + "é" * 1500,
        stamp=stamp,
        location="Café; " + hostile,
        url="https://meet.example.org/apero",
    )
    # The calendar's name must be one line (a group name is): with a line break, build_ics raises.
    text = build_ics([item], "Rust Lille; ATTENDEE:mailto:x@evil.example, @everyone").decode()
    lines = text.replace("\r\n ", "").split("\r\n")  # unfolded
    assert not [ln for ln in lines if ln.startswith(("ATTENDEE", "ORGANIZER"))], text
    assert lines.count("BEGIN:VEVENT") == 1 and lines.count("END:VEVENT") == 1, text
    assert all(len(ln.encode()) <= 75 for ln in text.split("\r\n")), "lines are folded at 75 octets"
    with pytest.raises(CommandError):
        inputs.read_link("https://meet.example.org/a\r\nATTENDEE:mailto:x@evil.example")


async def test_waitlist_places_after_a_member_is_forgotten(tmp_path: Path) -> None:
    members = ("bob", "carol", "dan", "erin")
    async with events_app(tmp_path, members=members) as h:
        number = await plan(h, f'/event create "{GROUP}" "Apéro" "2026-12-01 19:00" capacity:1')
        for who in members:
            await h.command(who, f"/event rsvp {number} going")  # bob goes; carol, dan, erin wait
        with stall("forget: the going member and a waiting one"):
            for who in ("bob", "dan"):
                ask = await h.command(who, "/privacy forget")
                token = dict(ask.buttons[0].args)["confirm"]
                await h.command(who, f"/privacy forget confirm:{token}")
        answered = await rows(h, "SELECT user_id, answer FROM event_rsvps")
        assert sorted(answered, key=lambda r: r[1]) == [
            (h.platform.user("carol").user_id, "going"),
            (h.platform.user("erin").user_id, "waitlist"),
        ], answered
        place = await h.command("erin", f"/event rsvp {number} going")
        assert "number 1" in place.text, place.text  # erin is first in line now, whatever her stored position
