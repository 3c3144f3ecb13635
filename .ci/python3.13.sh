#!/usr/bin/env bash
# CPython 3.13 for the second test run, into PREFIX (default ~/.cache/edition-ci/python3.13).
#
# No registry this project reaches ships a 3.13 for Debian 12 (bookworm): PyPI, npm and
# `uv python install` fetch interpreters from GitHub. Debian 13 (trixie) carries CPython
# 3.13's upstream source tarball in its source package, which apt fetches and checks
# against trixie's signed Release file; it is built here against bookworm's own
# libraries (nothing from trixie is installed). About 2 to 7 minutes on two cores; a
# second run finds it built and does nothing.
set -euo pipefail
PREFIX=${1:-$HOME/.cache/edition-ci/python3.13}
if [ -x "$PREFIX/bin/python3.13" ]; then exit 0; fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
LOG="$WORK/build.log"

need=()
for pkg in build-essential xz-utils libssl-dev zlib1g-dev libbz2-dev liblzma-dev libffi-dev \
           libsqlite3-dev libreadline-dev libncurses-dev uuid-dev libexpat1-dev; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

mkdir -p "$WORK/apt/lists/partial" "$WORK/apt/cache/archives/partial" "$WORK/src"
echo "deb-src http://deb.debian.org/debian trixie main" > "$WORK/apt/sources.list"
APT=(-o Dir::Etc::SourceList="$WORK/apt/sources.list" -o Dir::Etc::SourceParts=/nonexistent
     -o Dir::State::Lists="$WORK/apt/lists" -o Dir::Cache="$WORK/apt/cache")
# (&& throughout: errexit does not apply inside a command whose status is tested)
if ! { apt-get "${APT[@]}" -q update \
       && (cd "$WORK/src" && apt-get "${APT[@]}" -q source --download-only python3.13) \
       && (cd "$WORK/src" && tar xJf python3.13_*.orig.tar.xz) \
       && cd "$WORK"/src/Python-3.13.*/ \
       && ./configure -q --prefix="$PREFIX" \
       && make -s -j"$(nproc)" \
       && make -s install; } >"$LOG" 2>&1; then
  tail -40 "$LOG"
  echo "building CPython 3.13 failed (log above)" >&2
  exit 1
fi
"$PREFIX/bin/python3.13" -c 'import ssl, sqlite3, lzma, bz2, zlib, ctypes, sys; print(sys.version)'
