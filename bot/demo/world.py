"""The demo's world: who the synthetic community's members are, what they say, the groups, the calendar,
and the in-memory platform the demo plays them on (`bot/demo/run.py` drives it)."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.formatting import LocalReply
from bot.model import Capability, ChannelRef, CommunityRef, MessageRef, Space, Target, UserRef

END = datetime(2026, 11, 16, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))  # a Monday, after the digest is sent
WEEKS = 12
START = datetime(2026, 8, 24, 9, 0, tzinfo=ZoneInfo("Europe/Paris"))  # END's Monday, 12 weeks before
ZONE = ZoneInfo("Europe/Paris")
LOCALE = "fr"  # the community's language (`/settings locale fr`): half its members write French
SEED = 2026
TICK = timedelta(hours=1)  # how often the scheduler catches up while the weeks are played
ADMIN = "camille"
CHANNELS = ("general", "entraide", "news", "events", "photo", "random", "managers", "moderation")
EMOJI = ("👍", "❤️", "😂", "🎉", "🔥", "👀")

# handle, display name, language, city (None: no shared city); the first twelve found the community.
MEMBERS: tuple[tuple[str, str, str, str | None], ...] = (
    ("camille", "Camille", "fr", "Lille"),
    ("alice", "Alice", "en", "Lille"),
    ("bob", "Bob", "en", "Paris"),
    ("lea", "Léa", "fr", "Roubaix"),
    ("hugo", "Hugo", "fr", "Lille"),
    ("chloe", "Chloé", "fr", "Lyon"),
    ("sam", "Sam", "en", "Bruxelles"),
    ("ines", "Inès", "fr", "Roubaix"),
    ("tom", "Tom", "en", None),
    ("manon", "Manon", "fr", "Paris"),
    ("jules", "Jules", "fr", "Lille"),
    ("priya", "Priya", "en", "Paris"),
    ("noah", "Noah", "en", "Lyon"),
    ("zoe", "Zoé", "fr", "Tourcoing"),
    ("lucas", "Lucas", "fr", None),
    ("emma", "Emma", "en", "Bruxelles"),
    ("yanis", "Yanis", "fr", "Villeneuve-d'Ascq"),
    ("sarah", "Sarah", "en", "Lille"),
    ("louis", "Louis", "fr", "Paris"),
    ("nina", "Nina", "en", None),
    ("karim", "Karim", "fr", "Roubaix"),
    ("julia", "Julia", "en", "Lyon"),
    ("theo", "Théo", "fr", "Lille"),
    ("mia", "Mia", "en", "Paris"),
    ("arthur", "Arthur", "fr", "Bruxelles"),
    ("olivia", "Olivia", "en", None),
    ("rayan", "Rayan", "fr", "Lille"),
    ("grace", "Grace", "en", "Lyon"),
    ("adam", "Adam", "fr", "Roubaix"),
    ("lina", "Lina", "fr", "Paris"),
    ("oscar", "Oscar", "en", "Lille"),
    ("jade", "Jade", "fr", "Lyon"),
    ("ethan", "Ethan", "en", "Bruxelles"),
    ("rose", "Rose", "fr", "Lille"),
)
FOUNDERS = 12
LEAVERS = {4: "tom", 7: "noah", 9: "nina"}  # week -> member who leaves at its end

CHAT = {
    "fr": (
        "Bonjour à tous, belle journée !",
        "Quelqu'un va au meetup jeudi soir ?",
        "Je viens de finir mon projet Rust, trop content",
        "Le café de la gare à Lille est parfait pour travailler",
        "Merci pour le partage, super article",
        "Petite pause bien méritée",
        "On se retrouve samedi au parc de la Citadelle",
        "J'ai testé la nouvelle version, c'est plus rapide",
        "Bravo pour la présentation d'hier",
        "Je cherche des gens pour un projet open source à Roubaix",
        "Vivement le prochain atelier",
        "Les photos de la sortie sont en ligne",
        "Bon week-end à tous",
        "Excellente idée, je suis partant",
    ),
    "en": (
        "Good morning everyone!",
        "Just shipped the new release, feels great",
        "Great talk yesterday, thanks to the speakers",
        "Anyone up for a coffee near Paris Nord on Friday?",
        "I wrote a short post about async Python",
        "Welcome to the newcomers",
        "The slides from the meetup are online",
        "That bug took me two days, finally fixed",
        "Love this community",
        "Reading a great book on distributed systems",
        "See you all at the workshop",
        "Nice photos from the trip to Lyon",
        "Have a good weekend",
        "Count me in for the hackathon",
    ),
}
QUESTIONS = {
    "fr": (
        (
            "Quelqu'un sait comment configurer le proxy pour pip ?",
            "Il faut définir HTTPS_PROXY avant de lancer pip.",
            "Merci beaucoup, ça marche !",
        ),
        (
            "Comment rejoindre le groupe de Lille ?",
            "Avec /group join Rust Lille, tout simplement.",
            "Merci, c'est fait !",
        ),
        (
            "Est-ce que le meetup de jeudi est enregistré ?",
            "Oui, la vidéo sera en ligne vendredi.",
            "Super, merci pour l'info",
        ),
        ("Vous connaissez un bon coworking à Roubaix ?", "La Plaine Images est très bien.", "Merci, je vais tester"),
        (
            "Comment on installe Rust sur Windows ?",
            "Passe par rustup-init.exe, c'est le plus simple.",
            "Merci, installé !",
        ),
    ),
    "en": (
        (
            "How do I export my calendar to Google?",
            "Use /calendar export and import the .ics file.",
            "Thanks, that worked!",
        ),
        (
            "Does anyone know a good Python course for beginners?",
            "The official tutorial is great to start.",
            "Thanks a lot!",
        ),
        (
            "Is there a parking near the Lyon venue?",
            "Yes, Parking Part-Dieu is two minutes away.",
            "Thanks, very helpful",
        ),
        ("Can someone review my pull request on the website?", "Sure, I left a few comments.", "Thank you, merged!"),
        ("Any ideas for the next workshop topic?", "What about an intro to Docker?", "Thanks, great idea"),
    ),
}
NOISE = (
    "Likez si vous êtes d'accord 👍",
    "Tag a friend who needs to see this!",
    "Partagez si vous aimez Lille",
    "Follow for more tips every day",
    "Commentez si vous venez ce soir",
    "Crypto gratuit ici, ne ratez pas ça",
    "Smash that like button",
    "Abonnez-vous à ma chaîne",
)
# name, kind, description, city, founder, week created
GROUPS = (
    ("Rust Lille", "local", "Rustaceans autour de Lille", "Lille", "alice", 0),
    ("Jeux de société", "affinity", "Soirées jeux, tous niveaux", None, "hugo", 0),
    ("Café des devs Roubaix", "local", "Un café, du code, le jeudi matin", "Roubaix", "lea", 1),
    ("Paris Data", "local", "Data science and analytics in Paris", "Paris", "bob", 3),
    ("Photographie", "affinity", "Sorties photo et retours bienveillants", None, "manon", 5),
    ("Lyon Frontend", "local", "Web frontend folks in Lyon", "Lyon", "chloe", 6),
    ("Bruxelles Tech", "local", "Tech meetups in Brussels", "Bruxelles", "sam", 8),
)
DIGEST_GROUPS = ("Rust Lille", "Paris Data")  # the groups whose owners opt in to their own digest
# title, channel, first due (local), owner, repeat, outcome pattern per occurrence (O on time, L late, M missed)
CALENDAR = (
    ("Weekly news", "news", datetime(2026, 8, 25, 10, 0, tzinfo=ZONE), "alice", "weekly", "OOLOOMOOOLOO"),
    ("Photo de la semaine", "photo", datetime(2026, 8, 28, 12, 0, tzinfo=ZONE), "lea", "weekly", "OOOMOLOOOOLM"),
    ("Live Q&A", "events", datetime(2026, 8, 27, 18, 0, tzinfo=ZONE), "bob", "biweekly", "OLOOMO"),
)
WATCHES = (("alice", "rust, meetup lille"), ("bob", "python, data"), ("lea", "roubaix, café"))


class DemoPlatform:
    """An in-memory platform (with channel management for groups' spaces); counts what the bot sends."""

    name = "demo"
    capabilities = frozenset(Capability) - {
        Capability.DELETE_MESSAGE,
        Capability.EDIT_MESSAGE,
        Capability.SCHEDULED_EVENTS,
    }

    def __init__(self, workspace: str = "lille-tech") -> None:
        self.workspace = workspace
        self.community = CommunityRef(self.name, workspace)
        self.members: dict[str, str] = {}  # every member ever seen: handle -> display name
        self.present: set[str] = set()  # the members in the community now
        self.channels: dict[str, str] = {c: c for c in CHANNELS}
        self.created_spaces: dict[str, Space] = {}  # not `spaces`: that name means a Spaces manager
        self.sent = 0
        self._ids = itertools.count(1)

    def user(self, handle: str) -> UserRef:
        """The member whose id is `handle`."""
        return UserRef(self.name, self.workspace, handle)

    def channel(self, channel_id: str, thread: str | None = None) -> ChannelRef:
        """A channel (or one of its threads)."""
        return ChannelRef(self.name, self.workspace, channel_id, thread)

    def next_ref(self, channel: ChannelRef) -> MessageRef:
        """A fresh message in `channel`."""
        return MessageRef(channel, f"m{next(self._ids)}")

    async def start(self) -> None:
        """Nothing to connect."""

    async def stop(self) -> None:
        """Nothing to disconnect."""

    async def send(self, target: Target, reply: LocalReply) -> MessageRef | None:
        """Count what the bot sends."""
        self.sent += 1
        return self.next_ref(target if isinstance(target, ChannelRef) else self.channel("dm"))

    def link(self, ref: MessageRef) -> str | None:
        """A made-up URL."""
        return f"https://chat.example/{ref.channel.channel_id}/{ref.message_id}"

    async def member_count(self, community: CommunityRef) -> int | None:
        """How many members the community has now (what a platform reports as its size)."""
        return len(self.present)

    def member_name(self, user: UserRef) -> str:
        """The display name."""
        return self.members.get(user.user_id, user.user_id)

    def channel_name(self, channel: ChannelRef) -> str:
        """The channel's name."""
        return self.channels.get(channel.channel_id, channel.channel_id)

    async def find_member(self, community: CommunityRef, raw: str) -> UserRef | None:
        """A member by handle or display name."""
        key = raw.lstrip("@").lower()
        found = next((h for h, n in self.members.items() if key in (h, n.lower())), None)
        return self.user(found) if found else None

    async def find_channel(self, community: CommunityRef, raw: str) -> ChannelRef | None:
        """A channel by name."""
        key = raw.lstrip("#")
        found = next((i for i, n in self.channels.items() if key in (i, n)), None)
        return self.channel(found) if found else None

    def member_names(self, community: CommunityRef) -> list[str]:
        """Display names, for did-you-mean."""
        return sorted(self.members.values())

    def channel_names(self, community: CommunityRef) -> list[str]:
        """Channel names, for did-you-mean."""
        return sorted(self.channels.values())

    async def create_space(
        self, community: CommunityRef, name: str, *, topic: str = "", private: bool = False, forum: bool = False
    ) -> Space:
        """A group's channel."""
        space = Space(self.channel(f"g-{name}"), f"role-{name}")
        self.channels[space.channel.channel_id] = name
        self.created_spaces[name] = space
        return space

    async def add_member(self, space: Space, user: UserRef) -> None:
        """Access is open in the demo."""

    async def remove_member(self, space: Space, user: UserRef) -> None:
        """Access is open in the demo."""

    async def rename_space(self, space: Space, name: str) -> None:
        """Rename the channel."""
        self.channels[space.channel.channel_id] = name

    async def archive_space(self, space: Space) -> None:
        """Nothing to move."""

    async def delete_space(self, space: Space) -> None:
        """Forget the channel."""
        self.channels.pop(space.channel.channel_id, None)
