"""The course tools: a student's working copy is never overwritten; packaging keeps Colab's
preinstalled versions."""

from __future__ import annotations

import tomllib

from packaging.requirements import Requirement

from nbtools import ROOT
from tools.workspace import sync


def test_workspace_never_overwrites_and_announces_new_releases(tmp_path, capsys):
    """Does `make lab` copy a chapter once, keep the student's edits through a new release,
    and put the new release beside their file instead?"""
    release, work = tmp_path / "notebooks", tmp_path / "work"
    (release / "01_x").mkdir(parents=True)
    (release / "01_x" / "01_x.ipynb").write_text("release 1")
    sync(release, work)
    mine = work / "01_x" / "01_x.ipynb"
    assert mine.read_text() == "release 1"

    mine.write_text("my answers")
    sync(release, work)  # nothing new: nothing happens
    assert mine.read_text() == "my answers"
    assert not (work / "01_x" / "01_x.new-release.ipynb").exists()

    (release / "01_x" / "01_x.ipynb").write_text("release 2")
    (release / "02_y").mkdir()
    (release / "02_y" / "02_y.ipynb").write_text("chapter 2")
    capsys.readouterr()
    sync(release, work)
    assert mine.read_text() == "my answers"
    assert (work / "01_x" / "01_x.new-release.ipynb").read_text() == "release 2"
    assert (work / "02_y" / "02_y.ipynb").read_text() == "chapter 2"
    assert "your 01_x.ipynb is untouched" in capsys.readouterr().out


def test_dependency_ranges_keep_colab_versions():
    """Do pyproject's ranges admit what Colab preinstalls (torch 2.x, ipywidgets 7.7.1), so the
    set-up cell's install keeps them, and keep Jupyter Book below 2?"""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = {Requirement(r).name: Requirement(r) for r in project["dependencies"]}
    assert requirements["ipywidgets"].specifier.contains("7.7.1")
    assert requirements["ipywidgets"].specifier.contains("8.1.5")
    for version in ("2.5.1", "2.8.0", "2.15.0"):
        assert requirements["torch"].specifier.contains(version)
    book = [Requirement(r) for r in project["optional-dependencies"]["book"]]
    jupyter_book = next(r for r in book if r.name == "jupyter-book")
    assert jupyter_book.specifier.contains("1.0.4") and not jupyter_book.specifier.contains("2.0.0")
