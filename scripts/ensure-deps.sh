#!/usr/bin/env bash
# Makes a fresh checkout ready for `make test` / `make dev`: npm packages, ffmpeg, ffprobe and redis-server.
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
missing_tools() {
  local tool
  for tool in ffmpeg ffprobe redis-server; do
    command -v "$tool" >/dev/null 2>&1 || printf '%s\n' "$tool"
  done
}

# Debian package and Homebrew formula that provide a tool.
apt_package() { case "$1" in redis-server) echo redis-server ;; *) echo ffmpeg ;; esac; }
brew_formula() { case "$1" in redis-server) echo redis ;; *) echo ffmpeg ;; esac; }

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
formulas=$(for tool in $missing; do brew_formula "$tool"; done | join_unique)
say "missing $tools — install them (Debian/Ubuntu: sudo apt-get install -y $apt_packages; macOS: brew install $formulas)"
exit 1
