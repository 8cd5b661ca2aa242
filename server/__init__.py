"""Live AI interview server, by area: ``http`` (app, routes, API models), ``platform`` (settings, CLI, context,
bus), ``live`` (interview runtime and analysis), ``recruiting``, ``compliance``, ``reports``, ``storage``."""
