"""Candidates from an HR system (DingTalk), stored once per record of that system."""

from __future__ import annotations

from sqlalchemy import select

from server.storage.candidate_imports import ItemAlreadyRecorded, mark_import_item
from server.storage.contacts import contact_keys, contact_owner
from server.storage.database import Repository, lock_for_write, retry_once_on_conflict
from server.storage.models import Candidate, JobCandidateContact, Resume, utcnow


class ExternalCandidateRepository(Repository):
    """An HR system's candidates and their resumes, keyed by the system's id."""

    async def upsert_resume(self, org_id: str, job_id: str, source: str, external_id: str, name: str,
                            email: str, filename: str, content_type: str, size: int, profile: dict,
                            contacts: list[tuple[str, str]] = (),
                            import_item_id: str | None = None) -> tuple[Candidate, str, str]:
        """Store an HR system's candidate and their resume for a job, once per (org, source, external id).

        Returns (candidate, outcome, matched): ``created`` (new to this job), ``updated`` (the job had them; name,
        e-mail or resume changed), ``unchanged``, or ``duplicate`` when the job has no resume of this record yet but
        already has another candidate with one of the ``contacts`` (kind "email" | "phone", value) - e.g. the same
        person uploaded as a file: then nothing is stored, the candidate returned is that other one and ``matched``
        says which key matched. The record's contact keys are kept for the job (those no one else holds), so a
        later upload of the same person is a duplicate too. Two imports racing on the same candidate: the unique
        keys let one insert, the other then updates. ``import_item_id``: the item gets the outcome in the same
        transaction (as in ``add_resume_if_new``)."""
        keys = contact_keys(list(contacts))
        return await retry_once_on_conflict(lambda: self._upsert_resume(
            org_id, job_id, source, external_id, name[:200], email[:320], filename[:300], content_type[:100], size,
            profile, keys, import_item_id))

    async def _upsert_resume(self, org_id, job_id, source, external_id, name, email, filename, content_type,
                             size, profile, keys, import_item_id) -> tuple[Candidate, str, str]:
        async with self.db.transaction() as s:
            cand = (await s.execute(select(Candidate).where(
                Candidate.org_id == org_id, Candidate.external_source == source,
                Candidate.external_id == external_id))).scalars().first()
            resume = None
            if cand is not None:
                # a concurrent import of the same candidate waits here and then sees this one's resume, so the job
                # never gets it twice
                await lock_for_write(s, Candidate.name, Candidate.id == cand.id)
                await s.refresh(cand)
                resume = (await s.execute(select(Resume).where(Resume.job_id == job_id, Resume.candidate_id == cand.id)
                                          .order_by(Resume.created_at.desc()).limit(1))).scalars().first()
            if resume is None:
                found = await contact_owner(s, job_id, keys)
                if found is not None and (cand is None or found[0].id != cand.id):
                    return found[0], "duplicate", found[1]  # the same person is already a candidate for this job
                if cand is None:
                    cand = Candidate(org_id=org_id, name=name, email=email, external_source=source,
                                     external_id=external_id)
                    s.add(cand)
                    await s.flush()
                s.add(Resume(org_id=org_id, job_id=job_id, candidate_id=cand.id, filename=filename,
                             content_type=content_type, size=size, profile=profile))
                outcome = "created"
            elif (resume.profile, resume.filename, cand.name, cand.email) == (profile, filename, name, email):
                outcome = "unchanged"
            else:
                outcome = "updated"
                resume.profile, resume.filename, resume.content_type, resume.size = profile, filename, content_type, size
            if resume is not None:  # received again from the HR system: the candidate is active (retention)
                resume.updated_at = utcnow()
            cand.name, cand.email = name, email
            if keys:  # the record's contact keys for this job, those no other candidate of the job holds
                held = {(k, v) for k, v in (await s.execute(
                    select(JobCandidateContact.kind, JobCandidateContact.value).where(
                        JobCandidateContact.job_id == job_id, JobCandidateContact.value.in_([v for _, v in keys]))
                )).all()}
                for kind, value in keys:
                    if (kind, value) not in held:
                        s.add(JobCandidateContact(job_id=job_id, candidate_id=cand.id, kind=kind, value=value))
            if import_item_id is not None and not await mark_import_item(s, import_item_id, outcome, cand.id, name):
                raise ItemAlreadyRecorded(import_item_id)  # rolled back: another run of the import recorded it
        return cand, outcome, ""
