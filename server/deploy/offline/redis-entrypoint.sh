#!/bin/sh
# redis-server without a configuration file: listen on every address of the container, protected mode off (the
# container's port is published on the host's loopback only); other commands (redis-cli) run as given.
set -eu
if [ "${1:-}" = "redis-server" ] && [ "${2:-}" = "${2#/}" ]; then
    shift
    exec redis-server --bind 0.0.0.0 --protected-mode no "$@"
fi
exec "$@"
