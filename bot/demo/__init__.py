"""The demo (`affinity-bot demo`): a synthetic community played for twelve weeks through the real app, then
the last week's digest as files. `run.py` drives it, `world.py` holds the members, their messages and the
in-memory platform.

Its own ring, outside the core: it uses only the public API (the app, the configuration, the clock, the
neutral model and the plugin API), never a plugin module or a core internal, and only the command line
(`bot/__main__.py`) imports it. tests/test_architecture.py checks both.
"""
