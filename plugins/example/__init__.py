"""Polls, the reference plugin that docs/writing-a-plugin.md builds step by step.

Commands: `/poll create question options` (2 to 5 options separated by `|`), `/poll vote poll option`
(one vote per member; voting again replaces it), `/poll results poll`.

Tables (migrations/example/0001_polls.sql): `example_polls` (question, options as JSON, author),
`example_votes` (one row per member and poll). Settings (`ExampleSettings`): max_options (5).
Privacy: a member's votes and the polls they created are exported; forgetting deletes the votes and
removes the author's name from the polls (the question stays for the others who voted).

Shipped disabled: add `example: {}` under `plugins:` in config.yaml to try it.
"""

# Read by bot/discovery.py without importing the feature: a reference plugin, so off unless configured.
ENABLED_BY_DEFAULT = False
