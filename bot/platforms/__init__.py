"""Platform adapters: the only code that talks to Discord, Slack or the terminal."""
