"""Give a student a working copy of the release that updates can never overwrite.

``make lab`` copies each chapter of notebooks/ into work/ only if work/ has no copy yet, then
opens JupyterLab there. A ``git pull`` or a new release changes notebooks/, never work/, so a
student's answers are not lost; a newer release is announced, not forced.
"""

from __future__ import annotations

import filecmp
import shutil
import sys

from .course import NOTEBOOKS, ROOT

WORK = ROOT / "work"


def sync() -> None:
    """Copy new chapters into work/; announce (never apply) newer releases of existing ones."""
    WORK.mkdir(exist_ok=True)
    for chapter in sorted(p for p in NOTEBOOKS.iterdir() if p.is_dir()):
        mine = WORK / chapter.name
        pristine = mine / ".release"  # the release as it was when copied, to detect updates
        if not mine.exists():
            shutil.copytree(chapter, mine)
            shutil.copytree(chapter, pristine)
            print(f"new chapter: work/{chapter.name}")
            continue
        for release in chapter.glob("*.ipynb"):
            copy, seen = mine / release.name, pristine / release.name
            if not copy.exists():
                shutil.copy(release, copy)
            elif seen.exists() and not filecmp.cmp(release, seen, shallow=False):
                update = mine / f"{release.stem}.new-release.ipynb"
                shutil.copy(release, update)
                print(f"a newer release is in {update.relative_to(ROOT)}; "
                      f"your {copy.name} is untouched")
            pristine.mkdir(exist_ok=True)
            shutil.copy(release, seen)


if __name__ == "__main__":
    sync()
    sys.exit(0)
