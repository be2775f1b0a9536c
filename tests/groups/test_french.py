"""A French member uses groups typing only French words (parameter names, choice words), and reads
French that says why a command was refused, keeps the tags as typed and counts in the right plural."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.model import Level
from tests.groups.helpers import groups_app, plugin
from tests.harness import START, Harness

NNBSP = "\u202f"
RUST_FR = '/group create "Rust Lille" local "On code en Rust à Lille" ville:Lille rayon_km:30 étiquettes:rust'


async def fr(h: Harness, who: str, line: str, level: Level = Level.MEMBER) -> str:
    """The text a French member reads (bold markers aside), card included."""
    reply = await h.command(who, line, locale="fr", level=level)
    parts = [reply.text]
    if reply.card is not None:
        parts += [reply.card.title, reply.card.description or ""]
        parts += [f"{f.name}{NNBSP}: {f.value}" for f in reply.card.fields]
    return "\n".join(parts).replace("**", "")


async def test_a_french_member_creates_joins_and_searches_with_french_words(tmp_path: Path) -> None:
    async with groups_app(tmp_path) as h:
        created = await fr(h, "zoé", RUST_FR)
        assert "Le groupe Rust Lille est créé ; vous en êtes le responsable.".replace(" ;", f"{NNBSP};") in created
        affinity = await fr(
            h, "zoé", '/group create nom:"Café des langues" type:affinité description:"On parle" étiquettes:"Café, thé"'
        )
        assert "Le groupe Café des langues est créé" in affinity
        unaccented = await fr(h, "léo", '/group create "Tricot" affinite "Laine et aiguilles" prive:oui')
        assert "Le groupe Tricot est créé" in unaccented  # no accents typed: the same words

        joined = await fr(h, "léo", "/group join rust lille")
        assert f"Bienvenue dans Rust Lille{NNBSP}! Son salon{NNBSP}: #rust-lille." in joined
        info = await fr(h, "léo", "/group info Rust Lille")
        assert f"Type{NNBSP}: local" in info and f"Lieu{NNBSP}: Lille, FR, dans un rayon de 30 km" in info

        by_kind = await fr(h, "léo", "/group list type:affinité")
        assert "Café des langues" in by_kind and "Tricot" in by_kind and "Rust Lille" not in by_kind
        near = await fr(h, "léo", "/group nearby ville:Roubaix rayon_km:20")
        assert "Rust Lille · 11 km · #rust-lille" in near

        asked = await fr(h, "bob", "/group join Tricot")
        assert "Tricot est privé" in asked and "demande a été envoyée à ses responsables" in asked
        notify = await fr(h, "léo", '/group notify "Rust Lille" état:activé')
        assert "Vous recevrez les annonces de Rust Lille par message privé." in notify
        off = await fr(h, "léo", '/group notify "Rust Lille" désactivé')
        assert "Vous ne recevrez plus les annonces" in off

        typo = await fr(h, "léo", "/group list type:afinité")
        assert "Vouliez-vous dire affinité" in typo  # the reader's word, not `affinity`


async def test_reviewing_an_active_group_says_it_is_not_waiting_for_review(tmp_path: Path) -> None:
    async with groups_app(tmp_path, {"creation": "propose"}) as h:
        await h.command("mod", '/group create Dup affinité "Un doublon"', level=Level.MODERATOR)  # active at once
        refused = await fr(h, "mod", "/group review Dup approuver", level=Level.MODERATOR)
        assert f"Dup n’attend pas d’examen{NNBSP}: il est déjà actif." in refused
        assert "Tapez /group info Dup pour le voir." in refused
        assert "Aucun groupe ne s’appelle" not in refused

        await h.command("alice", '/group create "Café des langues" affinité "On parle"')
        waiting = await fr(h, "bob", "/group join Café des langues")
        assert f"Café des langues n’est pas encore ouvert{NNBSP}: il attend l’examen d’un modérateur." in waiting
        typo = await fr(h, "mod", "/group review Cafe des langes décision:refuser", level=Level.MODERATOR)
        assert f"Vouliez-vous dire Café des langues{NNBSP}?" in typo
        done = await fr(
            h, "mod", '/group review "Café des langues" refuser Trop proche de #langues', level=Level.MODERATOR
        )
        assert "La proposition Café des langues est refusée." in done


async def test_every_refusal_says_why_with_what_to_do(tmp_path: Path) -> None:
    async with groups_app(tmp_path) as h:
        await fr(h, "alice", RUST_FR)
        already = await fr(h, "alice", "/group join Rust Lille")
        assert "Vous êtes déjà membre de Rust Lille." in already and "#rust-lille" in already
        not_in = await fr(h, "bob", "/group leave Rust Lille")
        assert f"Vous ne pouvez pas quitter Rust Lille{NNBSP}: vous n’en êtes pas membre." in not_in
        assert "Vous ne faites encore partie d’aucun groupe" in not_in
        not_owner = await fr(h, "bob", "/group archive Rust Lille")
        assert "Seuls les responsables de Rust Lille et les modérateurs peuvent le faire." in not_owner
        assert f"l’un de ses responsables{NNBSP}: alice." in not_owner
        last = await fr(h, "alice", "/group leave Rust Lille")
        assert "dernier responsable" in last and "/group owner" in last
        no_request = await fr(h, "alice", '/group approve groupe:"Rust Lille" membre:@bob')
        assert f"Rust Lille est ouvert à tout le monde{NNBSP}: on le rejoint sans faire de demande." in no_request
        assert '`/group edit "Rust Lille" privé:oui`' in no_request
        await fr(h, "alice", '/group edit "Rust Lille" privé:oui')
        none_yet = await fr(h, "alice", '/group approve "Rust Lille" @bob')
        assert "bob n’a pas de demande en attente pour rejoindre Rust Lille." in none_yet
        assert "Aucune demande n’est en attente pour Rust Lille." in none_yet
        await fr(h, "léo", "/group join Rust Lille")
        other = await fr(h, "alice", '/group deny "Rust Lille" @bob')
        assert f"Demande en attente{NNBSP}: léo." in other  # the request that does exist
        twice = await fr(h, "léo", "/group join Rust Lille")
        assert "attend déjà la réponse de ses responsables" in twice and "Vous recevrez un message" in twice
        local_only = await fr(h, "bob", '/group create Échecs affinité "On joue" ville:Lille')
        assert "`ville` et `rayon_km` sont réservés aux groupes locaux." in local_only
        assert "`type:local`" in local_only and "city" not in local_only
        await fr(h, "alice", "/group archive Rust Lille")
        archived = await fr(h, "bob", "/group join Rust Lille")
        assert f"Rust Lille a été archivé{NNBSP}: il est fermé" in archived
        taken = await fr(h, "bob", '/group create "rust lille" affinité "Encore"')
        assert f"Un groupe nommé Rust Lille a été archivé{NNBSP}: son nom reste pris." in taken


async def test_tags_keep_the_typed_spelling_and_match_folded(tmp_path: Path) -> None:
    async with groups_app(tmp_path) as h:
        await fr(h, "alice", '/group create "Café des langues" affinité "On parle" étiquettes:"Café, thé, café"')
        stored = [tuple(r) for r in await h.app.db.fetchall("SELECT tags FROM community_groups")]
        assert stored == [("Café thé",)]  # as typed, the folded duplicate dropped
        info = await fr(h, "bob", "/group info cafe des langues")
        assert f"Étiquettes{NNBSP}: Café, thé" in info
        for typed in ("cafe", "CAFÉ", "café"):
            found = await fr(h, "bob", f"/group list étiquette:{typed}")
            assert "Café des langues" in found, typed
        assert "Café des langues" not in await fr(h, "bob", "/group list étiquette:thé,rust")
        typo = await fr(h, "bob", "/group list étiquette:caffe")
        assert f"Aucun groupe ne porte l’étiquette «{NNBSP}caffe{NNBSP}»." in typo
        assert f"Vouliez-vous dire Café{NNBSP}?" in typo  # the closest tag, as it was typed

        # A member of a group tagged `cafe` (typed without accent) gets the one tagged `Café` suggested,
        # and the suggestion shows the group's own spelling.
        await fr(h, "bob", '/group create Pause affinité "Une pause" étiquettes:cafe')
        suggested = await fr(h, "bob", "/group suggest")
        assert f"étiquettes que vous suivez{NNBSP}: Café" in suggested


async def test_counts_in_french_say_0_1_and_2_in_the_right_form(tmp_path: Path) -> None:
    async with groups_app(tmp_path, {"page_size": 1}) as h:
        groups = plugin(h)
        await fr(h, "alice", RUST_FR)
        one = await fr(h, "bob", "/group list")
        assert "Rust Lille · Lille · 1 membre · 0 message en 4 semaines" in one
        await fr(h, "bob", "/group join Rust Lille")
        await h.say("bob", "salut", channel="c-rust-lille")
        await h.flush()
        assert "2 membres · 1 message en 4 semaines" in await fr(h, "bob", "/group list")
        await h.say("bob", "encore", channel="c-rust-lille")
        await h.flush()
        info = await fr(h, "bob", "/group info Rust Lille")
        assert f"Activité{NNBSP}: 2 messages ces 4 dernières semaines" in info
        assert "l’annuaire n’en compte qu’une." in await fr(h, "bob", "/group list page:2")
        await fr(h, "alice", '/group create Échecs affinité "On joue"')
        assert "l’annuaire ne compte que 2 pages." in await fr(h, "bob", "/group list page:3")

        week = (START, START + timedelta(days=7))
        section = await groups.digest_section(h.platform.community, *week, "Europe/Paris")
        assert section is not None
        lines = [h.app.translator.render(line, "fr") for line in section.lines]
        assert lines[0] == f"Nouveaux groupes{NNBSP}: Échecs, Rust Lille"
        assert (section.values()["groups_total"], section.values()["memberships_new"]) == (2, 3)
        labels = [h.app.translator.render(m.label, "fr") for m in section.metrics]
        assert labels[:3] == ["Groupes", "Nouveaux groupes", "Nouvelles adhésions"]  # counts are the digest's to write
        later = (START + timedelta(days=7), START + timedelta(days=14))
        quiet = await groups.digest_section(h.platform.community, *later, "Europe/Paris")
        assert quiet is not None
        assert (quiet.values()["groups_new"], quiet.values()["memberships_new"]) == (0, 0)


async def test_sharing_an_ambiguous_city_says_it_once(tmp_path: Path) -> None:
    async with groups_app(tmp_path) as h:
        shared = await fr(h, "zoé", "/location set Paris")
        assert shared.startswith("Votre ville est désormais Paris, FR.")
        assert f"Autres villes nommées Paris{NNBSP}: `Paris, US (Texas)`" in shared
        assert "j’ai choisi" not in shared
        assert "Paris, FR" in await fr(h, "zoé", "/location show")
