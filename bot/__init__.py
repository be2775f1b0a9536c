"""affinity-bot: a self-hosted community bot for Discord, Slack and a local console."""

__version__ = "0.1.0"
