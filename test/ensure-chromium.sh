#!/usr/bin/env bash
# The browser tests drive Chromium through playwright-core: CHROMIUM_PATH, or chromium, chromium-browser or
# google-chrome on the PATH, or a usual install location (test/find-chromium.js). When none is found,
# install Debian's chromium where apt and root are at hand; otherwise say what to install or set (the
# browser tests then fail with the same message).
set -u
here=$(dirname "$0")
node "$here/find-chromium.js" >/dev/null 2>&1 && exit 0
if [ -z "${CHROMIUM_PATH:-}" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests..." >&2
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >&2; then
    echo "chromium could not be installed; the browser tests will fail" >&2
  fi
  exit 0
fi
node "$here/find-chromium.js" >/dev/null || echo "the browser tests will fail until then" >&2
exit 0
