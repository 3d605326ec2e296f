#!/usr/bin/env bash
# Install Debian packages for a command that is missing: tools/apt_install.sh COMMAND PACKAGE...
# Does nothing when COMMAND exists; installs with apt-get as root; otherwise says what to run and
# exits 0, so that `make` goes on (the tests that need COMMAND then skip, saying why).
set -euo pipefail
command=$1; shift
if command -v "$command" >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing $* (Debian packages) for $command"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
else
    echo "note: $command is missing; install it with: sudo apt-get install $*"
fi
