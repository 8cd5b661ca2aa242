"""The optional practice question before the interview: the candidate tries the microphone, the camera and the
turn-taking (the same answer-end detection, "I have finished", barge-in) on a neutral question.

Nothing of it is an interview record. It opens no turn (its turn_index is -1), stores no transcript, feeds no
analysis and no score, and its events go to the candidate's page alone, on the bus channel observers never read
(``events.candidate_only_channel``), never to the timeline. ``LiveInterview`` hands it the work items that belong to
it (``owns``) instead of handling them itself; once its answer ends the interview asks the first question.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Awaitable, Callable

from dialogue import speech_turns as speech
from dialogue.session import Prompt, practice_prompt
from server.live import events as ev

PRACTICE_TURN = -1
"""The practice's turn_index in its events and in the page's messages about it (no stored turn has it)."""

TellCandidate = Callable[[ev.InterviewEvent], Awaitable[None]]

_SPEECH = (speech.SpeechStarted, speech.SpeechEnded, speech.PartialTranscript, speech.FinalTranscript)
_TURN_EVENTS = (ev.AnswerFinishing, ev.QuestionInterrupted)


@dataclass
class PracticeTurn:
    interview_id: str
    language: str
    tell: TellCandidate
    """Sends an event to the candidate's page only (``ServerContext.tell_candidate``)."""
    prompt: Prompt = field(init=False)
    ended_at_ms: int | None = None
    """When its answer ended (interview clock); None while it runs."""
    _seq: int = 0

    def __post_init__(self) -> None:
        self.prompt = practice_prompt(self.language)

    @property
    def running(self) -> bool:
        return self.ended_at_ms is None

    def owns(self, item: object) -> bool:
        """Whether a work item of the live interview belongs to the practice: while it runs, every speech event and
        the turn events of its turn; after it, the words of speech that began before its end (never the first
        answer's)."""
        if self.running:
            return isinstance(item, _SPEECH) or (isinstance(item, _TURN_EVENTS) and item.turn_index == PRACTICE_TURN)
        return (isinstance(item, (speech.PartialTranscript, speech.FinalTranscript))
                and item.start_ms < self.ended_at_ms)

    async def asked(self, questions_total: int, preamble: str | None) -> None:
        p = self.prompt
        await self.tell(ev.QuestionAsked(interview_id=self.interview_id, turn_index=PRACTICE_TURN, question_index=-1,
                                         questions_total=questions_total, text=p.text, kind="practice",
                                         preamble=preamble, time_limit_s=p.time_limit_s))

    async def handle(self, item: object) -> None:
        """A work item ``owns`` gave it: shown to the candidate while the practice runs, dropped after it."""
        if not self.running:
            return
        iid, turn = self.interview_id, PRACTICE_TURN
        match item:
            case speech.SpeechStarted(at_ms=at_ms):
                await self.tell(ev.SpeechStarted(interview_id=iid, turn_index=turn, media_ms=at_ms))
            case speech.SpeechEnded(at_ms=at_ms):
                await self.tell(ev.SpeechEnded(interview_id=iid, turn_index=turn, media_ms=at_ms))
            case speech.PartialTranscript():
                await self.tell(ev.TranscriptPartial(interview_id=iid, turn_index=turn, text=item.text,
                                                     start_ms=item.start_ms, end_ms=item.end_ms))
            case speech.FinalTranscript():
                self._seq += 1
                words = [ev.WordTiming(text=w.text, start_ms=w.start_ms, end_ms=w.end_ms) for w in item.words]
                await self.tell(ev.TranscriptFinal(interview_id=iid, turn_index=turn, seq=self._seq, text=item.text,
                                                   start_ms=item.start_ms, end_ms=item.end_ms, words=words))
            case ev.BaseEvent():
                await self.tell(item)

    async def ended(self, answer: speech.AnswerEnded) -> None:
        """Its answer is over: the page is told (the interview then asks the first question)."""
        self.ended_at_ms = answer.at_ms
        await self.tell(ev.AnswerEnded(interview_id=self.interview_id, turn_index=PRACTICE_TURN,
                                       text=answer.heard_text, reason=answer.reason))
