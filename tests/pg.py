"""A throwaway PostgreSQL server for tests, started and stopped by the tests themselves.

The server binaries come from the ``pgserver`` wheel (PostgreSQL 16, no system service and no
apt package needed); only its binaries are used, not its Python API (which adds system users and
opens up the permissions of parent folders when run as root). The driver is psycopg 3, the one
SQLAlchemy 2.1 uses for ``postgresql://`` URLs.

    with postgres_server(tmp_path) as url:      # postgresql+psycopg://postgres@/gradebook?host=...
        with Gradebook(url) as gb: ...

The server listens on a Unix socket in a fresh temporary folder only (no TCP port, so parallel
test workers cannot collide), trusts local connections, and runs without fsync. PostgreSQL refuses
to run as root: as root, the server runs as ``nobody``.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import shutil
import signal
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

RUN_AS = "nobody"              # the unprivileged account the server runs as when we are root
SUPERUSER = "postgres"         # the database superuser initdb creates
START_TIMEOUT = 30.0           # seconds: initdb, then the server accepting connections
STOP_TIMEOUT = 20.0            # seconds: a fast shutdown before harsher signals
_SOCKET_NAME = ".s.PGSQL.5432"
_MAX_SOCKET_PATH = 100         # Unix socket paths are limited to 107 bytes on Linux


def _install_dir() -> Path | None:
    """``.../site-packages/pgserver/pginstall`` (bin/, lib/, share/), without importing pgserver."""
    spec = importlib.util.find_spec("pgserver")
    if spec is None or not spec.submodule_search_locations:
        return None
    install = Path(list(spec.submodule_search_locations)[0]) / "pginstall"
    return install if (install / "bin" / "postgres").is_file() else None


def _run_as() -> tuple[int, int] | None:
    """(uid, gid) to run the server as, or None to run it as ourselves (when not root)."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None
    import pwd
    entry = pwd.getpwnam(RUN_AS)  # KeyError when missing: postgres_available() reports it
    return entry.pw_uid, entry.pw_gid


def _user_kwargs(ids: tuple[int, int] | None) -> dict:
    if ids is None:
        return {}
    return {"user": ids[0], "group": ids[1], "extra_groups": []}


@functools.lru_cache(maxsize=None)
def postgres_available() -> str | None:
    """None when :func:`postgres_server` can run here, else a one-line reason (for pytest.skip)."""
    install = _install_dir()
    if install is None:
        return "PostgreSQL binaries not found: pip install pgserver (in the dev extra)"
    if importlib.util.find_spec("psycopg") is None:
        return "psycopg is not installed: pip install 'psycopg[binary]' (in the dev extra)"
    try:
        ids = _run_as()
    except KeyError:
        return f"running as root and there is no user {RUN_AS!r} to run PostgreSQL as"
    for exe in ("initdb", "postgres"):
        try:
            done = subprocess.run([str(install / "bin" / exe), "--version"], capture_output=True,
                                  text=True, timeout=15)
        except (OSError, subprocess.TimeoutExpired) as err:
            return f"{exe} from pgserver does not run here: {err}"
        if done.returncode != 0:
            return f"{exe} from pgserver does not run here: {(done.stderr or done.stdout).strip()[:200]}"
    if ids is not None and not _can_traverse(Path(tempfile.gettempdir()).resolve(), ids):
        return f"user {RUN_AS!r} cannot reach the temporary folder {tempfile.gettempdir()}"
    return None


def _can_traverse(path: Path, ids: tuple[int, int]) -> bool:
    """Whether the user ``ids`` can reach ``path`` (x permission on it and on every parent)."""
    uid, gid = ids
    for part in [path, *path.parents]:
        st = part.stat()
        if st.st_uid == uid:
            bit = 0o100
        elif st.st_gid == gid:
            bit = 0o010
        else:
            bit = 0o001
        if not st.st_mode & bit:
            return False
    return True


def _traversable_dir(preferred: Path, ids: tuple[int, int] | None) -> Path:
    """``preferred`` if the server's user can reach it, else the system temporary folder."""
    preferred = preferred.resolve()
    if ids is None or _can_traverse(preferred, ids):
        return preferred
    fallback = Path(tempfile.gettempdir()).resolve()
    if _can_traverse(fallback, ids):
        return fallback
    raise RuntimeError(f"user {RUN_AS!r} can reach neither {preferred} nor {fallback}")


