#!/usr/bin/env bash
# The whole test suite: lint, types, then pytest against SQLite and against PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -e '.[dev]' 2>&1 | grep -v "^WARNING: Location" || true
# Debian's chromium for the browser tests, and the Noto CJK fonts the credit reports' PDFs embed (and
# screenshots show).
# gettext's msgfmt compiles the English translation.
if ! command -v chromium >/dev/null 2>&1 || ! command -v msgfmt >/dev/null 2>&1 \
   || ! ls /usr/share/fonts/opentype/noto 2>/dev/null | grep -q CJK; then
  echo "安装浏览器测试所需的 Debian chromium、中文字体与 gettext …"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk gettext) >/dev/null
fi
PG_URL="${GOVCREDIT_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/test}"
if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  echo "启动 PostgreSQL …"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
.venv/bin/ruff check .
.venv/bin/mypy govcredit
.venv/bin/lint-imports --no-logo
.venv/bin/govcredit compilemessages -v0 --ignore=.venv >/dev/null
workers="${GOVCREDIT_TEST_WORKERS:-2}"
echo "== pytest on SQLite =="
env -u DATABASE_URL .venv/bin/pytest -n "$workers" -q "$@"
echo "== pytest on PostgreSQL ($PG_URL) =="
DATABASE_URL="$PG_URL" .venv/bin/pytest -n "$workers" -q "$@"
# The suite must pass on any date: the non-browser tests again with the project's clock moved to a
# working day in mid-2027 and to a public holiday (国庆节 2026-10-05); the generated-input probes run
# in the two main runs only.
for day in 2027-06-16 2026-10-05; do
  echo "== pytest on SQLite as if on $day (non-browser tests) =="
  env -u DATABASE_URL GOVCREDIT_TEST_TODAY="$day" .venv/bin/pytest -n "$workers" -q -m "not browser and not probe" "$@"
done
