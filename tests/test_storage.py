"""The data model on SQLite and PostgreSQL: migrations, interviews, turns, transcript, consents, events."""

from __future__ import annotations

import pytest

from server.http.auth import hash_password, verify_password
from server.storage.store import Store

pytestmark = pytest.mark.services


async def test_full_interview_record_round_trips(db_url):
    store = Store(db_url)
    await store.migrate()
    await store.migrate()  # idempotent: a restart migrates nothing twice
    try:
        org = await store.create_org("Acme")
        user = await store.create_user(org.id, "HR@Acme.test", hash_password("pw"), role="hr")
        assert (await store.user_by_email("hr@acme.test")).id == user.id
        assert verify_password(user.password_hash, "pw") and not verify_password(user.password_hash, "nope")
        job = await store.create_job(org.id, "Engineer", "", "en", [{"text": "Q1"}, {"text": "Q2", "time_limit_s": 60}])
        iv = await store.create_interview(org.id, job.id, "Lin Wei", "lin@example.com", "en")
        questions = await store.plan_questions(iv.plan_id)
        assert [q.text for q in questions] == ["Q1", "Q2"] and questions[1].time_limit_s == 60

        await store.record_consents(iv, [("ai_evaluation", "v1", True, "t"), ("recording", "v1", False, "t")],
                                    "127.0.0.1", "pytest")
        await store.record_consents(iv, [("recording", "v1", True, "t")], "127.0.0.1", "pytest")
        consents = await store.current_consents(iv.id)
        assert consents["ai_evaluation"].granted is True
        assert consents["recording"].granted is True  # the later decision wins; the earlier stays as history

        await store.add_turn(iv.id, 0, 0, questions[0].id, "question", "Q1")
        s0 = await store.add_segment(iv.id, 0, "hello there", 100, 900, [{"text": "hello", "start_ms": 100,
                                                                           "end_ms": 400}], "whisper", "c1")
        s1 = await store.add_segment(iv.id, 0, "second part", 1000, 1800, [], "whisper", "c1")
        assert (s0, s1) == (0, 1)
        await store.end_turn(iv.id, 0, "hello there second part", "silence")
        await store.add_event(iv.id, "question.asked", {"text": "Q1", "turn_index": 0})
        await store.update_interview(iv.id, status="live", question_index=1)

        detail = await store.interview_detail(iv.id)
        assert detail["status"] == "live" and detail["question_index"] == 1
        assert detail["candidate"]["name"] == "Lin Wei"
        assert [t["answer"] for t in detail["turns"]] == ["hello there second part"]
        assert [s["text"] for s in detail["transcript"]] == ["hello there", "second part"]
        assert detail["transcript"][0]["words"][0]["text"] == "hello"
        assert detail["events"][0]["type"] == "question.asked"
        assert detail["consents"]["ai_evaluation"]["granted"] is True
        assert [i.id for i in await store.interviews(org.id)] == [iv.id]
        other = await store.create_org("Other")
        assert await store.interviews(other.id) == []
    finally:
        await store.close()


async def test_upgrade_keeps_existing_rows(db_url):
    """A database created by the first schema, with an interview in it, upgrades to the newest without loss."""
    from datetime import datetime, timezone

    from sqlalchemy import text

    from tests.old_schema import insert_first_schema_interview, schema_at

    store = Store(db_url)
    try:
        await schema_at(store.engine, "0001")
        async with store.engine.begin() as conn:
            now = datetime(2026, 1, 1, tzinfo=timezone.utc)
            await insert_first_schema_interview(conn, now, "live")
            await conn.execute(text("INSERT INTO turns (id, interview_id, \"index\", question_index, kind, "
                                    "question_text, answer_text, asked_at, end_reason) "
                                    "VALUES ('t', 'i', 0, 0, 'question', 'Q?', 'A.', :n, 'silence')"), {"n": now})
        await store.migrate()
        turns = await store.turns("i")
        assert [(t.question_text, t.answer_text, t.trigger, t.reason) for t in turns] == [("Q?", "A.", "", "")]
        assert (await store.interview("i")).review_requested_at is None
    finally:
        await store.close()
