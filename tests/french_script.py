"""The script of the French scenario (tests/test_french_scenario.py): what a French community does in
one week with every command of every shipped plugin, typed as a French moderator or member types it
after issue 17 (French parameter names and choice words from docs/glossary.md), with their errors.

Each `Run` may carry a `fallback`: the same command in the canonical English syntax, run only when the
French line is refused, so that one word the bot does not accept yet does not break every later step
(the refusal itself is reported by the test). User content is typed as members type it (a plain space
before `?`); `ECHOED` lists what the bot rightly repeats of it, left out of the typography check.

Placeholders resolved at run time against the real database: `{entry:TITLE:N}` (the N-th planned
occurrence of a calendar entry, by due date), `{question:WORDS}` (the number of the question whose
excerpt contains WORDS) and `{token}` (the confirmation code of the previous reply).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.model import Level

# What members typed that the bot shows back (a question, a poll): their typography is the member's.
ECHOED = (
    "Comment installer Rust sous Windows ?",
    "Quelqu’un sait où trouver le planning des ateliers ?",
    "Quel jour vous convient le mieux ?",
)
MEMBERS = ("camille", "modo", "alice", "bruno", "chloe", "david")
CHANNELS = ("annonces", "entraide", "moderation", "bilans", "evenements", "gestion")
MOD = Level.MODERATOR
ADMIN = Level.ADMIN


@dataclass(frozen=True)
class Run:
    """A command typed by `who`; `refused` when the scenario means it to be refused. A refused step's
    `fallback` runs too, so the error a French member will get once the French words are accepted is
    checked today."""

    who: str
    line: str
    level: Level = Level.MEMBER
    refused: bool = False
    fallback: str | None = None
    channel: str = "general"
    file: tuple[str, bytes] | None = None
    expect: str | None = None  # what the reply must say when the French words were understood


@dataclass(frozen=True)
class Say:
    """A member posts a message (in a question's thread when `thread_of` names its words)."""

    who: str
    text: str
    channel: str = "general"
    thread_of: str | None = None


@dataclass(frozen=True)
class Advance:
    """Time passes and everything due runs; `plugin` names whose sends we expect (for the report)."""

    hours: float
    plugin: str


Step = Run | Say | Advance

CSV = (
    b"title,channel,due,owner,repeat\n"
    b"Atelier photo,#evenements,2026-12-05 14:00,@chloe,\n"
    b"Questions du mois,#annonces,2026-12-07 18:00,@bruno,monthly\n"
)

SCRIPT: tuple[Step, ...] = (
    # ---------------------------------------------------------------- core: help, settings, language
    Run("alice", "/help"),
    Run("alice", "/help group join"),
    Run("alice", "/help calendar add"),
    Run("alice", "/help envoler", refused=True),
    Run("alice", "/rejoindre Rust Lille", refused=True),
    Run("alice", "/group rejoindre Rust Lille", refused=True),
    Run("alice", "/group", refused=True),
    Run("modo", "/settings show", MOD),
    Run("modo", "/settings locale langue:français", MOD, fallback="/settings locale fr"),
    Run("modo", "/settings locale allemand", MOD, refused=True),
    Run("modo", "/settings timezone Europe/Paris", MOD),
    Run("modo", "/settings timezone Europe/Lile", MOD, refused=True),
    Run("modo", "/settings timezone", MOD, refused=True),
    Run(
        "modo",
        "/settings channel usage:modération salon:#moderation",
        MOD,
        fallback="/settings channel purpose:moderation channel:#moderation",
    ),
    Run("modo", "/settings channel bilan #bilans", MOD, fallback="/settings channel digest #bilans"),
    Run("modo", "/settings channel entraide #entraide", MOD, fallback="/settings channel helpers #entraide"),
    Run("modo", "/settings channel calendrier #gestion", MOD, fallback="/settings channel calendar #gestion"),
    Run(
        "modo",
        "/settings channel usage:météo salon:#annonces",
        MOD,
        refused=True,
        fallback="/settings channel purpose:météo channel:#annonces",
    ),
    Run("modo", "/settings channel bilan #inexistant", MOD, refused=True),
    Run("modo", "/settings role usage:gestionnaires rôle:gestion", MOD, fallback="/settings role managers gestion"),
    Run("modo", "/settings role entraide aidants", MOD, fallback="/settings role helpers aidants"),
    Run("modo", "/settings role usage:invités", MOD, refused=True),
    Run("modo", "/settings show", MOD),
    Run("alice", "/settings show", refused=True),
    Run("alice", "/language français", fallback="/language fr"),
    Run("alice", "/language klingon", refused=True),
    Run("alice", "/language automatique", fallback="/language auto"),
    Run("alice", "/timezone fuseau:Montréal", fallback="/timezone zone:Montréal", expect="America/Montreal"),
    Run("alice", "/timezone Londre", refused=True),
    Run("alice", "/timezone automatique", fallback="/timezone auto"),
    Run("alice", "/privacy export"),
    Run("david", "/privacy forget code:faux", refused=True),
    Run("david", "/privacy forget"),
    Run("david", "/privacy forget code:{token}", fallback="/privacy forget confirm:{token}"),
    # ---------------------------------------------------------------- groups
    Run("alice", "/location set Lille"),
    Run("alice", "/location show"),
    Run(
        "alice",
        '/group create nom:"Rust Lille" type:local description:"On code en Rust près de Lille" '
        'étiquettes:rust,web ville:"Lille, FR" rayon_km:30',
        fallback='/group create "Rust Lille" local "On code en Rust près de Lille" tags:rust,web '
        'city:"Lille, FR" radius_km:30',
    ),
    Run("modo", '/group review "Rust Lille" approuver', MOD, fallback='/group review "Rust Lille" approve'),
    Run(
        "bruno",
        '/group create "Café des langues" affinité "Pratiquer l’anglais et l’espagnol autour d’un café" '
        "étiquettes:café,langues privé:oui",
        fallback='/group create "Café des langues" affinity "Pratiquer l’anglais et l’espagnol autour d’un café" '
        "tags:café,langues private:yes",
    ),
    Run(
        "modo",
        '/group review nom:"Café des langues" décision:approuver',
        MOD,
        fallback='/group review name:"Café des langues" decision:approve',
    ),
    Run(
        "chloe",
        '/group create Tricot affinité "Aiguilles et pelotes"',
        fallback='/group create Tricot affinity "Aiguilles et pelotes"',
    ),
    Run(
        "modo",
        "/group review Tricot refuser Trop proche du groupe Couture",
        MOD,
        fallback="/group review Tricot reject Trop proche du groupe Couture",
    ),
    Run("modo", "/group review Tricot approuver", MOD, refused=True),
    Run("modo", '/group review "Rust Lille" approuver', MOD, refused=True),
    Run("modo", "/group review Tricot peut-être", MOD, refused=True),
    Run("alice", '/group review "Rust Lille" approuver', refused=True),
    Run("chloe", '/group create "Rust Lille" affinité "Un doublon"', refused=True),
    Run("chloe", '/group create Jardinage sport "Potager partagé"', refused=True),
    Run("chloe", "/group create Jardinage", refused=True),
    Run("bruno", "/group join Rust Lille"),
    Run("chloe", "/group join Café des langues"),
    Run("bruno", '/group approve "Café des langues" @chloe'),
    Run("david", "/group join Café des langues"),
    Run("bruno", '/group deny "Café des langues" @david'),
    Run("bruno", '/group approve "Café des langues" @david', refused=True),
    Run("alice", "/group join Groupe fantôme", refused=True),
    Run("alice", "/group list"),
    Run("alice", "/group list étiquette:rust type:local", fallback="/group list tag:rust kind:local"),
    Run("alice", "/group list type:village", refused=True, fallback="/group list kind:village"),
    Run("alice", "/group list page:0", refused=True),
    Run("alice", "/group info Rust Lille"),
    Run("bruno", "/group members Café des langues"),
    Run("alice", "/group members Café des langues", refused=True),
    Run("alice", "/group nearby ville:Roubaix rayon_km:50", fallback="/group nearby city:Roubaix radius_km:50"),
    Run("alice", "/group nearby rayon_km:beaucoup", refused=True, fallback="/group nearby radius_km:beaucoup"),
    Run("alice", "/group suggest"),
    Run(
        "alice",
        '/group edit "Rust Lille" description:"Rust, WebAssembly et bonne humeur à Lille"',
    ),
    Run("bruno", '/group edit "Rust Lille" nom:"Rust Nord"', refused=True),
    Run("alice", '/group owner "Rust Lille" @bruno'),
    Run("bruno", '/group owner "Rust Lille" @bruno', refused=True),
    Run(
        "alice",
        '/group announce "Rust Lille" Prochaine rencontre jeudi à 19 h, au café de la gare',
    ),
    Run("bruno", '/group notify "Rust Lille" activé', fallback='/group notify "Rust Lille" on'),
    Run("bruno", '/group notify "Rust Lille" souvent', refused=True),
    Run(
        "alice",
        '/group topic "Rust Lille" "Atelier WebAssembly" étiquettes:wasm',
        fallback='/group topic "Rust Lille" "Atelier WebAssembly" tags:wasm',
    ),
    Run("alice", "/group topics Rust Lille"),
    Run("alice", '/group digest "Rust Lille" activé', fallback='/group digest "Rust Lille" on'),
    Run("david", "/group join Rust Lille"),
    Run("alice", '/group ban "Rust Lille" @david'),
    Run("david", "/group join Rust Lille", refused=True),
    Run("chloe", "/group leave Rust Lille", refused=True),
    Run("bruno", "/group leave Rust Lille"),
    Run("alice", "/location clear"),
    # ---------------------------------------------------------------- events (in the group made above)
    Run(
        "modo",
        '/event create groupe:"Rust Lille" titre:"Apéro Rust" début:"mardi 1 décembre 19h" '
        'répétition:"chaque premier mardi du mois" places:1 adresse:"Café de la gare" rappels:"1j, 1h"',
        MOD,
        fallback='/event create group:"Rust Lille" title:"Apéro Rust" start:"2026-12-01 19:00" '
        'repeat:"every first tuesday of the month" capacity:1 address:"Café de la gare" reminders:"1d,1h"',
    ),
    Run("modo", '/event create groupe:"Rust Lille" titre:"Apéro" début:"hier 19h"', MOD, refused=True),
    Run("modo", '/event create groupe:"Rust Lille" titre:"Apéro" début:"mardi 19h" places:0', MOD, refused=True),
    Run("chloe", '/event create groupe:"Rust Lille" titre:"Apéro" début:"mardi 19h"', refused=True),
    Run("alice", "/event list"),
    Run("alice", "/event list près_de:Lille rayon_km:20", fallback="/event list near:Lille radius_km:20"),
    Run("alice", '/event list groupe:"Rust Lille" page:1', fallback='/event list group:"Rust Lille" page:1'),
    Run("alice", "/event info événement:1", fallback="/event info event:1"),
    Run("alice", '/event info "Apéro Rst"', refused=True),
    Run("alice", "/event rsvp événement:1 réponse:oui", fallback="/event rsvp event:1 answer:going"),
    Run("chloe", "/event rsvp 1 oui"),  # one seat: the waitlist
    Run("chloe", "/event rsvp 1 bof", refused=True),
    Run("david", '/event rsvp 1 peut-être date:"5 janvier"'),
    Run("chloe", "/event mine"),
    Run("david", "/event mine page:1"),
    Run("david", "/event mine page:9", refused=True),
    Run("alice", "/event rsvp 1 non"),  # chloe gets the seat, by a direct message
    Run(
        "modo",
        '/event edit événement:1 places:2 titre:"Apéro Rust du mois"',
        MOD,
        fallback='/event edit event:1 capacity:2 title:"Apéro Rust du mois"',
    ),
    Run("chloe", "/event edit 1 places:5", refused=True),
    Run("modo", "/event edit 1", MOD, refused=True),
    Run(
        "modo",
        '/event cancel événement:1 date:"5 janvier" raison:"Salle prise"',
        MOD,
        fallback='/event cancel event:1 date:"5 janvier" reason:"Salle prise"',
    ),
    Run("modo", '/event cancel 1 date:"5 janvier"', MOD, refused=True),
    Run(
        "modo",
        '/event next événement:1 début:"2027-06-01 19:00"',
        MOD,
        fallback='/event next event:1 start:"2027-06-01 19:00"',
    ),
    Run("chloe", "/event ics événement:1", fallback="/event ics event:1"),
    Run("chloe", "/event ics"),
    Run("alice", "/event ics 99", refused=True),
    Run("modo", '/event cancel 2 raison:"Reportée"', MOD, fallback='/event cancel 2 reason:"Reportée"'),
    # ---------------------------------------------------------------- questions
    Run(
        "chloe",
        '/ask Comment installer Rust sous Windows ? groupe:"Rust Lille"',
        fallback='/ask Comment installer Rust sous Windows ? group:"Rust Lille"',
    ),
    Say("bruno", "Le plus simple, c’est rustup, puis un redémarrage", thread_of="installer Rust"),
    Run("david", "/ask", refused=True),
    Say("david", "Quelqu’un sait où trouver le planning des ateliers ?", channel="entraide"),
    Run("alice", "/solved {question:installer Rust}", refused=True),
    Run("chloe", "/solved 99", refused=True),
    Run("chloe", "/solved quarante", refused=True),
    Run("alice", "/notsolved {question:installer Rust}", refused=True),  # only the asker
    Run("david", "/notsolved {question:planning des ateliers}"),  # no answer yet: said kindly, nothing changes
    Run("chloe", "/notsolved {question:installer Rust}"),  # the asker's "Pas encore": back to the aidants
    Run("chloe", "/notsolved {question:installer Rust}"),  # pressed twice: already noted
    Run("chloe", "/solved {question:installer Rust}"),
    Run("alice", "/unanswered"),
    Run("alice", "/unanswered salon:#entraide", fallback="/unanswered channel:#entraide"),
    Run("alice", '/unanswered groupe:"Rust Lille"', fallback='/unanswered group:"Rust Lille"'),
    Run("alice", "/helpers"),
    Run("alice", "/helpers semaines:8", fallback="/helpers weeks:8"),
    Run("alice", "/helpers semaines:zéro", refused=True, fallback="/helpers weeks:zéro"),
    Run("david", "/questions notes désactivé", fallback="/questions notes off"),
    Run("david", "/questions notes activé", fallback="/questions notes on"),
    Run("david", "/questions notes peut-être", refused=True),
    Run("modo", "/questions settings", MOD),
    Run(
        "modo",
        "/questions settings rappel:2 h alerte:1 jour heures_calmes:22h-8h nouveaux:activé",
        MOD,
        fallback="/questions settings nudge:2h escalate:1d quiet_hours:22h-8h newcomers:on",
    ),
    Run("modo", "/questions settings rappel:4", MOD, refused=True),
    Run("modo", "/questions settings rappel:2 jours", MOD, refused=True),
    Run("modo", "/questions settings heures_calmes:25h-8h", MOD, refused=True),
    # What the card shows, typed back as shown (without quotes).
    Run("modo", "/questions settings heures_calmes:de 22 h à 8 h attente:2 j 3 h nouveaux:désactivée", MOD),
    Run("modo", "/questions settings heures_calmes:aucune heure calme rappel:par défaut nouveaux:activée", MOD),
    Run(
        "modo",
        "/questions settings rappel:défaut alerte:défaut heures_calmes:défaut nouveaux:défaut attente:défaut",
        MOD,
    ),
    Advance(26, "questions"),
    Run("modo", "/question close {question:planning des ateliers} doublon", MOD),
    Run("modo", "/question close {question:planning des ateliers}", MOD, refused=True),
    Run("modo", "/question close abc doublon", MOD, refused=True),
    Run("alice", "/question close 1 doublon", refused=True),
    # ---------------------------------------------------------------- calendar
    Run("alice", "/charter show"),
    Run(
        "modo",
        "/charter set Une publication par semaine, des sources citées, un ton bienveillant.",
        MOD,
    ),
    Run("alice", "/charter show"),
    Run("alice", "/charter set Rien du tout", refused=True),
    Run(
        "modo",
        '/calendar add "Lettre de la semaine" #annonces "mercredi 9h" @alice hebdo 1j,2h',
        MOD,
        fallback='/calendar add "Lettre de la semaine" #annonces "mercredi 9h" @alice weekly 1d,2h',
    ),
    Run(
        "modo",
        '/calendar add titre:"Portrait de membre" salon:#annonces date:"2026-11-20 18:00" rédacteur:@bruno rappels:2h',
        MOD,
        fallback='/calendar add title:"Portrait de membre" channel:#annonces due:"2026-11-20 18:00" owner:@bruno '
        "remind:2h",
    ),
    Run(
        "modo",
        '/calendar add "Bilan du mois" #annonces "1 décembre 10h" répétition:mensuel',
        MOD,
        fallback='/calendar add "Bilan du mois" #annonces "1 décembre 10h" repeat:monthly',
    ),
    Run("modo", '/calendar add "Sans date" #annonces "la semaine des quatre jeudis"', MOD, refused=True),
    Run("modo", '/calendar add "Mauvaise date" #annonces "2026-13-45 25:00"', MOD, refused=True),
    Run(
        "modo",
        '/calendar add "Règle bizarre" #annonces "mardi 9h" répétition:parfois',
        MOD,
        refused=True,
        fallback='/calendar add "Règle bizarre" #annonces "mardi 9h" repeat:parfois',
    ),
    Run(
        "modo",
        '/calendar add "Rappel bizarre" #annonces "mardi 9h" rappels:bientôt',
        MOD,
        refused=True,
        fallback='/calendar add "Rappel bizarre" #annonces "mardi 9h" remind:bientôt',
    ),
    Run("modo", '/calendar add "Sans salon"', MOD, refused=True),
    Run("alice", '/calendar add "Par un membre" #annonces "mardi 9h"', refused=True),
    Run("alice", "/calendar list"),
    Run("alice", "/calendar list mois", fallback="/calendar list month"),
    Run("alice", "/calendar list tout rédacteur:@alice", fallback="/calendar list all owner:@alice"),
    Run("alice", "/calendar list année", refused=True, fallback="/calendar list range:année"),
    Run(
        "modo",
        '/calendar edit {entry:Portrait de membre:0} date:"2026-11-21 18:00"',
        MOD,
        fallback='/calendar edit {entry:Portrait de membre:0} due:"2026-11-21 18:00"',
    ),
    Run(
        "modo",
        "/calendar edit {entry:Lettre de la semaine:2} rappels:aucun étendue:série",
        MOD,
        fallback="/calendar edit {entry:Lettre de la semaine:2} remind:none scope:series",
    ),
    Run("modo", "/calendar edit 999 titre:Rien", MOD, refused=True, fallback="/calendar edit 999 title:Rien"),
    Run(
        "modo",
        "/calendar edit {entry:Lettre de la semaine:0} étendue:partout",
        MOD,
        refused=True,
        fallback="/calendar edit {entry:Lettre de la semaine:0} scope:partout",
    ),
    Run(
        "modo",
        "/calendar skip {entry:Lettre de la semaine:1} Vacances de la Toussaint",
        MOD,
    ),
    Run("modo", "/calendar skip {entry:Lettre de la semaine:1}", MOD, refused=True),
    Run("modo", "/calendar cancel {entry:Bilan du mois:1}", MOD),
    Run(
        "modo",
        "/calendar cancel {entry:Bilan du mois:1} étendue:série",
        MOD,
        fallback="/calendar cancel {entry:Bilan du mois:1} scope:series",
    ),
    Run("modo", "/calendar cancel 999", MOD, refused=True),
    Run("modo", "/calendar export", MOD),
    Run("modo", "/calendar import", MOD, file=("planning.csv", CSV)),
    Run("modo", "/calendar import", MOD, refused=True),
    Run("modo", "/calendar import", MOD, refused=True, file=("planning.csv", b"titre;salon\nx;y\n")),
    Advance(20, "calendar"),  # Tuesday 5:00 UTC: the reminders of Wednesday's letter
    Say("alice", "La lettre de la semaine est en ligne, bonne lecture", channel="annonces"),
    Run("alice", "/calendar done {entry:Lettre de la semaine:0}", refused=True),  # detected already
    Run(
        "modo",
        "/calendar done {entry:Atelier photo:0} lien:https://chat.example/evenements/atelier",
        MOD,
        fallback="/calendar done {entry:Atelier photo:0} link:https://chat.example/evenements/atelier",
    ),
    Run("alice", "/calendar done 999", refused=True),
    Advance(60, "calendar"),  # the portrait is overdue then missed
    # ---------------------------------------------------------------- filters and watch list
    Run("modo", '/filter add "likez si" action:signaler', MOD, fallback='/filter add "likez si" action:flag'),
    Run(
        "modo",
        "/filter add arnaque action:supprimer",
        MOD,
        fallback="/filter add arnaque action:delete",
        expect="→ supprimer",
    ),
    Run("modo", "/filter add pub gratuite signaler", MOD),  # the word ends the phrase: the bot says so
    Run(
        "modo",
        "/filter add [0-9]{4} euros regex:oui action:marquer",
        MOD,
        fallback="/filter add [0-9]{4} euros regex:yes action:tag",
    ),
    Run("modo", "/filter add (abc regex:oui", MOD, refused=True),
    Run("modo", "/filter add (abc regex:true", MOD, refused=True),
    Run("modo", "/filter add pourriel action:bannir", MOD, refused=True),
    Run("modo", "/filter add", MOD, refused=True),
    Run("alice", "/filter add gros mot", refused=True),
    Run("modo", "/filter bait activé", MOD, fallback="/filter bait on"),
    Run("modo", "/filter bait désactivé", MOD, fallback="/filter bait off"),
    Run("modo", "/filter bait état:activé", MOD, fallback="/filter bait state:on"),
    Run("modo", "/filter bait parfois", MOD, refused=True),
    Run("modo", "/filter exempt salon:#moderation", MOD, fallback="/filter exempt channel:#moderation"),
    Run("modo", "/filter exempt rôle:aidants", MOD, fallback="/filter exempt role:aidants"),
    Run("modo", "/filter add pourriel regex:peut-être", MOD, refused=True),
    Run("modo", "/filter exempt rôle:aidants état:désactivé", MOD, fallback="/filter exempt role:aidants state:off"),
    Run("modo", "/filter exempt", MOD, refused=True),
    Run("modo", "/filter list", MOD),
    Run("alice", "/filter list", refused=True),
    Run("modo", "/filter test Likez si vous êtes d’accord avec moi", MOD),
    Run("modo", "/filter test Une belle journée à Lille", MOD),
    Run("modo", "/filter remove règle:inexistante", MOD, refused=True, fallback="/filter remove rule:inexistante"),
    Say("bruno", "Likez si vous aimez Lille"),
    Say("david", "Une arnaque garantie, écrivez-moi"),
    Say("chloe", "Gagnez 5000 euros en une semaine"),
    Run("modo", "/filter remove 2", MOD),
    Run("alice", "/watch add rust, atelier, café"),
    Run("alice", "/watch add", refused=True),
    Run("alice", "/watch mute politique"),
    Run("alice", "/watch unmute politique"),
    Run("alice", "/watch unmute inconnu", refused=True),
    Run("alice", "/watch mute-author @david"),
    Run("alice", "/watch unmute-author @david"),
    Run("alice", "/watch mute-author @alice", refused=True),
    Run("alice", "/watch frequency quotidien", fallback="/watch frequency daily"),
    Run("alice", "/watch frequency hebdo", fallback="/watch frequency weekly"),
    Run("alice", "/watch frequency toujours", refused=True),
    Run("alice", "/watch frequency quotidien", fallback="/watch frequency daily"),
    Run("alice", "/watch list"),
    Run("alice", "/watch remove café"),
    Run("alice", "/watch remove jardinage", refused=True),
    Run("bruno", "/watch optout activé", fallback="/watch optout on"),
    Run("bruno", "/watch optout désactivé", fallback="/watch optout off"),
    Say("chloe", "Qui vient à l’atelier Rust jeudi soir avec moi"),
    Say("bruno", "Je viens à l’atelier, je prends des croissants"),
    Advance(24, "filters"),
    # ---------------------------------------------------------------- poll (example plugin)
    Run("alice", '/poll create "Quel jour vous convient le mieux ?" lundi | mardi | vendredi'),
    Run("alice", '/poll create "Une seule option" lundi', refused=True),
    Run("bruno", "/poll vote 1 2"),
    Run("chloe", "/poll vote sondage:1 option:3", fallback="/poll vote poll:1 option:3"),
    Run("chloe", "/poll vote 1 9", refused=True),
    Run("alice", "/poll results 1"),
    Run("alice", "/poll results 42", refused=True),
    # ---------------------------------------------------------------- digest
    Run("modo", "/digest settings", MOD),
    Run(
        "modo",
        "/digest settings jour:ven heure:18:00 période:semaine",
        MOD,
        fallback="/digest settings day:fri time:18:00 period:week",
    ),
    Run("modo", "/digest settings jour:vendredi", MOD, fallback="/digest settings day:fri"),
    Run("modo", "/digest settings jour:jamais", MOD, refused=True, fallback="/digest settings day:jamais"),
    Run("modo", "/digest settings heure:25:99", MOD, refused=True, fallback="/digest settings time:25:99"),
    Run("modo", "/digest preview", MOD),
    Run("alice", "/digest preview", refused=True),
    Run("alice", "/digest subscribe activé", refused=True),
    Run("modo", "/digest subscribe état:activé", MOD, fallback="/digest subscribe state:on"),
    Run("modo", "/digest send", MOD, refused=True),
    Advance(24 * 4, "digest"),  # past Friday 18:00: the weekly digest, the group digest, watch digests
    Run("modo", "/digest history", MOD),
    Run("modo", "/digest history nombre:5", MOD, fallback="/digest history count:5"),
    Run("modo", "/digest history nombre:500", MOD, refused=True, fallback="/digest history count:500"),
    Run("modo", "/digest send", MOD),
    Run("modo", "/digest export", MOD),
    Run("modo", "/digest export périodes:4", MOD, fallback="/digest export periods:4"),
    Run("modo", "/digest export périodes:0", MOD, refused=True, fallback="/digest export periods:0"),
    Run("modo", "/digest subscribe désactivé", MOD, fallback="/digest subscribe off"),
    # ---------------------------------------------------------------- the end of a group
    Run("bruno", "/group archive Café des langues"),
    Run("bruno", "/group archive Café des langues", refused=True),
)