def _binaries_for(install: Path, ids: tuple[int, int] | None, scratch: Path) -> Path:
    """The pginstall folder the server's user can run: the installed one, or a copy in ``scratch``."""
    if ids is None:
        return install
    try:
        done = subprocess.run([str(install / "bin" / "postgres"), "--version"], capture_output=True,
                              timeout=15, **_user_kwargs(ids))
        if done.returncode == 0:
            return install
    except (OSError, subprocess.TimeoutExpired):
        pass
    # The virtual environment is not readable by that user: copy what the server needs, keeping
    # the wheel's layout (the binaries find libpq in ../../../pgserver.libs).
    copy = scratch / "bin" / "pgserver" / "pginstall"
    shutil.copytree(install, copy, symlinks=True)
    libs = install.parent.parent / "pgserver.libs"
    if libs.is_dir():
        shutil.copytree(libs, scratch / "bin" / "pgserver.libs", symlinks=True)
    for root, dirs, files in os.walk(scratch / "bin"):  # a+rX
        for name in dirs + files:
            path = Path(root) / name
            mode = path.lstat().st_mode
            if not stat.S_ISLNK(mode):
                path.chmod(mode | 0o444 | (0o111 if mode & 0o111 or stat.S_ISDIR(mode) else 0))
    (scratch / "bin").chmod(0o755)
    return copy


def _preexec_parent_death() -> None:
    """In the server process: get SIGQUIT (immediate shutdown) if the test process dies."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGQUIT))  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 (best effort; the normal path stops the server explicitly)
        pass


def _log_tail(log: Path, n: int = 15) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-n:])
    except OSError:
        return "(no log)"


def _stop(proc: subprocess.Popen) -> None:
    """Fast shutdown (SIGINT: disconnects clients), then immediate (SIGQUIT), then SIGKILL."""
    for sig, timeout in ((signal.SIGINT, STOP_TIMEOUT), (signal.SIGQUIT, 5.0), (signal.SIGKILL, 5.0)):
        if proc.poll() is not None:
            return
        try:
            proc.send_signal(sig)
            proc.wait(timeout=timeout)
            return
        except subprocess.TimeoutExpired:
            continue
        except ProcessLookupError:
            return


@contextmanager
def postgres_server(tmp_dir: str | os.PathLike, dbname: str = "gradebook") -> Iterator[str]:
    """Start a fresh PostgreSQL server, create an empty database ``dbname`` and yield its
    SQLAlchemy URL (``postgresql+psycopg://...``). On exit the server is stopped and its files
    are removed, also on error. Its files live in a new folder under ``tmp_dir`` (under the
    system temporary folder instead when, as root, ``nobody`` cannot reach ``tmp_dir``)."""
    reason = postgres_available()
    if reason is not None:
        raise RuntimeError(reason)
    import psycopg
    from sqlalchemy.engine import URL

    install = _install_dir()
    assert install is not None
    ids = _run_as()
    base = Path(tempfile.mkdtemp(prefix="pg-", dir=_traversable_dir(Path(tmp_dir), ids)))
    extra_socket_dir: Path | None = None
    proc: subprocess.Popen | None = None
    try:
        if len(str(base / _SOCKET_NAME)) > _MAX_SOCKET_PATH:
            extra_socket_dir = Path(tempfile.mkdtemp(prefix="pgs-", dir="/tmp"))
        socket_dir = extra_socket_dir or base
        data = base / "data"
        log = base / "postgres.log"
        if ids is not None:
            for d in (base, socket_dir):
                os.chown(d, *ids)
        bins = _binaries_for(install, ids, base) / "bin"

        deadline = time.monotonic() + START_TIMEOUT
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "TZ": "UTC"}
        initdb = subprocess.run(
            [str(bins / "initdb"), "-D", str(data), "-U", SUPERUSER, "--auth=trust",
             "--encoding=UTF8", "--locale=C", "--no-sync", "--no-instructions"],
            capture_output=True, text=True, env=env, cwd=base, timeout=START_TIMEOUT,
            **_user_kwargs(ids))
        if initdb.returncode != 0:
            raise RuntimeError(f"initdb failed ({initdb.returncode}): {initdb.stderr.strip()[-2000:]}")

        with open(log, "wb") as log_file:
            proc = subprocess.Popen(
                [str(bins / "postgres"), "-D", str(data), "-k", str(socket_dir),
                 "-c", "listen_addresses=", "-c", "fsync=off", "-c", "synchronous_commit=off",
                 "-c", "full_page_writes=off", "-c", "shared_buffers=16MB",
                 "-c", "max_connections=50"],
                stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT, env=env,
                cwd=base, start_new_session=True, preexec_fn=_preexec_parent_death,
                **_user_kwargs(ids))

        # ready when it accepts a connection; then create the database
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"postgres exited with {proc.returncode}:\n{_log_tail(log)}")
            try:
                with psycopg.connect(host=str(socket_dir), user=SUPERUSER, dbname="postgres",
                                     autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f'CREATE DATABASE "{dbname}"')
                break
            except psycopg.OperationalError as err:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"postgres not ready after {START_TIMEOUT:.0f} s: {err}\n"
                                       f"{_log_tail(log)}") from err
                time.sleep(0.05)

        yield URL.create("postgresql+psycopg", username=SUPERUSER, database=dbname,
                         query={"host": str(socket_dir)}).render_as_string(hide_password=False)
    finally:
        if proc is not None:
            _stop(proc)
        shutil.rmtree(base, ignore_errors=True)
        if extra_socket_dir is not None:
            shutil.rmtree(extra_socket_dir, ignore_errors=True)
