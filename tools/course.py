"""Facts about the repository that every tool needs: where things are, the list of chapters,
and the repository URL (written once, in _config.yml)."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
NOTEBOOKS = ROOT / "notebooks"
BOOK = ROOT / "book"


def chapters() -> list[str]:
    """Chapter ids ("01_losses", ...) in book order: folders of solutions/ holding <id>/<id>.ipynb."""
    return sorted(p.name for p in SOLUTIONS.iterdir() if (p / f"{p.name}.ipynb").is_file())


def source_notebook(chapter: str) -> Path:
    return SOLUTIONS / chapter / f"{chapter}.ipynb"


def release_notebook(chapter: str) -> Path:
    return NOTEBOOKS / chapter / f"{chapter}.ipynb"


def repository() -> tuple[str, str]:
    """(url, branch) of the course's public repository, from _config.yml."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    repo = config["repository"]
    return repo["url"].rstrip("/"), repo.get("branch", "main")


def toc_chapters(toc: Path | None = None) -> list[str]:
    """Chapter ids named in _toc.yml (entries ``notebooks/<id>/<id>``), in book order."""
    data = yaml.safe_load((toc or ROOT / "_toc.yml").read_text())
    found = []
    for part in data.get("parts", []):
        for item in part.get("chapters", []):
            name = str(item.get("file", ""))
            if name.startswith("notebooks/"):
                found.append(name.split("/")[1])
    return found


def toc_problems(toc: Path | None = None, solutions: Path | None = None) -> list[str]:
    """What is wrong between _toc.yml and the chapters in solutions/ (empty when they agree)."""
    root = solutions or SOLUTIONS
    have = sorted(p.name for p in root.iterdir() if (p / f"{p.name}.ipynb").is_file())
    listed = toc_chapters(toc)
    problems = [f"solutions/{c}/ is a chapter but _toc.yml has no entry "
                f"'- file: notebooks/{c}/{c}' (python -m tools.new_chapter adds it)"
                for c in have if c not in listed]
    problems += [f"_toc.yml lists notebooks/{c}/{c} but solutions/{c}/{c}.ipynb does not exist"
                 for c in listed if c not in have]
    if [c for c in listed if c in have] != [c for c in have if c in listed]:
        problems.append(f"_toc.yml lists the chapters out of order: {listed}")
    return problems
