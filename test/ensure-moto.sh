#!/usr/bin/env bash
# Tests of AWS control-plane calls (Secrets Manager, ...) run against moto's server, a real AWS API
# emulator over HTTP. These machines' Python has it; elsewhere, install it with pip when it is missing.
set -u
python3 -c 'import moto.server, flask' >/dev/null 2>&1 && exit 0
if command -v python3 >/dev/null 2>&1; then
  echo "Installing moto[server] for the AWS tests..." >&2
  python3 -m pip install --quiet 'moto[server]>=5,<6' >&2 ||
    python3 -m pip install --quiet --user --break-system-packages 'moto[server]>=5,<6' >&2 ||
    echo "moto could not be installed; the AWS tests will fail" >&2
else
  echo "python3 is missing: the AWS tests need it (with moto[server]); they will fail until then" >&2
fi
exit 0
