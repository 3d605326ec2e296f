"""Regenerate the student release (notebooks/) from the chapter sources (solutions/).

Runs nbgrader's own ``generate_assignment`` for every chapter, after refreshing the header cells
and clearing any outputs left in the sources. The release is a generated file: never edit
notebooks/ by hand; ``python -m tools.release --check`` (and a test) fail when it is stale.

    python -m tools.release              # regenerate every chapter
    python -m tools.release 03_optim     # only the chapters named
    python -m tools.release --check      # exit 1 if notebooks/ differs from a fresh generation
"""

from __future__ import annotations

import argparse
import filecmp
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

from . import headers
from .course import ROOT, chapters, release_notebook, source_notebook


def clear_outputs(path: Path) -> bool:
    """Remove outputs and execution counts from a source notebook; return whether it changed."""
    nb = nbformat.read(path, as_version=4)
    changed = False
    for cell in nb.cells:
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None):
            cell.outputs, cell.execution_count = [], None
            changed = True
    if changed:
        nbformat.write(nb, path)
    return changed


def generate(root: Path, chapter: str, *, db: bool = False) -> None:
    """nbgrader generate_assignment for one chapter, in the course directory ``root``."""
    command = [sys.executable, "-m", "nbgrader", "generate_assignment", chapter, "--force"]
    if not db:
        command.append("--no-db")
    result = subprocess.run(command, cwd=root, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"nbgrader generate_assignment {chapter} failed:\n{result.stderr}")


def stale_chapters() -> list[str]:
    """Chapters whose committed release differs from what nbgrader generates now."""
    stale = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shutil.copy(ROOT / "nbgrader_config.py", root)
        shutil.copytree(ROOT / "solutions", root / "solutions")
        for chapter in chapters():
            generate(root, chapter)
            fresh = root / "notebooks" / chapter
            committed = release_notebook(chapter).parent
            if not committed.is_dir():
                stale.append(chapter)
                continue
            comparison = filecmp.dircmp(fresh, committed, ignore=[".ipynb_checkpoints"])
            if comparison.left_only or comparison.right_only or comparison.diff_files:
                stale.append(chapter)
            elif any(not filecmp.cmp(fresh / f, committed / f, shallow=False)
                     for f in comparison.common_files):
                stale.append(chapter)
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", help="chapter ids (default: all)")
    parser.add_argument("--check", action="store_true", help="only report a stale release")
    args = parser.parse_args(argv)
    unknown = set(args.chapters) - set(chapters())
    if unknown:
        parser.error(f"unknown chapters {sorted(unknown)}; the chapters are {chapters()}")
    if args.check:
        stale = stale_chapters()
        if stale:
            print("notebooks/ is stale for:", ", ".join(stale), "(run `make release`)")
            return 1
        print("notebooks/ is up to date")
        return 0
    headers.main(args.chapters)
    for chapter in args.chapters or chapters():
        if clear_outputs(source_notebook(chapter)):
            print(f"cleared outputs in {source_notebook(chapter)}")
        generate(ROOT, chapter)
        print(f"released {release_notebook(chapter)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
