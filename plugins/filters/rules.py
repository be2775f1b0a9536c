"""Community filter rules: what `/filter` does to add, remove, list and test rules, the built-in bait list
and exemptions (the typed line of `/filter add` is read by `typed_line`)."""

from __future__ import annotations

from bot.folding import closest, fold
from bot.i18n import Msg, Text, _, join, n_, term
from bot.model import Capability, ChannelRef, CommunityRef, Reply, UserRef
from bot.plugin import Choice, CommandError, Invocation, PluginContext
from plugins.filters.bait import BAIT_PATTERNS, BAIT_PHRASES
from plugins.filters.engine import Engine
from plugins.filters.matcher import RuleSpec
from plugins.filters.normalise import MIN_PHRASE_LENGTH, normalise, normalise_phrase, significant_length
from plugins.filters.patterns import PROGRAM_BUDGET, Pattern, compile_pattern, regex_problem
from plugins.filters.repo import FiltersRepo
from plugins.filters.settings import FiltersSettings
from plugins.filters.typed_line import legacy_form, typed_arguments, unquoted_last_word

LIST_LIMIT = 60
# The action's choice word (`flag`, `signaler`) is what replies show: the word a moderator types. The label
# describes it (Discord's choice name, the help); the aliases are other spellings a moderator may type.
ACTION_CHOICES: tuple[Choice, ...] = (
    Choice("tag", _("tag as noise"), aliases=("bruit", "marque", "noise")),
    Choice("flag", _("flag to the moderators"), aliases=("signale", "signalement", "report")),
    Choice("delete", _("delete the message"), aliases=("suppression", "effacer", "remove")),
)
_SHOWN_LIMIT = 60  # characters of a phrase in an autocomplete entry (Discord cuts a choice name at 100)


def action_word(action: str) -> Msg:
    """The action as a moderator reads and types it (`flag`, `signaler`)."""
    return term(action, "choice")


def _describe(rule: RuleSpec, shown: str | None = None) -> Msg:
    """`#3 “likez si” → flag`, with the pattern and built-in marks, in the reader's words."""
    # Ids are shown as typed back (`#1234`), never grouped like a quantity ("1,234").
    values = {"id": str(rule.id), "phrase": rule.shown if shown is None else shown, "action": action_word(rule.action)}
    if rule.is_regex and rule.builtin:
        return _("#{id} “{phrase}” (pattern, ★ built-in) → {action}", **values)
    if rule.is_regex:
        return _("#{id} “{phrase}” (pattern) → {action}", **values)
    if rule.builtin:
        return _("#{id} “{phrase}” (★ built-in) → {action}", **values)
    return _("#{id} “{phrase}” → {action}", **values)


