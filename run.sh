#!/usr/bin/env bash
# The main job: install, migrate the embedded SQLite database, load demo data, serve site + API + worker.
set -euo pipefail
cd "$(dirname "$0")"
[ -x .venv/bin/python ] || python3 -m venv .venv
# The Noto CJK fonts that credit reports (PDF) embed (Debian's fonts-noto-cjk), and gettext's msgfmt,
# which compiles the English translation.
if ! ls /usr/share/fonts/opentype/noto 2>/dev/null | grep -q CJK || ! command -v msgfmt >/dev/null 2>&1; then
  echo "安装中文字体（fonts-noto-cjk）与 gettext …"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk gettext) >/dev/null
fi
.venv/bin/pip install -q --disable-pip-version-check -e . 2>&1 | grep -v "^WARNING: Location" || true
export GOVCREDIT_DEBUG="${GOVCREDIT_DEBUG:-0}"
.venv/bin/govcredit migrate --noinput -v0
.venv/bin/govcredit compilemessages -v0 --ignore=.venv >/dev/null
.venv/bin/govcredit collectstatic --noinput -v0
.venv/bin/govcredit demo-data --seed "${GOVCREDIT_SEED:-1}" --scale "${GOVCREDIT_SCALE:-1}"
exec .venv/bin/govcredit serve --bind "${GOVCREDIT_BIND:-127.0.0.1:8000}"
