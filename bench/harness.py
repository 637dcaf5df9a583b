"""Running the real server for load and fault runs (bench/load.py, bench/faults.py and the
quick versions in tests/): gunicorn with the project's gunicorn.conf.py on 127.0.0.1, a
throwaway database (SQLite file or a new PostgreSQL database), a TCP proxy in front of the
database that can be cut and restored, and a ledger check of acknowledged consents."""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
SECRET = "harness-secret"
SITE = "bench"
# Rate limits stay on in load and fault runs, far above the load (every client is 127.0.0.1).
HIGH_LIMITS = {f"CONSENT_RATELIMIT_{name}": "100000000 per minute" for name in (
    "DEFAULT", "SITE", "CONFIG", "CONFIG_SITE", "CONSENTS", "CONSENTS_SITE", "EVENTS", "EVENTS_SITE",
    "VISITORS", "VISITORS_SITE")}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def throwaway_database(pg_url: str | None):
    """A fresh database URL: a new database on ``pg_url``'s server (dropped afterwards),
    or a SQLite file in a temporary folder."""
    if not pg_url:
        with tempfile.TemporaryDirectory(prefix="consent-bench-") as tmp:
            yield f"sqlite:///{tmp}/bench.db"
        return
    from sqlalchemy import create_engine, make_url, text

    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def server_env(db_url: str, port: int, **extra: str) -> dict:
    env = dict(os.environ, CONSENT_DATABASE_URL=db_url, CONSENT_SECRET_KEY=SECRET,
               CONSENT_BIND=f"127.0.0.1:{port}", PYTHONPATH=str(ROOT))
    env.update(extra)
    return env


def cli(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    out = subprocess.run([str(VENV_BIN / "consent-server"), *args], env=env, cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    if check and out.returncode != 0:
        raise RuntimeError(f"consent-server {' '.join(args)} failed:\n{out.stdout}\n{out.stderr}")
    return out


def prepare(env: dict, site: str = "bench", origin: str = "http://127.0.0.1") -> None:
    """Schema by migrations, one site."""
    cli(env, "db", "upgrade")
    cli(env, "site", "create", "--key", site, "--domain", origin)


@contextlib.contextmanager
def serving(db_url: str, workers: int = 2):
    """A started Gunicorn on a free port over ``db_url`` (migrated, site SITE whose domain
    is the server's own origin, limits HIGH_LIMITS); stopped (SIGTERM) at the end."""
    port = free_port()
    env = server_env(db_url, port, **HIGH_LIMITS)
    prepare(env, SITE, f"http://127.0.0.1:{port}")
    server = Gunicorn(env, workers=workers)
    server.start()
    try:
        yield server
    finally:
        server.stop()


class Gunicorn:
    """gunicorn -c gunicorn.conf.py on env's CONSENT_BIND; logs go to files in ``logdir``."""

    def __init__(self, env: dict, workers: int = 2, logdir: str | None = None, threads: int = 4):
        self.env = dict(env, CONSENT_WORKERS=str(workers), CONSENT_THREADS=str(threads))
        self.url = "http://" + env["CONSENT_BIND"]
        self.logdir = Path(logdir or tempfile.mkdtemp(prefix="consent-gunicorn-"))
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    def start(self, timeout: float = 30) -> None:
        self.starts += 1
        out = open(self.logdir / f"stdout.{self.starts}.log", "wb")
        err = open(self.logdir / f"stderr.{self.starts}.log", "wb")
        self.proc = subprocess.Popen([str(VENV_BIN / "gunicorn"), "-c", "gunicorn.conf.py",
                                      "consent_server:create_app()"],
                                     env=self.env, cwd=ROOT, stdout=out, stderr=err)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}: {self.logs()[-2000:]}")
            try:
                with urllib.request.urlopen(self.url + "/.well-known/gpc.json", timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not answer in time")

    def workers(self) -> list[int]:
        """Process ids of the master's children (the workers)."""
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.proc.pid:
                pids.append(int(stat.parent.name))
        return sorted(pids)

    def kill_worker(self) -> int:
        pid = self.workers()[0]
        os.kill(pid, signal.SIGKILL)
        return pid

    def kill_all(self) -> None:
        """kill -9 the master and every worker: no shutdown code runs."""
        workers = self.workers()
        self.proc.send_signal(signal.SIGKILL)
        for pid in workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.kill_all()

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.logdir.glob("*.log")))


class TcpProxy:
    """127.0.0.1:port -> target. ``cut()``: close the listener and every connection (the
    database is "down": connections are refused); ``restore()``: listen again."""

    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self.port = free_port()
        self._conns: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self.restore()

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        listener, self._listener = self._listener, None
        if listener:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept() (Linux)
            listener.close()
        with self._lock:
            conns, self._conns = self._conns, set()
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()

    close = cut

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._conns.update((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)


def ledger_check(db_url: str, site_key: str, acknowledged: dict[int, str]) -> dict:
    """Every acknowledged consent (record id -> hash from the 201 answer) is in the ledger
    with that hash, and the site's chain verifies."""
    from sqlalchemy import select

    from consent_server import create_app
    from consent_server.extensions import db
    from consent_server.models import ConsentRecord
    from consent_server.services import ledger, sites

    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url, "SECRET_KEY": SECRET})
    with app.app_context():
        site = sites.get_by_key(site_key)
        stored = dict(db.session.execute(select(ConsentRecord.id, ConsentRecord.hash)
                                         .where(ConsentRecord.site_id == site.id)).all())
        missing = [rid for rid, h in acknowledged.items() if stored.get(rid) != h]
        verification = ledger.verify(site, SECRET)
        db.session.remove()
        db.engine.dispose()
    return {"acknowledged": len(acknowledged), "stored": len(stored), "missing": missing,
            "verified": verification.ok, "verify": verification.describe()}