class FilterRules:
    """`/filter ...` for moderators. A change tells the engine, which rebuilds the community's matcher at the
    next message."""

    def __init__(self, ctx: PluginContext, repo: FiltersRepo, engine: Engine, settings: FiltersSettings) -> None:
        self.ctx = ctx
        self.repo = repo
        self.engine = engine
        self.settings = settings

    async def add(self, inv: Invocation, phrase: str, action: str | None = None, regex: bool | None = None) -> Reply:
        """`/filter add tag a friend action:flag` (also the older `/filter add "tag a friend" flag`)."""
        community = inv.community.key
        raw = typed_arguments(inv)
        spellings = self._action_spellings()
        legacy = legacy_form(raw, phrase, spellings)
        if legacy is not None:
            phrase, word = legacy
            if action is not None and action != word:
                raise CommandError(
                    _(
                        "Two actions were given: “{first}” and “{second}”.",
                        first=action_word(word),
                        second=action_word(action),
                    ),
                    _("Keep one: `/filter add <phrase...> action:<tag|flag|delete>`."),
                )
            action = word
        last_word = unquoted_last_word(raw, phrase) if not regex else ""
        trailing = spellings.get(fold(last_word)) if last_word else None
        action, regex = action or "tag", bool(regex)
        typed, normal = self._checked_phrase(phrase, regex)
        existing = await self.repo.find_rule(community, normal, regex)
        if existing is not None:
            raise CommandError(
                _("There is already a rule for “{phrase}” (#{id}).", phrase=typed, id=str(existing)),
                _("Remove it with `/filter remove {id}` to change its action.", id=str(existing)),
            )
        if await self.repo.count_rules(community) >= self.settings.max_rules:
            raise CommandError(
                n_(
                    "This community already has {count} filter rule, the most allowed.",
                    "This community already has {count} filter rules, the most allowed.",
                    self.settings.max_rules,
                ),
                _("Remove rules you no longer need with `/filter remove`."),
            )
        if regex and await self.repo.count_rules(community, regex=True) >= self.settings.max_regex_rules:
            # Each pattern is one more pass over every message (phrases share one automaton pass).
            raise CommandError(
                _(
                    "This community already has the most pattern rules allowed ({limit}).",
                    limit=self.settings.max_regex_rules,
                ),
                _(
                    "Prefer plain phrases, which cost nothing more per rule, or remove patterns you "
                    "no longer need with `/filter remove`."
                ),
            )
        if regex:
            await self._check_budget(community, typed)
        await self.repo.add_rules(community, [(typed, normal, action, regex, False)], self.ctx.clock.now())
        self.engine.changed_rules(community)
        rule_id = await self.repo.find_rule(community, normal, regex)
        parts: list[Text] = [
            _("Rule #{id} added: “{phrase}” → {action}.", id=str(rule_id), phrase=typed, action=action_word(action))
        ]
        if trailing is not None:
            parts.append(
                _(
                    "The phrase ends with “{word}”, so it is part of the phrase. To choose the action, "
                    "remove this rule with `/filter remove {id}` and add it again with `action:{action}`.",
                    word=last_word,
                    action=action_word(trailing),
                    id=str(rule_id),
                )
            )
        parts += await self._action_warnings(inv.community, action)
        return Reply(text=join(parts))

    def _action_spellings(self) -> dict[str, str]:
        """Folded spelling -> action, for every way a moderator may type an action in the typed line: the
        value, its word in every language, its aliases (what `action:` accepts too)."""
        found: dict[str, str] = {}
        for option in ACTION_CHOICES:
            for spelling in (option.value, *self.ctx.translator.spellings(option.word), *option.aliases):
                found.setdefault(fold(spelling), option.value)
        return found

    def _checked_phrase(self, phrase: str, regex: bool) -> tuple[str, str]:
        typed = " ".join(phrase.split()) if not regex else phrase.strip()
        if regex:
            if not typed:
                raise CommandError(_("The pattern is empty."), _("Give a phrase or a pattern to catch."))
            refusal = regex_problem(typed)
            if refusal is not None:
                raise CommandError(_("This pattern is refused: {reason}", reason=refusal.reason), refusal.hint)
            return typed, typed
        normal = normalise_phrase(typed)
        if significant_length(normal) < MIN_PHRASE_LENGTH:
            raise CommandError(
                _("“{phrase}” is too short: it would catch far too many messages.", phrase=typed),
                _("Use a word or phrase of at least two letters."),
            )
        return typed, normal

    async def _check_budget(self, community: str, pattern: str) -> None:
        """Refuse a pattern that would take the community's patterns over `PROGRAM_BUDGET` instructions: a
        message costs at worst its length times that total, whatever the patterns are."""
        compiled = compile_pattern(pattern)  # accepted by `_checked_phrase`: compiled again from RE2's cache
        if not isinstance(compiled, Pattern):
            return
        used = sum(p.size for _rule, p in (await self.engine.rules_for(community)).patterns)
        if used + compiled.size > PROGRAM_BUDGET:
            raise CommandError(
                _(
                    "The community's patterns would get too large to run on every message: they use "
                    "{used} units of {budget}, and this one needs {size}.",
                    used=used,
                    budget=PROGRAM_BUDGET,
                    size=compiled.size,
                ),
                _(
                    "Remove patterns you no longer need (`/filter list`), or use plain phrases, "
                    "which cost nothing more per rule."
                ),
            )

    async def _action_warnings(self, community: CommunityRef, action: str) -> list[Text]:
        notes: list[Text] = []
        if action == "delete" and Capability.DELETE_MESSAGE not in self.ctx.messenger.capabilities(community):
            notes.append(_("This platform does not let the bot delete messages: matches will be flagged instead."))
        if action in ("flag", "delete") and (await self.ctx.communities.get(community)).channel("moderation") is None:
            notes.append(
                _(
                    "No moderation channel is set, so flags go nowhere: "
                    "`/settings channel purpose:moderation channel:#mods`."
                )
            )
        return notes

    async def remove(self, inv: Invocation, rule: str) -> Reply:
        """`/filter remove 12` or `/filter remove tag a friend`."""
        community = inv.community.key
        rules = await self.repo.rules(community)
        found = _find_rule(rules, rule)
        if found is None:
            suggestions = closest(rule, [r.shown for r in rules])
            hint: Text = (
                _("Did you mean “{suggestion}”?", suggestion=suggestions[0])
                if suggestions
                else _("See the rules and their numbers with `/filter list`.")
            )
            raise CommandError(_("There is no filter rule “{rule}”.", rule=rule), hint)
        await self.repo.remove_rule(community, found.id)
        self.engine.changed_rules(community)
        return Reply(text=_("Rule #{id} “{phrase}” removed.", id=str(found.id), phrase=found.shown))

    async def complete(self, community: CommunityRef, user: UserRef, prefix: str) -> list[Choice]:
        """Rules whose phrase contains what was typed."""
        wanted = normalise_phrase(prefix)
        rules = await self.repo.rules(community.key)
        hits = [r for r in rules if wanted in normalise_phrase(r.shown) or prefix.strip("#") == str(r.id)]
        return [Choice(str(r.id), _describe(r, _cut(r.shown))) for r in hits[:25]]

    async def show(self, inv: Invocation) -> Reply:
        """`/filter list`."""
        rules = await self.repo.rules(inv.community.key)
        exemptions = await self.repo.exemptions(inv.community.key)
        if not rules and not exemptions:
            return Reply(
                text=join(
                    [
                        _("There are no filter rules yet."),
                        _(
                            "Add one with `/filter add phrase action:tag|flag|delete`, or switch on "
                            "the built-in engagement-bait list with `/filter bait on`."
                        ),
                    ]
                ),
                ephemeral=True,
            )
        disabled = {rule.id: refusal for rule, refusal in (await self.engine.rules_for(inv.community.key)).disabled}
        lines: list[Text] = [n_("{count} filter rule (★ built-in):", "{count} filter rules (★ built-in):", len(rules))]
        for rule in rules[:LIST_LIMIT]:
            lines.append(_describe(rule))
            refusal = disabled.get(rule.id)
            if refusal is not None:
                lines.append(_("   ↳ disabled: {reason}", reason=refusal.reason))
        if len(rules) > LIST_LIMIT:
            lines.append(n_("…and {count} more rule.", "…and {count} more rules.", len(rules) - LIST_LIMIT))
        for exemption in exemptions:
            lines.append(_("Exempt: {what}", what=self._exemption_name(inv.community, exemption.kind, exemption.value)))
        return Reply(text=join(lines), ephemeral=True)

    def _exemption_name(self, community: CommunityRef, kind: str, value: str) -> str:
        if kind == "role":
            return value
        return f"#{self.ctx.directory.channel_name(ChannelRef(community.platform, community.workspace_id, value))}"

    async def test(self, inv: Invocation, text: str) -> Reply:
        """`/filter test Tag a friend who needs this!`."""
        matcher = await self.engine.rules_for(inv.community.key)
        padded = normalise(text)
        hits = await matcher.screen(padded, text)
        lines: list[Text] = [_("Normalised text: `{text}`", text=padded.strip()[:300] or "-")]
        if not hits:
            lines.append(_("No rule matches."))
        for hit in hits:
            lines.append(
                _(
                    "#{id} “{phrase}” matches “{found}” (compared as `{normal}`) → {action}",
                    id=str(hit.rule.id),
                    phrase=hit.rule.shown,
                    found=hit.found,
                    normal=hit.normal,
                    action=action_word(hit.rule.action),
                )
            )
        if matcher.disabled:
            lines.append(
                _(
                    "Disabled patterns, never run (see `/filter list`): {rules}.",
                    rules=", ".join(f"#{rule.id}" for rule, _refusal in matcher.disabled),
                )
            )
        if matcher.exempt(inv.channel.channel_id, inv.event.user_roles):
            lines.append(_("Note: this channel or one of your roles is exempt, so nothing would happen here."))
        return Reply(text=join(lines), ephemeral=True)

    async def set_bait(self, inv: Invocation, state: str) -> Reply:
        """`/filter bait on`: the built-in phrases become ordinary `tag` rules marked built-in."""
        community = inv.community.key
        if state == "off":
            removed = await self.repo.remove_builtin(community)
            self.engine.changed_rules(community)
            return Reply(
                text=n_(
                    "Built-in bait rules switched off: {count} rule removed.",
                    "Built-in bait rules switched off: {count} rules removed.",
                    removed,
                )
            )
        rules = [(p, normalise_phrase(p), "tag", False, True) for p in BAIT_PHRASES]
        rules += [(p, p, "tag", True, True) for p in BAIT_PATTERNS]
        added = await self.repo.add_rules(community, rules, self.ctx.clock.now())
        self.engine.changed_rules(community)
        return Reply(
            text=join(
                [
                    n_(
                        "Built-in bait rules switched on: {count} rule added.",
                        "Built-in bait rules switched on: {count} rules added.",
                        added,
                    ),
                    _(
                        "They tag matching messages as noise; edit them like any rule with "
                        "`/filter list` and `/filter remove`."
                    ),
                ]
            )
        )

    async def set_exemption(
        self, inv: Invocation, channel: ChannelRef | None = None, role: str | None = None, state: str = "on"
    ) -> Reply:
        """`/filter exempt channel:#mods`, `/filter exempt role:@Staff state:off`."""
        if channel is None and not (role or "").strip():
            raise CommandError(
                _("Name a channel or a role to exempt."),
                _("For example `/filter exempt channel:#moderators` or `/filter exempt role:@Staff`."),
            )
        exempt = state == "on"
        changed = []
        if channel is not None:
            await self.repo.set_exemption(inv.community.key, "channel", channel.channel_id, exempt)
            changed.append(f"#{self.ctx.directory.channel_name(channel)}")
        if role and role.strip():
            role_id = role.strip().strip("<@&>").lstrip("@")
            await self.repo.set_exemption(inv.community.key, "role", role_id, exempt)
            changed.append(role_id)
        self.engine.changed_rules(inv.community.key)
        what = ", ".join(changed)
        return Reply(
            text=_("Exempt from filters: {what}.", what=what)
            if exempt
            else _("No longer exempt from filters: {what}.", what=what)
        )


def _cut(phrase: str) -> str:
    """A phrase short enough for an autocomplete entry."""
    return phrase if len(phrase) <= _SHOWN_LIMIT else phrase[: _SHOWN_LIMIT - 1] + "…"


def _find_rule(rules: list[RuleSpec], raw: str) -> RuleSpec | None:
    wanted = raw.strip().lstrip("#")
    if wanted.isdigit():
        return next((r for r in rules if r.id == int(wanted)), None)
    normal = normalise_phrase(raw)
    return next((r for r in rules if r.phrase == raw.strip() or (not r.is_regex and r.phrase == normal)), None)
