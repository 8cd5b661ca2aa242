"""WebRTC peer handling and media conversion (aiortc)."""
