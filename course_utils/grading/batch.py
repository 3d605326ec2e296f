"""Grade a whole class at once: every submission of the chapters named, N at a time.

    python -m course_utils.grading.batch 01_losses 03_optimizers --jobs 2
    make autograde JOBS=2                       # the same for every chapter

Each worker process runs nbgrader's own ``autograde`` for one submission at a time (so the
gradebook, formgrader, feedback and export work unchanged); the student's code runs in that
worker's sandbox. The gradebook is SQLite in the course folder, or any SQLAlchemy URL in
``COURSE_DB_URL`` (PostgreSQL for a large class or several grading machines).

Resuming: a submission is graded again only when its notebook changed since it was last graded
(``--force`` grades everything). A submission whose grading fails is reported and skipped; the
batch goes on, and the exit status says whether anything failed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

MARKER = ".graded.json"


def _digest(folder: Path) -> str:
    """A hash of everything the student handed in for one chapter."""
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(folder)).encode() + b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()


def db_url(root: Path) -> str:
    """The gradebook: COURSE_DB_URL, or SQLite in the course folder that waits for a lock."""
    url = os.environ.get("COURSE_DB_URL")
    if url:
        return url
    return f"sqlite:///{root / 'gradebook.db'}?timeout=120"


def pending(root: Path, chapter: str, force: bool) -> list[tuple[str, str]]:
    """(student, digest) of the submissions of ``chapter`` that need grading."""
    todo = []
    for folder in sorted((root / "submitted").glob(f"*/{chapter}")):
        if not folder.is_dir():
            continue
        student = folder.parent.name
        digest = _digest(folder)
        marker = root / "autograded" / student / chapter / MARKER
        if not force and marker.is_file():
            try:
                if json.loads(marker.read_text()).get("digest") == digest:
                    continue
            except (OSError, ValueError):
                pass
        todo.append((student, digest))
    return todo


def register(root: Path, chapter: str) -> None:
    """Put the chapter (with its hidden tests) into the gradebook, without touching notebooks/."""
    with tempfile.TemporaryDirectory() as scratch:
        command = [sys.executable, "-m", "nbgrader", "generate_assignment", chapter, "--force",
                   f"--CourseDirectory.release_directory={scratch}",
                   f"--CourseDirectory.db_url={db_url(root)}"]
        env = {**os.environ, "PATH": os.pathsep.join([str(Path(sys.executable).parent),
                                                      os.environ.get("PATH", "")])}
        result = subprocess.run(command, cwd=root, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise RuntimeError(f"nbgrader generate_assignment {chapter} failed:\n{result.stderr[-3000:]}")


_API = None


def _init_worker(root: str, slots) -> None:
    global _API
    os.chdir(root)
    with slots.get_lock():
        slot = slots.value
        slots.value += 1
    os.environ["COURSE_GRADING_SLOT"] = str(slot)
    os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    import warnings

    from nbgrader.apps.api import NbGraderAPI
    from nbgrader.apps.baseapp import NbGrader
    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", category=SAWarning)   # nbgrader's own, harmless

    app = NbGrader()
    app.initialize([f"--CourseDirectory.db_url={db_url(Path(root))}", "--log-level=WARN"])
    _API = NbGraderAPI(config=app.config)


def _grade_one(chapter: str, student: str, digest: str) -> dict:
    start = time.perf_counter()
    try:
        result = _API.autograde(chapter, student, force=True, create=True)
    except Exception as error:  # nbgrader itself failed on this submission: report, go on
        result = {"success": False, "error": f"{type(error).__name__}: {error}"}
    seconds = time.perf_counter() - start
    out = {"chapter": chapter, "student": student, "seconds": seconds,
           "success": bool(result.get("success")), "error": str(result.get("error") or "")[-2000:]}
    if out["success"]:
        from nbgrader.api import Gradebook
        with Gradebook(db_url(Path.cwd())) as gb:
            submission = gb.find_submission(chapter, student)
            out["score"], out["max_score"] = submission.score, submission.max_score
        marker = Path("autograded") / student / chapter / MARKER
        marker.write_text(json.dumps({"digest": digest, "score": out["score"]}))
    return out


def grade_class(root: Path, chapters: list[str], jobs: int, force: bool = False,
                echo=print) -> list[dict]:
    """Grade every pending submission of ``chapters`` with ``jobs`` workers; return the results."""
    root = root.resolve()
    tasks = []
    for chapter in chapters:
        register(root, chapter)
        todo = pending(root, chapter, force)
        total = len(list((root / "submitted").glob(f"*/{chapter}")))
        echo(f"{chapter}: {len(todo)} of {total} submissions to grade")
        tasks += [(chapter, student, digest) for student, digest in todo]
    results: list[dict] = []
    if not tasks:
        return results
    slots = multiprocessing.get_context("spawn").Value("i", 0)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=max(1, jobs), mp_context=context,
                             initializer=_init_worker, initargs=(str(root), slots)) as pool:
        futures = {pool.submit(_grade_one, *task): task for task in tasks}
        for future in as_completed(futures):
            chapter, student, _ = futures[future]
            try:
                out = future.result()
            except BrokenProcessPool:
                out = {"chapter": chapter, "student": student, "success": False, "seconds": 0.0,
                       "error": "a grading worker died; run again to resume"}
            except Exception as error:
                out = {"chapter": chapter, "student": student, "success": False, "seconds": 0.0,
                       "error": f"{type(error).__name__}: {error}"}
            results.append(out)
            if out["success"]:
                echo(f"  graded  {chapter} {student}: {out['score']:g}/{out['max_score']:g} "
                     f"({out['seconds']:.1f} s)")
            else:
                first = (out["error"].strip().splitlines() or ["unknown error"])[-1]
                echo(f"  SKIPPED {chapter} {student}: {first}")
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="+")
    parser.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1,
                        help="worker processes (default: the number of cores)")
    parser.add_argument("--force", action="store_true", help="grade every submission again")
    parser.add_argument("--root", default=".", help="the course folder (default: here)")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    root = Path(args.root)
    if not (root / "nbgrader_config.py").is_file():
        parser.error(f"{root.resolve()} has no nbgrader_config.py: is it the course folder?")
    start = time.perf_counter()
    results = grade_class(root, args.chapters, args.jobs, args.force)
    failed = [r for r in results if not r["success"]]
    graded = len(results) - len(failed)
    wall = time.perf_counter() - start
    print(f"graded {graded} submission(s), skipped {len(failed)}, in {wall:.1f} s with {args.jobs} worker(s)")
    for r in failed:
        print(f"  not graded: {r['chapter']} {r['student']}: {r['error'].strip()[-300:]}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
