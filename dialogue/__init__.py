"""Interview plans, turn-taking and the session state machine."""
