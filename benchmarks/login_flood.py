#!/usr/bin/env python
"""Do failed logins slow everyone? The public portal's latency while one address floods the login form.

    .venv/bin/python benchmarks/login_flood.py [--attempts 48] [--concurrency 12] [--workers 3] [--old]

On a throwaway database (``benchmarks/database.py``), gunicorn serves the site on loopback with
``--workers`` sync workers, as ``govcredit serve`` does. The portal's landing page is timed alone, then
again while ``--concurrency`` threads send ``--attempts`` logins with random user names from 127.0.0.1
(each first fetches the form for its CSRF token). ``--spread`` gives every attempt its own client address
(``X-Forwarded-For`` behind one trusted proxy), as a flood from many machines: then no throttle applies and
what is left is the cost of the hashes. ``--old`` runs the configuration before the fix
(``benchmarks/login_flood_old_settings.py``). Everything stays on 127.0.0.1 and is bounded by the counts.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import re
import secrets
import statistics
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.database import throwaway_database  # noqa: E402
from benchmarks.servers import start_gunicorn, stop  # noqa: E402

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def timed_get(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as r:  # noqa: S310 - loopback
        r.read()
    return (time.perf_counter() - started) * 1000


def failed_login(base: str, spread: bool) -> int:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{base}/accounts/login/", timeout=60) as r:
        token = TOKEN.search(r.read().decode())
    data = urllib.parse.urlencode({"username": f"nobody-{secrets.token_hex(4)}", "password": "wrong-password",
                                   "csrfmiddlewaretoken": token.group(1) if token else ""}).encode()
    headers = {"Referer": f"{base}/"}
    if spread:
        headers["X-Forwarded-For"] = f"198.18.{secrets.randbelow(256)}.{secrets.randbelow(256)}"
    request = urllib.request.Request(f"{base}/accounts/login/", data=data, headers=headers)
    try:
        with opener.open(request, timeout=60) as r:
            return int(r.status)
    except urllib.error.HTTPError as e:
        return int(e.code)


def main() -> None:
    parser = argparse.ArgumentParser(description="登录洪泛对门户响应时间的影响（仅本机回环）")
    parser.add_argument("--attempts", type=int, default=48)
    parser.add_argument("--concurrency", type=int, default=12)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="gunicorn --threads（>1 即 gthread 工作方式）")
    parser.add_argument("--spread", action="store_true", help="每次尝试来自不同地址（经一层可信代理）")
    parser.add_argument("--old", action="store_true", help="修复前的登录配置")
    args = parser.parse_args()
    settings_module = "benchmarks.login_flood_old_settings" if args.old else "govcredit.settings"
    with throwaway_database("login") as tmp:
        from django.core.management import call_command

        call_command("createcachetable", verbosity=0)
        env = {"DJANGO_SETTINGS_MODULE": settings_module, "PYTHONPATH": str(ROOT), "GOVCREDIT_PORTAL_RATE": "0",
               "GOVCREDIT_PROXIES": "1" if args.spread else "0"}
        server, base = start_gunicorn(env, args.workers, tmp, ["--threads", str(args.threads), "--timeout", "120"])
        try:
            alone = [timed_get(f"{base}/portal/") for _ in range(30)]
            during: list[float] = []
            done = threading.Event()

            def probe() -> None:
                while not done.is_set():
                    during.append(timed_get(f"{base}/portal/"))
                    time.sleep(0.05)

            prober = threading.Thread(target=probe)
            started = time.perf_counter()
            prober.start()
            with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
                answers = list(pool.map(lambda _: failed_login(base, args.spread), range(args.attempts)))
            flood = time.perf_counter() - started
            done.set()
            prober.join()
        finally:
            stop(server)
    counts = {code: answers.count(code) for code in sorted(set(answers))}
    print(f"configuration: {'before the fix' if args.old else 'current'}; gunicorn --workers {args.workers} --threads {args.threads}; "
          f"{args.attempts} failed logins, {args.concurrency} at a time, "
          f"{'each from its own address' if args.spread else 'one address'}")
    print(f"portal alone:        median {statistics.median(alone):7.1f} ms  (n={len(alone)})")
    print(f"portal during flood: median {statistics.median(during):7.1f} ms  "
          f"p95 {sorted(during)[int(0.95 * (len(during) - 1))]:7.1f} ms  max {max(during):7.1f} ms  (n={len(during)})")
    print(f"flood took {flood:.1f} s; login answers by status: {counts}")


if __name__ == "__main__":
    main()
