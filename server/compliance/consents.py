"""The consents a candidate gives before an AI interview: separate, versioned, each with its own text."""

from __future__ import annotations

from dataclasses import dataclass

CONSENT_VERSION = "2026-11-v1"


@dataclass(frozen=True)
class ConsentKind:
    kind: str
    required: bool
    text: dict[str, str]


CONSENT_KINDS: tuple[ConsentKind, ...] = (
    ConsentKind(
        "ai_evaluation",
        True,
        {
            "en": "An AI interviewer asks the questions, transcribes my answers and produces an evaluation that a "
            "person at the company reviews. No decision is taken by the machine alone; I can ask for a human review.",
            "zh": "由 AI 面试官提问、转写我的回答并生成评估，由公司人员审阅。不会仅由机器作出决定；我可以要求人工复核。",
        },
    ),
    ConsentKind(
        "recording",
        False,
        {
            "en": "My audio and video may be recorded and kept for the period the company's retention policy sets.",
            "zh": "我的音频和视频可以被录制，并按公司的保存期限保存。",
        },
    ),
    ConsentKind(
        "face_voice_analysis",
        False,
        {
            "en": "Observable behaviour in my video and voice (face present, looking at the screen, speaking pace, "
            "pauses) may be measured for a human to read. No emotions or personality are inferred. Without this "
            "consent the interview runs with speech only.",
            "zh": "可以测量视频和声音中的可观察行为（是否在画面中、是否看屏幕、语速、停顿），供人工参考。不推断情绪或性格。"
            "若不同意，面试仅使用语音进行。",
        },
    ),
)

DISCLOSURE_TEXT = {
    "en": "You are about to be interviewed by an AI system, not a person. It asks the questions of a structured "
    "interview and writes down your answers; people at the company review the results.",
    "zh": "您即将接受 AI 系统（而非真人）的面试。它会按结构化面试提问并记录您的回答；公司人员会审阅结果。",
}


def consent_text(kind: ConsentKind, language: str) -> str:
    return kind.text.get(language, kind.text["en"])
