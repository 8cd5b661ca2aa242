"""A whole interview over real WebRTC (aiortc client), real speech recognition, on SQLite and PostgreSQL;
plus second connections, takeovers and a rejoin after a dropped connection."""

from __future__ import annotations

import pytest

from benchmarks.synthetic_candidate import CandidateApiError, SyntheticCandidate
from benchmarks.synthetic_media import make_face_video, make_speech_wav
from tests.harness import running_server
from tests.observer_client import ObserverClient

pytestmark = [pytest.mark.models, pytest.mark.services]

ANSWER_1 = "My team of five engineers rebuilt the payment service last year."
ANSWER_2 = "We cut the failure rate in half within three months."


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    d = tmp_path_factory.mktemp("media")
    # the second answer starts 6 s after the first: past its end (3 s of silence, no cue in the words) and the
    # second after it in which speaking again continues that answer
    two_answers = make_speech_wav(d / "two_answers.wav", [0.5, ANSWER_1, 6.0, ANSWER_2, 4.0], voice="en-us")
    one_answer = make_speech_wav(d / "one_answer.wav", [0.3, ANSWER_1, 0.5], voice="en-us")
    video = make_face_video(d / "face.y4m", seconds=2.0)
    return {"two": two_answers.path, "one": one_answer.path, "video": video}


def _words(text: str) -> set[str]:
    return {w.strip(".,!?").lower() for w in text.split()}


async def test_interview_runs_end_to_end(db_url, tmp_path, media):
    async with running_server(db_url, tmp_path) as h:
        interview_id, token = await h.create_interview("Mei Lin")
        async with h.hr_client() as http, ObserverClient(http, interview_id) as observer:
            async with SyntheticCandidate(h.base_url, token, media["two"], media["video"], hold_audio=True) as cand:
                first = await cand.wait_for_type("question.asked", 20)
                assert first["turn_index"] == 0 and first["text"] == "Tell me about a team you led."
                assert "AI interviewer" in first["preamble"]  # the AI says what it is at the start
                cand.release_audio()
                await cand.wait_for_type("question.asked", 40, turn_index=1)
                await cand.wait_for_type("interview.state", 40, status="finished")
                closing = await cand.wait_for(lambda e: e.get("type") == "question.asked" and e["kind"] == "closing", 5)
                assert "last question" in closing["text"]

            # The observer saw the words, in the right turns, and the question advance.
            finals = observer.of_type("transcript.final")
            turn0 = " ".join(f["text"] for f in finals if f["turn_index"] == 0)
            turn1 = " ".join(f["text"] for f in finals if f["turn_index"] == 1)
            assert {"team", "engineers", "payment"} <= _words(turn0), turn0
            assert {"half", "three", "months"} <= _words(turn1), turn1
            assert all(f["words"] for f in finals), "final segments carry word timings"
            assert observer.of_type("transcript.partial"), "partials stream while the candidate speaks"
            asked = [(q["turn_index"], q["kind"]) for q in observer.of_type("question.asked")]
            assert asked[:2] == [(0, "question"), (1, "question")] and asked[-1][1] == "closing"
            assert [a["reason"] for a in observer.of_type("answer.ended")] == ["silence", "silence"]
            stats = observer.of_type("media.stats")
            assert stats and stats[-1]["video_frames_received"] > 0 and stats[-1]["width"] == 640

        # Everything is stored.
        detail = await h.ctx.store.interviews.detail(interview_id)
        assert detail["status"] == "finished" and detail["started_at"] and detail["ended_at"]
        assert [t["end_reason"] for t in detail["turns"]] == ["silence", "silence"]
        assert {"team", "engineers"} <= _words(detail["turns"][0]["answer"])
        assert {"months"} <= _words(detail["turns"][1]["answer"])
        assert [s["turn_index"] for s in detail["transcript"]] == sorted(s["turn_index"] for s in detail["transcript"])
        seg = detail["transcript"][0]
        assert 0 <= seg["start_ms"] < seg["end_ms"] and seg["words"][0]["start_ms"] >= seg["start_ms"] - 500
        assert {k: v["granted"] for k, v in detail["consents"].items()} == {
            "ai_evaluation": True, "recording": True, "face_voice_analysis": True}
        timeline = [e["type"] for e in detail["events"]]
        for kind in ["interview.state", "connection.state", "question.asked", "transcript.final", "answer.ended"]:
            assert kind in timeline


async def test_second_connection_takeover_and_rejoin(sqlite_url, tmp_path, media):
    async with running_server(sqlite_url, tmp_path) as h:
        interview_id, token = await h.create_interview()
        async with h.hr_client() as http, ObserverClient(http, interview_id) as observer:
            first = SyntheticCandidate(h.base_url, token, media["one"], None, hold_audio=True)
            await first.start()
            await first.wait_for_type("question.asked", 20, turn_index=0)

            # A second device while the first is live: refused with a clear code, the first keeps going.
            intruder = SyntheticCandidate(h.base_url, token, media["one"], None)
            with pytest.raises(CandidateApiError) as exc:
                await intruder.start()
            assert exc.value.status == 409 and exc.value.code == "already_connected"
            await intruder.close()

            # The first candidate speaks part of the answer, then the connection drops mid-answer.
            first.release_audio()
            await observer.wait_for(lambda e: e["type"] == "transcript.final", 30)
            await first.close()
            await observer.wait_for(lambda e: e["type"] == "connection.state"
                                    and e["state"] in ("closed", "disconnected", "failed"), 40)

            # Rejoin: same link, no takeover needed; the same question is put again and the answer continues.
            again = SyntheticCandidate(h.base_url, token, media["one"], None, hold_audio=True)
            await again.start()
            repeat = await again.wait_for_type("question.asked", 20)
            assert repeat["turn_index"] == 0
            again.release_audio()
            await again.wait_for_type("question.asked", 40, turn_index=1)

            # Takeover from a third device replaces the second connection.
            third = SyntheticCandidate(h.base_url, token, media["one"], None, takeover=True)
            await third.start()
            await observer.wait_for(lambda e: e["type"] == "connection.state" and e["state"] == "replaced"
                                    and e["connection_id"] == again.connection_id, 20)
            await again.close()
            await third.close()

        turns = await h.ctx.store.records.turns(interview_id)
        segments = await h.ctx.store.records.segments(interview_id)
        assert turns[0].end_reason == "silence"
        # Nothing said before the drop was lost: both connections' words are in the stored answer.
        assert len({s.connection_id for s in segments if s.turn_index == 0}) == 2
        assert _words(turns[0].answer_text).issuperset({"team", "engineers"})
        assert turns[0].answer_text.lower().count("engineers") == 2
