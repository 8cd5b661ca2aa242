"""Live AI interview server: HTTP API, signalling, event streams, storage, bus."""
