#!/usr/bin/env bash
# Installs the Debian packages that the server, browser and document tests need:
# PostgreSQL (Dagster shared-server profile), Chromium (UI and report screenshots),
# LibreOffice (proves report.docx opens). Idempotent; skips what is already there.
# Without root or apt-get it prints what is missing and those tests skip themselves,
# except under CI=true, where a missing package is an error.
set -uo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
fc-list 2>/dev/null | grep -qi "DejaVu Sans" || need+=(fonts-dejavu-core)
[ ${#need[@]} -eq 0 ] && { echo "system packages: all present"; exit 0; }
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing system packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  rc=$?
  [ $rc -eq 0 ] && { echo "system packages installed"; exit 0; }
  echo "apt-get install failed ($rc)" >&2
else
  echo "cannot install ${need[*]} (needs root and apt-get); the tests that need them will skip" >&2
fi
[ "${CI:-}" = "true" ] && exit 1
exit 0
