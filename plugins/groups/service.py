"""The groups service: every command's behaviour, assembled from the mixins by role."""

from __future__ import annotations

from plugins.groups.digests import GroupDigests
from plugins.groups.lifecycle import Lifecycle
from plugins.groups.membership import Membership
from plugins.groups.talk import Talk


class GroupsService(Lifecycle, Membership, Talk, GroupDigests):
    """Lifecycle (create, review, edit, archive), membership, views, talk and per-group digests, over one repo."""
