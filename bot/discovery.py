"""Plugin discovery: the one place that knows which plugins exist. Every sub-package of `plugins/` is a
plugin; the configuration defaults, the validation of `plugins:` names, the fuzz test and the demo all
derive from this scan, so adding a plugin means adding its folder and nothing else.

A plugin package may set two module attributes in its `__init__.py`:
- `ENABLED_BY_DEFAULT = False`: shipped, but left out of the defaults (enabled by naming it in
  `config.yaml`);
- `ORDER = <int>`: where it comes among the enabled plugins when the configuration does not list them
  (their start order, the order of their digest sections and export keys); default 100, ties by name.

Only the package's `__init__` is imported here, never its plugin module: reading the defaults stays cheap
and pulls in no feature code.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from pathlib import Path

import plugins as plugins_package

DEFAULT_ORDER = 100


def plugins_root() -> Path:
    """The folder holding the plugin packages."""
    return Path(plugins_package.__path__[0])


@cache
def available_plugins() -> tuple[str, ...]:
    """Names of every plugin package shipped in `plugins/`, sorted by name."""
    return tuple(sorted(m.name for m in pkgutil.iter_modules(plugins_package.__path__) if m.ispkg))


def _package_attribute(name: str, attribute: str, default: object) -> object:
    return getattr(importlib.import_module(f"{plugins_package.__name__}.{name}"), attribute, default)


@cache
def default_plugins() -> tuple[str, ...]:
    """The plugins enabled when the configuration names none: every available one not opted out, in order."""
    enabled = [
        name for name in available_plugins() if _package_attribute(name, "ENABLED_BY_DEFAULT", True) is not False
    ]

    def position(name: str) -> tuple[int, str]:
        order = _package_attribute(name, "ORDER", DEFAULT_ORDER)
        return (order if isinstance(order, int) else DEFAULT_ORDER, name)

    return tuple(sorted(enabled, key=position))
