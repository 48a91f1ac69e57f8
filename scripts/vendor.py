"""Vendor the browser libraries the pages use into server/static/vendor/, and those only the
browser tests use into tests/browser/vendor/, from npm:

    python scripts/vendor.py        # needs node and npm; run it after changing scripts/vendor/

It installs the packages pinned in scripts/vendor/package.json and package-lock.json into a
scratch directory (``npm ci --ignore-scripts``), copies only the built browser files named in
FILES below into <target>/<name>/ with each package's licence, and writes a README.md in each
target (name, version, licence, source files, and the packages each one's build bundles). The
copied files are committed: serving the pages never needs npm, a CDN or any request off the
server, and a test-only library (axe-core) is never served.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PINS = ROOT / "scripts" / "vendor"
STATIC = ROOT / "server" / "static" / "vendor"
TESTS = ROOT / "tests" / "browser" / "vendor"

FILES: dict[str, tuple[Path, str, list[str]]] = {
    # npm package: (target, directory under it, its built browser files)
    "@zazuko/yasgui": (STATIC, "yasgui", ["build/yasgui.min.js", "build/yasgui.min.css"]),
    "vis-timeline": (
        STATIC,
        "vis-timeline",
        [
            "standalone/umd/vis-timeline-graph2d.min.js",
            "styles/vis-timeline-graph2d.min.css",
        ],
    ),
    "cytoscape": (STATIC, "cytoscape", ["dist/cytoscape.min.js"]),
    "chart.js": (STATIC, "chart.js", ["dist/chart.umd.min.js"]),
    # injected into pages by the browser tests' accessibility check, never served
    "axe-core": (TESTS, "axe-core", ["axe.min.js"]),
}
Row = tuple[str, dict[str, str], str, list[str], list[str]]
"""One vendored package: name, its package.json, its directory, its files, what it bundles."""


LICENCE_NAMES = (
    "LICENSE",
    "LICENSE.md",
    "LICENSE.txt",
    "LICENSE.MIT.txt",
    "LICENSE.Apache-2.0.txt",
    "LICENSE-3RD-PARTY.txt",
)


def licence_files(package: str, installed: Path) -> list[Path]:
    """The licence files a package ships, or the one kept in scripts/vendor/licenses/ for a
    package that ships none (its text says why)."""
    found = [installed / name for name in LICENCE_NAMES if (installed / name).is_file()]
    if found:
        return found
    kept = PINS / "licenses" / (package.replace("/", "-") + ".txt")
    if not kept.is_file():
        sys.exit(f"error: {package} ships no licence file; add {kept.relative_to(ROOT)}.")
    return [kept]


def bundled(package: str, lock: dict[str, dict[str, Any]]) -> list[str]:
    """The installed packages a package depends on, transitively, peers included (its browser
    build bundles them), as ``name version: licence`` lines, sorted."""
    seen: set[str] = set()
    todo = [package]
    while todo:
        name = todo.pop()
        entry = lock.get("node_modules/" + name, {})
        names = [*entry.get("dependencies", {}), *entry.get("peerDependencies", {})]
        for dependency in names:
            if dependency not in seen:
                seen.add(dependency)
                todo.append(dependency)
    lines = []
    for name in sorted(seen):
        if found := lock.get("node_modules/" + name):
            lines.append(f"{name} {found['version']}: {found.get('license') or 'unstated'}")
    return lines


def main() -> int:
    """Install, copy, describe; exit 0 done, 2 could not run (npm missing or failing)."""
    if shutil.which("npm") is None:
        print("error: npm is not installed; apt-get install npm, then run again.", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="dipkg-vendor-") as scratch:
        for name in ("package.json", "package-lock.json"):
            shutil.copy(PINS / name, Path(scratch) / name)
        done = subprocess.run(
            ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--silent"],
            cwd=scratch,
            check=False,
        )
        if done.returncode != 0:
            print("error: npm ci failed (see above); nothing was changed.", file=sys.stderr)
            return 2
        lock = json.loads((Path(scratch) / "package-lock.json").read_text())["packages"]
        targets = sorted({target for target, _, _ in FILES.values()})
        for target in targets:
            if target.exists():
                shutil.rmtree(target)
        rows: dict[Path, list[Row]] = {target: [] for target in targets}
        for package, (target, directory, files) in FILES.items():
            installed = Path(scratch) / "node_modules" / package
            meta = json.loads((installed / "package.json").read_text())
            out = target / directory
            out.mkdir(parents=True)
            for file in files:
                shutil.copy(installed / file, out / Path(file).name)
            licences = licence_files(package, installed)
            for licence in licences:
                kept = licence.parent == PINS / "licenses"
                shutil.copy(licence, out / ("LICENSE" if kept else licence.name))
            rows[target].append((package, meta, directory, files, bundled(package, lock)))
    for target, vendored in rows.items():
        (target / "README.md").write_text(readme(vendored), encoding="utf-8")
        print(f"vendored {len(vendored)} packages into {target.relative_to(ROOT)}")
    return 0


def readme(rows: list[Row]) -> str:
    """The README.md of one target directory, for the packages vendored there."""
    lines = [
        "# Vendored browser libraries",
        "",
        "Written by `python scripts/vendor.py` from the pins in `scripts/vendor/package.json` and",
        "`package-lock.json`; do not edit by hand. Each directory holds the package's built files",
        "as npm ships them and its licence. Nothing is fetched at run time.",
        "",
        "| package | version | licence | directory | source files |",
        "|---|---|---|---|---|",
    ]
    for package, meta, directory, files, _ in rows:
        sources = ", ".join(f"`{f}`" for f in files)
        lines.append(
            f"| `{package}` | {meta['version']} | {meta.get('license', 'unstated')} | "
            f"`{directory}/` | {sources} |"
        )
    for package, meta, _, _, dependencies in rows:
        if dependencies:
            lines += ["", f"`{package}` {meta['version']} bundles its dependencies:", ""]
            lines += [f"- {d}" for d in dependencies]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
