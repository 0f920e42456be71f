#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (/usr/bin/chromium) through playwright-core. Install it when
# it is missing and this user can; otherwise say so (the browser tests then fail with the same message).
set -u
[ -x /usr/bin/chromium ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests..." >&2
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >&2; then
    echo "chromium could not be installed; the browser tests will fail" >&2
  fi
else
  echo "chromium is missing: run 'sudo apt-get install chromium'; the browser tests will fail until then" >&2
fi
exit 0
