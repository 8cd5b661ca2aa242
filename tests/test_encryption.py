"""Encryption at rest of candidates' free text: AES-256-GCM with key ids, rotation, and loud failures."""

from __future__ import annotations

import base64
import json

import pytest
from sqlalchemy import text

from server.compliance.crypto import KEYRING, DataDecryptError, DataKeyMissing, Keyring, key_id_for, new_key
from server.storage.models import utcnow
from tests.harness import running_server

pytestmark = pytest.mark.unit

SECRET_WORDS = "我们把结账延迟降低了百分之四十 and cut costs by half"


async def _raw(h, sql: str) -> list:
    async with h.ctx.store.db.engine.connect() as conn:
        return [r[0] for r in (await conn.execute(text(sql))).all()]


async def _interview_with_content(h) -> str:
    store = h.ctx.store
    iv = await store.interviews.create(h.org_id, h.job_id, "Ada", "ada@example.com", "en")
    q = (await store.jobs.plan_questions(iv.plan_id))[0]
    await store.records.add_turn(iv.id, 0, 0, q.id, "question", q.text)
    await store.records.add_segment(iv.id, 0, SECRET_WORDS, 0, 2000, [{"text": "cut", "start_ms": 10, "end_ms": 200}], "w", "c")
    await store.records.end_turn(iv.id, 0, SECRET_WORDS, "silence")
    await store.records.add_event(iv.id, "transcript.final", {"text": SECRET_WORDS, "turn_index": 0})
    await store.records.add_score(iv.id, 0, 0, "ownership", 4.0, 0.8, "", [{"quote": "cut costs by half"}], [])
    await store.matching.add_resume(h.org_id, h.job_id, "Ada", "ada@example.com", "cv.txt", "text/plain", 9,
                                    {"text": SECRET_WORDS})
    await store.self_identification.set(iv, "female", "asian", None, utcnow())
    return iv.id


async def test_candidates_words_are_stored_encrypted_and_read_back(db_url, tmp_path):
    async with running_server(db_url, tmp_path) as h:
        iv_id = await _interview_with_content(h)
        kid = KEYRING.current
        for sql in ("SELECT text FROM transcript_segments", "SELECT answer_text FROM turns WHERE answer_text <> ''",
                    "SELECT CAST(payload AS TEXT) FROM events", "SELECT CAST(evidence AS TEXT) FROM answer_scores",
                    "SELECT CAST(profile AS TEXT) FROM resumes", "SELECT CAST(words AS TEXT) FROM transcript_segments",
                    "SELECT race_ethnicity FROM self_identifications"):
            values = await _raw(h, sql)
            assert values and all(f"enc:v1:{kid}:" in v for v in values), (sql, values)
            assert not any("cut costs" in v or "asian" in v or "结账" in v for v in values), sql
        async with h.hr_client() as hr:  # what users see is the plain text
            async with hr.get(f"/api/v1/interviews/{iv_id}") as r:
                detail = await r.json()
        assert detail["transcript"][0]["text"] == SECRET_WORDS and detail["turns"][0]["answer"] == SECRET_WORDS
        assert detail["transcript"][0]["words"][0]["text"] == "cut"
        assert (await h.ctx.store.self_identification.get(iv_id)).race_ethnicity == "asian"

        # a value moved into another column does not decrypt, and the client gets no stack trace
        async with h.ctx.store.db.engine.begin() as conn:
            await conn.execute(text("UPDATE transcript_segments SET text = (SELECT answer_text FROM turns "
                                    "WHERE answer_text <> '' LIMIT 1)"))
        async with h.hr_client() as hr:
            async with hr.get(f"/api/v1/interviews/{iv_id}") as r:
                body = await r.text()
        assert r.status == 500 and "internal_error" in body and "Traceback" not in body and "enc:v1" not in body


def test_keyring_refuses_wrong_keys_and_unknown_key_ids():
    ring = Keyring()
    with pytest.raises(ValueError):
        ring.add({"short": b"x" * 16}, "short")
    k1 = new_key()
    ring.add({key_id_for(k1): k1}, key_id_for(k1))
    token = ring.encrypt("hello", "turns.answer_text")
    assert token.startswith(f"enc:v1:{key_id_for(k1)}:") and ring.decrypt(token, "turns.answer_text") == "hello"
    assert ring.encrypt("hello", "turns.answer_text") != token  # a fresh nonce every time
    with pytest.raises(DataDecryptError):
        ring.decrypt(token, "transcript_segments.text")
    other = Keyring()
    k2 = new_key()
    other.add({key_id_for(k2): k2}, key_id_for(k2))
    with pytest.raises(DataKeyMissing, match=key_id_for(k1)):
        other.decrypt(token, "turns.answer_text")
    assert other.decrypt("written before encryption", "turns.answer_text") == "written before encryption"
    # padded: the three sex categories (6, 4 and 10 letters) give tokens of one length
    assert len({len(ring.encrypt(v, "self_identifications.sex")) for v in ("female", "male", "non_binary")}) == 1
    assert ring.decrypt(ring.encrypt("", "c"), "c") == "" and ring.decrypt(ring.encrypt("x" * 31, "c"), "c") == "x" * 31
    with pytest.raises(ValueError):
        ring.add({"bad:id": new_key()}, "bad:id")  # ':' would break the stored format
    with pytest.raises(ValueError):
        ring.add({key_id_for(k1): new_key()}, key_id_for(k1))  # an id never changes its key


async def test_rotation_rewrites_every_value_under_the_new_key(db_url, tmp_path):
    old, new = new_key(), new_key()
    old_id, new_id = "old-" + key_id_for(old), "new-" + key_id_for(new)  # ids are the operator's names
    b64 = lambda k: base64.b64encode(k).decode()  # noqa: E731
    async with running_server(db_url, tmp_path, data_keys={old_id: b64(old)}) as h:
        iv_id = await _interview_with_content(h)
        async with h.ctx.store.db.engine.begin() as conn:  # a row from before encryption was on
            await conn.execute(text("UPDATE turns SET question_text = 'plain, from an old version'"))
            await conn.execute(text("""UPDATE events SET payload = '{"text": "plain json, from an old version"}'"""))
        db_url_used = h.settings.resolved_database_url
    async with running_server(db_url_used, tmp_path, seed=False, data_keys={old_id: b64(old), new_id: b64(new)},
                              data_key_id=new_id) as h:
        counts = await h.ctx.store.key_rotation.reencrypt()
        assert counts["transcript_segments.text"] == 1 and counts["turns.question_text"] == 1
        assert counts["events.payload"] == 1 and counts["resumes.profile"] == 1
        assert counts["self_identifications.sex"] == 1 and counts["self_identifications.age_band"] == 0  # null
        assert all(n == 0 for n in (await h.ctx.store.key_rotation.reencrypt()).values())  # nothing left to do
        values = await _raw(h, "SELECT text FROM transcript_segments") + await _raw(h, "SELECT question_text FROM turns")
        assert all(v.startswith(f"enc:v1:{new_id}:") for v in values), values
        KEYRING.keys.pop(old_id)  # the old key is retired: everything still reads
        try:
            detail = await h.ctx.store.interviews.detail(iv_id)
            assert detail["transcript"][0]["text"] == SECRET_WORDS
            assert detail["turns"][0]["question"] == "plain, from an old version"
            assert detail["events"][0]["text"] == "plain json, from an old version"
            assert all("plain json" not in v for v in await _raw(h, "SELECT CAST(payload AS TEXT) FROM events"))
            assert json.dumps(detail, ensure_ascii=False).count(SECRET_WORDS) >= 2
        finally:
            KEYRING.keys[old_id] = old
