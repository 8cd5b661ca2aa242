#!/bin/sh
# Builds the images compose.yaml needs from Debian 12's own packages, for a machine that cannot reach Docker Hub
# (it needs Debian's archive, or a mirror of it, and debootstrap), then prints the lines to add to .env:
#   sh server/deploy/offline/build.sh [MIRROR]   >> server/deploy/.env
# MIRROR: a Debian archive (default http://deb.debian.org/debian). Run as root (debootstrap and docker).
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
mirror="${1:-http://deb.debian.org/debian}"
prefix=interview-offline
if ! docker image inspect "$prefix/debian:bookworm" >/dev/null 2>&1; then
    root="$(mktemp -d)"
    trap 'rm -rf "$root"' EXIT
    echo "debootstrap bookworm from $mirror" >&2
    debootstrap --variant=minbase bookworm "$root" "$mirror" >&2
    # the site's own certificate authorities (a proxy that inspects TLS): trusted in every image, as on this host
    mkdir -p "$root/usr/local/share/ca-certificates"
    cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/" 2>/dev/null || true
    tar -C "$root" -c . | docker import - "$prefix/debian:bookworm" >&2
fi
build() {  # target tag
    echo "building $2" >&2
    docker build --network host --target "$1" --build-arg "DEBIAN_IMAGE=$prefix/debian:bookworm" \
        -t "$2" "$here" >&2
}
build python "$prefix/python:3.11-bookworm"
build postgres "$prefix/postgres:15-bookworm"
build redis "$prefix/redis:7-bookworm"
build caddy "$prefix/caddy:2.6-bookworm"
cat <<ENV
DEBIAN_IMAGE=$prefix/debian:bookworm
PYTHON_IMAGE=$prefix/python:3.11-bookworm
POSTGRES_IMAGE=$prefix/postgres:15-bookworm
REDIS_IMAGE=$prefix/redis:7-bookworm
CADDY_IMAGE=$prefix/caddy:2.6-bookworm
ENV
