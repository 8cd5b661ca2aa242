"""What one server process runs on: settings, the CLI, the shared context, the event bus, loop monitoring,
periodic workers, demo data."""
