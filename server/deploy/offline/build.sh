#!/bin/sh
# Builds the images compose.yaml needs from Debian 12's own packages, for a machine that cannot reach Docker Hub
# (it needs Debian's archive, or a mirror of it, and debootstrap), then prints the lines to add to .env:
#   sh server/deploy/offline/build.sh [MIRROR]   >> server/deploy/.env
# MIRROR: a Debian archive (default http://deb.debian.org/debian). Run as root (debootstrap and docker). The images
# get the archive's updates when they are built: build them again, then `docker compose up -d --build`, to update.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
mirror="${1:-http://deb.debian.org/debian}"
prefix=interview-offline
if ! docker image inspect "$prefix/debian:bookworm" >/dev/null 2>&1; then
    root="$(mktemp -d)"
    trap 'rm -rf "$root"' EXIT
    echo "debootstrap bookworm from $mirror" >&2
    keyring=/usr/share/keyrings/debian-archive-keyring.gpg  # the archive's signatures checked, not just warned of
    [ -f "$keyring" ] || { echo "$keyring is missing: apt-get install debian-archive-keyring" >&2; exit 1; }
    debootstrap --variant=minbase --keyring="$keyring" --include=ca-certificates bookworm "$root" "$mirror" >&2
    # security and point-release updates for every package the images install
    printf 'deb %s bookworm main\ndeb %s bookworm-updates main\ndeb http://deb.debian.org/debian-security bookworm-security main\n' \
        "$mirror" "$mirror" > "$root/etc/apt/sources.list"
    # the site's own certificate authorities (Debian's place for them, e.g. a proxy that inspects TLS): trusted in
    # every image, as on this host
    if ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then
        cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
        chroot "$root" update-ca-certificates >&2
    fi
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
