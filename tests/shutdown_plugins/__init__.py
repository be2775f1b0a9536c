"""Test-only plugins for tests/test_shutdown.py, added to `plugins.__path__` by its launcher."""
