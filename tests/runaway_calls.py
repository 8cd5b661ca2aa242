"""What the bounded child process runs in tests: calls that run away, and a stand-in reader that says where it ran
(a module of its own: the child imports it, and it imports nothing heavy)."""

from __future__ import annotations

from analyzers.documents.resume_file import ResumeError


def spin() -> None:
    while True:
        pass


def allocate(n: int) -> int:
    return len(bytearray(n))


def refuse() -> None:
    raise ResumeError("broken_file", "the file cannot be read")


def where_read(*_args) -> tuple[int, str]:
    """In place of a reader: the process and thread it ran in."""
    import os
    import threading

    return os.getpid(), threading.current_thread().name


def hungry_parser(*_args, **_kwargs):
    """In place of the resume parser: wants 1 GB."""
    return len(bytearray(2**30))


def endless_parser(*_args, **_kwargs):
    """In place of the resume parser: never ends."""
    spin()
