"""The evaluation report says why each follow-up was asked in the interview's language."""

from __future__ import annotations

import re

import pytest

from dialogue.plan import FollowUpTrigger
from server.reports.interview_report import follow_up_why

pytestmark = pytest.mark.unit

RECORDED = "The answer does not seem to address the question; asking once to clarify"


def test_a_chinese_report_says_why_in_chinese_for_every_trigger():
    for trigger in (*FollowUpTrigger.__args__, "clarify"):
        why = follow_up_why(trigger, RECORDED, "zh")
        assert why and re.search(r"[\u4e00-\u9fff]", why) and not re.search(r"[A-Za-z]", why), (trigger, why)


def test_an_english_report_keeps_the_recorded_reason_with_its_numbers():
    reason = "The answer is short (9 words; the question asks for at least 15)"
    assert follow_up_why("too_short", reason, "en") == reason
    assert follow_up_why("a_plan_trigger", RECORDED, "zh") == RECORDED  # nothing better to say
