"""Give a student a working copy of the release that updates can never overwrite.

``make lab`` copies each chapter of notebooks/ into work/ only if work/ has no copy yet, then
opens JupyterLab there. A ``git pull`` or a new release changes notebooks/, never work/, so a
student's answers are not lost; a newer release is announced, not forced.
"""

from __future__ import annotations

import filecmp
import shutil
import sys
from pathlib import Path

from .course import NOTEBOOKS, ROOT

WORK = ROOT / "work"


def sync(release: Path = NOTEBOOKS, work: Path = WORK) -> None:
    """Copy new chapters into ``work``; announce (never apply) newer releases of existing ones."""
    work.mkdir(exist_ok=True)
    for chapter in sorted(p for p in release.iterdir() if p.is_dir()):
        mine = work / chapter.name
        pristine = mine / ".release"  # the release as it was when copied, to detect updates
        if not mine.exists():
            shutil.copytree(chapter, mine)
            shutil.copytree(chapter, pristine)
            print(f"new chapter: {mine}")
            continue
        for notebook in chapter.glob("*.ipynb"):
            copy, seen = mine / notebook.name, pristine / notebook.name
            if not copy.exists():
                shutil.copy(notebook, copy)
            elif seen.exists() and not filecmp.cmp(notebook, seen, shallow=False):
                update = mine / f"{notebook.stem}.new-release.ipynb"
                shutil.copy(notebook, update)
                print(f"a newer release is in {update}; your {copy.name} is untouched")
            pristine.mkdir(exist_ok=True)
            shutil.copy(notebook, seen)


if __name__ == "__main__":
    sync()
    sys.exit(0)
