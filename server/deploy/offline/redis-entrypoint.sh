#!/bin/sh
# redis-server without a configuration file: listen on every address of the container, protected mode off (the
# container's port is published on the host's loopback only); redis-server with a configuration file, and other
# commands (redis-cli), run as given.
set -eu
if [ "${1:-}" = "redis-server" ]; then
    case "${2:-}" in
        /*) ;;
        *) shift; exec redis-server --bind 0.0.0.0 --protected-mode no "$@" ;;
    esac
fi
exec "$@"
