"""The build step that puts the browser pages' files inside the wheel.

Everything else about the package is in pyproject.toml. The playground (and any other
page the server renders) loads its scripts from npm packages; in a checkout they are
served from `node_modules/`, but an installed wheel has no checkout beside it. So
building a wheel copies the few files the pages use, each with its package's
`package.json` (the playground checks the version) and licence, into
`content_graph/assets/<package>/`: the layout of `node_modules`, which
`content_graph.playground` reads the same way. Nothing is written into the source tree
but `node_modules/` itself, which `make assets` makes too; both are git-ignored.

When a file is missing from `node_modules/` and `npm` is there, the build runs
`npm install` first (the versions package.json pins). Without npm the wheel is built
without them and its pages load their scripts from the CDN, as a checkout without npm
does.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
# Where the files go inside the wheel: `content_graph.playground.PACKAGED_ASSETS`.
ASSETS_DIR = Path("content_graph", "assets")
# The browser files the wheel carries, as (npm package, path inside it): the one list
# to extend when a page needs another file. tests/test_install.py checks that every
# file the playground serves is here.
BROWSER_FILES: tuple[tuple[str, str], ...] = (
    ("react", "umd/react.production.min.js"),
    ("react-dom", "umd/react-dom.production.min.js"),
    ("graphiql", "graphiql.min.js"),
    ("graphiql", "graphiql.min.css"),
    ("cytoscape", "dist/cytoscape.min.js"),
)
# Copied beside the files of each package: its version, and its terms.
PACKAGE_FILES = ("package.json", "LICENSE", "LICENSE.md", "LICENSE.txt")


# The checkout's folders a wheel carries inside the package, so that an installed
# `content-graph serve` has data to serve and its playground its example tabs:
# `content_graph.settings.shipped_folder`.
SHIPPED_DIR = Path("content_graph", "shipped")
SHIPPED_FOLDERS = ("data", "examples")


class BuildWithBrowserAssets(build_py):
    """setuptools' build_py, then the browser files and the shipped folders into the
    build's package folder."""

    def run(self) -> None:
        super().run()
        # An editable install runs from the checkout, whose node_modules is served as is.
        if getattr(self, "editable_mode", False):
            return
        for folder in SHIPPED_FOLDERS:
            if (ROOT / folder).is_dir():
                shutil.copytree(
                    ROOT / folder, Path(self.build_lib) / SHIPPED_DIR / folder, dirs_exist_ok=True
                )
        node_modules = ROOT / "node_modules"
        if _installable(_missing(node_modules)):
            _npm_install()
        target = Path(self.build_lib) / ASSETS_DIR
        for package, path in BROWSER_FILES:
            source = node_modules / package
            if not (source / path).is_file():
                self.warn(f"{package}/{path} is not installed: the page loads it from the CDN")
                continue
            for name in (*PACKAGE_FILES, path):
                if (source / name).is_file():
                    (target / package / name).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(source / name, target / package / name)


def _missing(node_modules: Path) -> set[str]:
    """The packages some of whose files are not installed."""
    return {
        package for package, path in BROWSER_FILES if not (node_modules / package / path).is_file()
    }


def _installable(packages: set[str]) -> bool:
    """True when package.json names one of `packages`, so `npm install` would bring it."""
    try:
        manifest = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return bool(packages & set(manifest.get("dependencies", {})))


def _npm_install() -> None:
    npm = shutil.which("npm")
    if npm is None:
        return
    # A failed install (offline, say) leaves the files out; the build itself goes on.
    subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=ROOT,
        check=False,
    )


setup(cmdclass={"build_py": BuildWithBrowserAssets})
