"""Streaming analyzers: voice activity, speech recognition (later: face, voice, content)."""
