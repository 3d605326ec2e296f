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
