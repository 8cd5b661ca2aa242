"""What one server process runs on: settings, the CLI, the shared context, the event bus, loop monitoring,
the shared background-work queue and its worker, the older per-process periodic loop, demo data."""
