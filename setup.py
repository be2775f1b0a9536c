"""The package list, for setuptools (everything else is in pyproject.toml).

The schema migrations live in the top-level migrations/ folder, one sub-folder per owner, beside bot/
and plugins/; a wheel installs them as the package data of `bot._migrations` (bot/_migrations/<owner>/),
where bot/storage/migrations.py finds them. `[tool.setuptools.packages.find]` cannot add a package whose
folder has another name, so the discovered packages and the mapped ones are listed here.
"""

from setuptools import find_namespace_packages, setup

MIGRATIONS = ["bot._migrations", *(f"bot._migrations.{owner}" for owner in find_namespace_packages(where="migrations"))]

setup(
    packages=[*find_namespace_packages(include=["bot*", "plugins*"]), *MIGRATIONS],
    package_dir={"bot._migrations": "migrations"},
)
