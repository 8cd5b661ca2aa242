"""The next move's wait for the language model follows how its recent replies came (dialogue/decision_wait.py)."""

from __future__ import annotations

import pytest

from dialogue.decision_wait import DecisionWait

pytestmark = pytest.mark.unit


def test_waits_until_enough_replies_are_timed():
    wait = DecisionWait(1.5, window=8)
    for _ in range(3):
        wait.observe(4.0, replied=True)
    assert wait.seconds() == 1.5  # three late replies are too few to stop waiting
    wait.observe(4.0, replied=True)
    assert wait.seconds() == 0.0 and wait.in_time_share == 0.0


def test_waiting_resumes_when_a_quarter_of_the_newest_replies_come_in_time():
    wait = DecisionWait(1.5, window=8)
    for _ in range(8):
        wait.observe(6.0, replied=True)
    assert wait.seconds() == 0.0
    wait.observe(0.8, replied=True)
    assert wait.seconds() == 0.0  # one in eight
    wait.observe(1.5, replied=True)  # exactly at the wait counts as in time
    assert wait.seconds() == 1.5 and wait.in_time_share == 0.25


def test_an_ask_that_failed_counts_as_late_however_fast():
    wait = DecisionWait(1.5, window=4)
    for _ in range(4):
        wait.observe(0.1, replied=False)
    assert wait.seconds() == 0.0


def test_no_wait_configured_stays_no_wait():
    wait = DecisionWait(0.0, window=4)
    for _ in range(4):
        wait.observe(0.0, replied=True)
    assert wait.seconds() == 0.0 and wait.in_time_share == 1.0  # in time (at the wait), yet nothing to wait
