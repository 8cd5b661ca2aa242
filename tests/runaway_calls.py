"""Calls that run away, for the bounded child process's tests (a module of its own: the child imports it, and it
imports nothing heavy)."""

from __future__ import annotations

from analyzers.documents.resume_file import ResumeError


def spin() -> None:
    while True:
        pass


def allocate(n: int) -> int:
    return len(bytearray(n))


def refuse() -> None:
    raise ResumeError("broken_file", "the file cannot be read")
