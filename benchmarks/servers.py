"""gunicorn for benchmarks, on loopback only, and the CPU its workers and their database backends use.

:func:`start_gunicorn` serves the production WSGI entry (``govcredit.wsgi``) on ``127.0.0.1`` and a free
port with the given settings module; :class:`CpuMeter` reads ``/proc/<pid>/stat`` of the gunicorn master
and workers and of the PostgreSQL backends of one database before and after a load, so that a request's
cost is stated in CPU milliseconds, which other work on a shared machine does not change as much as it
changes requests per second. :class:`WorkCpu` does the same for work done in this process (all its
threads) and by the PostgreSQL backends of its database, e.g. an import and the load it is compared with.
"""

from __future__ import annotations

import os
import resource
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
TICK = os.sysconf("SC_CLK_TCK")


def _gunicorn() -> str:
    """The gunicorn of this checkout's virtualenv, or of the interpreter running the benchmark."""
    import sys

    for candidate in (VENV_BIN / "gunicorn", Path(sys.executable).parent / "gunicorn"):
        if candidate.exists():
            return str(candidate)
    raise SystemExit("找不到 gunicorn（pip install gunicorn）")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_gunicorn(env: dict[str, str], workers: int, log_dir: Path, extra: list[str] | None = None,
                   ready_path: str = "/portal/") -> tuple[subprocess.Popen[bytes], str]:
    """Start ``gunicorn govcredit.wsgi`` on 127.0.0.1 with ``env`` added; return it and its base URL once it answers."""
    port = free_port()
    full_env = dict(os.environ, GOVCREDIT_DEBUG="0", GOVCREDIT_LOG_LEVEL="ERROR", **env)
    log = open(log_dir / f"gunicorn-{port}.log", "wb")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen([_gunicorn(), "govcredit.wsgi", "-w", str(workers), "--bind", f"127.0.0.1:{port}",
                             "--log-level", "warning", "--timeout", "60", *(extra or [])], cwd=ROOT, env=full_env,
                            stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        if proc.poll() is not None:
            break
        try:
            if status_of(base + ready_path) == 200:
                return proc, base
        except OSError:
            time.sleep(0.5)
    stop(proc)
    raise RuntimeError(f"gunicorn 未能启动，见 {log_dir}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:  # noqa: S310 - loopback
            return int(r.status)
    except urllib.error.HTTPError as e:
        return int(e.code)


def _proc_cpu(pid: int) -> float:
    """utime + stime of a process, in seconds (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def _processes(match: Callable[[int, int, str], bool]) -> dict[int, float]:
    out = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if match(int(entry.name), ppid, cmdline):
                out[int(entry.name)] = _proc_cpu(int(entry.name))
    return out


def _machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot."""
    parts = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = parts[3] + parts[4]
    return (sum(parts) - idle) / TICK, sum(parts) / TICK


class CpuMeter:
    """CPU seconds used by gunicorn (master and workers), the bench database's PostgreSQL backends and
    the whole machine between ``start`` and ``stop``: the cost of a request independent of what else runs."""

    def __init__(self, gunicorn_pid: int, dbname: str) -> None:
        self.match_app = lambda pid, ppid, cmd: pid == gunicorn_pid or ppid == gunicorn_pid
        self.match_db = lambda pid, ppid, cmd: cmd.startswith("postgres: ") and f" {dbname} " in cmd

    def start(self) -> None:
        self.app0, self.db0 = _processes(self.match_app), _processes(self.match_db)
        self.busy0 = _machine_busy()

    def stop(self) -> dict[str, float]:
        app1, db1 = _processes(self.match_app), _processes(self.match_db)
        busy1 = _machine_busy()
        app = sum(v - self.app0.get(k, 0.0) for k, v in app1.items())
        db = sum(v - self.db0.get(k, 0.0) for k, v in db1.items())
        return {"app": app, "db": db, "machine_busy": busy1[0] - self.busy0[0], "machine_total": busy1[1] - self.busy0[1]}


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class WorkCpu:
    """CPU seconds of this process (every thread) and of one database's PostgreSQL backends during a
    ``with`` block. Backends are sampled every ``every`` seconds, so that one which exits inside the
    block (a writer thread's connection) is counted up to its last sample; the sampling thread's own
    CPU is left out of this process's figure. ``dbname`` None: this process only (SQLite)."""

    def __init__(self, dbname: str | None, every: float = 0.1) -> None:
        self.dbname = dbname
        self.every = every
        self.process = 0.0
        self.database = 0.0
        self._stop = threading.Event()
        self._sampler_cpu = 0.0
        self._first: dict[int, float] = {}
        self._last: dict[int, float] = {}

    def _match(self, pid: int, ppid: int, cmd: str) -> bool:
        return cmd.startswith("postgres: ") and f" {self.dbname} " in cmd

    def _sample(self) -> None:
        for pid, cpu in _processes(self._match).items():
            self._first.setdefault(pid, 0.0)  # a backend that started inside the block: all its CPU counts
            self._last[pid] = cpu

    def _run(self) -> None:
        start = time.thread_time()
        while not self._stop.wait(self.every):
            self._sample()
        self._sampler_cpu = time.thread_time() - start

    def __enter__(self) -> WorkCpu:
        if self.dbname:
            self._first = _processes(self._match)
            self._last = dict(self._first)
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()
        self._cpu0 = _own_cpu()
        return self

    def __exit__(self, *exc: object) -> None:
        own = _own_cpu()
        if self.dbname:
            self._stop.set()
            self._thread.join()
            self._sample()
            self.database = sum(cpu - self._first.get(pid, 0.0) for pid, cpu in self._last.items())
        self.process = own - self._cpu0 - self._sampler_cpu

    @property
    def total(self) -> float:
        return self.process + self.database
