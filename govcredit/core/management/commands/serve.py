"""`govcredit serve`: the site and API (gunicorn) plus the task worker and scheduler (django-q2)."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand

WEB_THREADS = 4


def gunicorn_command(bind: str, workers: int) -> list[str]:
    """The web server's command line. Threads in each worker (gthread), so that a slow request such as a
    login's password hash does not hold the process from the pages behind it (benchmarks/login_flood.py).
    gunicorn names itself in the ``Server`` header without a version (and Django adds none); the access
    log goes to standard output."""
    return [sys.executable, "-m", "gunicorn", "govcredit.wsgi", "--bind", bind, "--workers", str(workers),
            "--threads", str(WEB_THREADS), "--access-logfile", "-"]


def _wait_until_listening(bind: str, web: subprocess.Popen[bytes], seconds: float = 60) -> None:
    """Return once the web server accepts connections on ``bind`` (or has exited, or after ``seconds``),
    so that the ready message is true when it is printed."""
    host, _, port = bind.rpartition(":")
    deadline = time.monotonic() + seconds
    while web.poll() is None and time.monotonic() < deadline:
        try:
            with socket.create_connection((host.strip("[]") or "127.0.0.1", int(port)), timeout=1):
                return
        except (OSError, ValueError):
            time.sleep(0.2)


class Command(BaseCommand):
    help = "启动网站与接口（gunicorn）以及后台任务和定时任务（django-q2）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--web-workers", type=int, default=3)

    def handle(self, *args: Any, **opts: Any) -> None:
        python = sys.executable
        procs = [
            subprocess.Popen([python, "-m", "govcredit.cli", "qcluster"]),  # noqa: S603
            subprocess.Popen(gunicorn_command(opts["bind"], opts["web_workers"])),  # noqa: S603
        ]
        _wait_until_listening(opts["bind"], procs[1])
        site = f"http://{opts['bind']}"
        self.stdout.write(self.style.SUCCESS(f"网站已就绪：{site}/    公开门户：{site}/portal/    接口文档：{site}/api/docs"))
        self.stdout.write("后台任务与定时任务已启动；按 Ctrl+C 停止。")

        def stop(*_: Any) -> None:
            for p in procs:
                if p.poll() is None:
                    p.terminate()

        # A SIGTERM to `serve` stops both children; the loop below then ends because one has exited.
        signal.signal(signal.SIGTERM, stop)
        try:
            while all(p.poll() is None for p in procs):
                try:
                    procs[1].wait(timeout=1)
                except subprocess.TimeoutExpired:
                    continue
        except KeyboardInterrupt:
            pass
        finally:
            stop()
            for p in procs:
                try:
                    p.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    p.kill()
