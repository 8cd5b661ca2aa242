"""Which local addresses WebRTC advertises as ICE host candidates.

aioice gathers host candidates from every interface except loopback. A server behind NAT must advertise its
public address instead, and tests on loopback must advertise 127.0.0.1; aioice offers no option for either, so
its address lookup is replaced process-wide by one that returns the configured list.
"""

from __future__ import annotations

import aioice.ice

_original_get_host_addresses = aioice.ice.get_host_addresses


def advertise_host_addresses(addresses: list[str] | None) -> None:
    """Advertise exactly ``addresses`` (e.g. ``["127.0.0.1"]``); None or [] restores aioice's own choice."""
    if not addresses:
        aioice.ice.get_host_addresses = _original_get_host_addresses
        return
    fixed = list(addresses)

    def configured_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
        return [a for a in fixed if (":" in a and use_ipv6) or (":" not in a and use_ipv4)]

    aioice.ice.get_host_addresses = configured_addresses
