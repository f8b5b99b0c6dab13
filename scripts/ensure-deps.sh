#!/usr/bin/env bash
# Makes a fresh checkout ready for `make test` / `make dev`: npm packages, ffmpeg, ffprobe, redis-server, and the
# Chromium the dashboard's browser tests drive (test/e2e/launch-chromium.ts finds it).
# Silent when everything is already there. As root with apt-get it installs missing tools; otherwise it says how.
set -euo pipefail

cd "$(dirname "$0")/.."

say() { printf 'tcoder: %s\n' "$*" >&2; }

# --- npm packages: `npm ci` when node_modules is missing or older than package-lock.json ---------------------
if ! command -v npm >/dev/null 2>&1; then
  say "missing node/npm — install Node.js 20 or newer (https://nodejs.org)"
  exit 1
fi
stamp=node_modules/.package-lock-stamp
# npm's own hidden lockfile marks an install made before this script existed.
reference=$stamp
[ -e "$reference" ] || reference=node_modules/.package-lock.json
if [ ! -d node_modules ] || [ ! -e "$reference" ] || [ package-lock.json -nt "$reference" ]; then
  say "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi

# --- system tools ----------------------------------------------------------------------------------------------
# Any Chrome or Chromium will do for the browser tests; CHROMIUM_PATH names one explicitly.
have_chromium() {
  [ -n "${CHROMIUM_PATH:-}" ] && [ -x "$CHROMIUM_PATH" ] && return 0
  command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 ||
    command -v google-chrome >/dev/null 2>&1 || [ -x "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome" ]
}

missing_tools() {
  local tool
  for tool in ffmpeg ffprobe redis-server; do
    command -v "$tool" >/dev/null 2>&1 || printf '%s\n' "$tool"
  done
  have_chromium || echo chromium
}

# Debian package and Homebrew command that provide a tool.
apt_package() { case "$1" in redis-server | chromium) echo "$1" ;; *) echo ffmpeg ;; esac; }
brew_command() { case "$1" in redis-server) echo "brew install redis" ;; chromium) echo "brew install --cask chromium" ;; *) echo "brew install ffmpeg" ;; esac; }

# Prints "a b c" from lines, without duplicates, keeping order.
join_unique() { awk '!seen[$0]++' | paste -sd' ' -; }

missing=$(missing_tools)
[ -z "$missing" ] && exit 0

apt_packages=$(for tool in $missing; do apt_package "$tool"; done | join_unique)

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  say "installing $apt_packages with apt-get"
  log=$(mktemp)
  if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $apt_packages; } >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    say "apt-get install $apt_packages failed"
    exit 1
  fi
  rm -f "$log"
  missing=$(missing_tools)
  [ -z "$missing" ] && exit 0
  apt_packages=$(for tool in $missing; do apt_package "$tool"; done | join_unique)
fi

tools=$(printf '%s\n' $missing | paste -sd',' - | sed 's/,/, /g')
brew=$(for tool in $missing; do brew_command "$tool"; done | awk '!seen[$0]++' | paste -sd';' - | sed 's/;/; /g')
say "missing $tools — install them (Debian/Ubuntu: sudo apt-get install -y $apt_packages; macOS: $brew)"
exit 1
