"""Who is an admin or a moderator on Slack, through signed slash commands to the real bolt app and the
fake Slack: the admins and owners of this workspace, and the members of the community's moderators
user group. A member of another organisation in a shared (Slack Connect) channel, whose `users.info`
says `is_admin` about their own workspace, and a guest, are plain members whatever their flags or
user groups say."""

from __future__ import annotations

from pathlib import Path

from tests.slack.fake_slack import FakeSlack, guest
from tests.slack.rig import Rig, running


def workspace() -> FakeSlack:
    """UX admins another organisation (T2) and talks to us through a shared channel; UG is a guest
    flagged admin (Slack never does so, but a flag is not a right); both are in the user group S1
    with Bob (U2)."""
    fake = FakeSlack()
    fake.users.update(
        {
            "UX": {**fake.users["UADMIN"], "id": "UX", "name": "otto", "team_id": "T2"},
            "UG": {**guest("UG", "gina"), "is_admin": True},
        }
    )
    fake.usergroups = [{"id": "S1", "users": ["U2", "UX", "UG"]}]
    return fake


async def level(rig: Rig, user: str, key: str) -> str:
    """The level the probe command saw for `user`."""
    await rig.command("/probe", "add 1 1", user=user, response=key)
    return str((await rig.response(key))["text"]).rsplit("level ", 1)[1].rstrip(")")


async def test_an_admin_of_another_organisation_or_a_guest_is_a_member_here(tmp_path: Path) -> None:
    async with running(tmp_path, fake=workspace()) as rig:
        assert await level(rig, "UADMIN", "home") == "ADMIN"
        assert await level(rig, "UX", "foreign") == "MEMBER"
        assert await level(rig, "UG", "guest") == "MEMBER"
        await rig.command("/settings", "show", user="UX", response="denied")
        denied = await rig.response("denied")
        assert denied["response_type"] == "ephemeral" and "/settings show is for moderators only." in denied["text"]


async def test_the_moderators_user_group_is_not_borrowed_by_a_foreign_member_or_a_guest(tmp_path: Path) -> None:
    async with running(tmp_path, fake=workspace()) as rig:
        await rig.command(
            "/settings", "role purpose:moderators role:<!subteam^S1|@mods>", user="UADMIN", response="set"
        )
        assert "Role S1 is now used for moderators." in (await rig.response("set"))["text"]
        assert await level(rig, "U2", "bob") == "MODERATOR"
        for user in ("UX", "UG"):
            await rig.command("/settings", "show", user=user, response=user)
            assert "is for moderators only" in (await rig.response(user))["text"]


async def test_a_member_slack_cannot_describe_gets_no_role(tmp_path: Path) -> None:
    # users.info fails for UZ (unknown to it): nothing says UZ is a full member here, so the moderators
    # user group UZ is listed in must not make a moderator.
    fake = workspace()
    fake.usergroups = [{"id": "S1", "users": ["U2", "UZ"]}]
    async with running(tmp_path, fake=fake) as rig:
        await rig.command(
            "/settings", "role purpose:moderators role:<!subteam^S1|@mods>", user="UADMIN", response="set"
        )
        assert "Role S1 is now used for moderators." in (await rig.response("set"))["text"]
        assert await level(rig, "U2", "bob") == "MODERATOR"
        await rig.command("/settings", "show", user="UZ", response="unknown")
        assert "is for moderators only" in (await rig.response("unknown"))["text"]
