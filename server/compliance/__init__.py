"""Data protection and responsible AI: encryption at rest, consents, the access log, retention, fairness checks."""
