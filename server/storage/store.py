"""The storage layer: one database and one repository per area, on SQLite or PostgreSQL alike.

``Store`` only builds them; every query lives in its area's repository (``store.interviews.get(id)``,
``store.records.turns(id)``, ``store.scheduling.change_booking(...)``). Services take the repositories they use.
"""

from __future__ import annotations

from server.storage.account_changes import AccountChangeRepository
from server.storage.accounts import AccountRepository
from server.storage.analytics import AnalyticsRepository
from server.storage.assignments import AssignmentRepository
from server.storage.audit_log import AuditRepository
from server.storage.background_jobs import BackgroundJobRepository
from server.storage.candidate_imports import CandidateImportRepository
from server.storage.database import Database
from server.storage.external_candidates import ExternalCandidateRepository
from server.storage.import_uploads import ImportUploadRepository
from server.storage.interview_list import InterviewListRepository
from server.storage.interview_records import InterviewRecordRepository
from server.storage.interviews import InterviewRepository
from server.storage.invitations import InvitationRepository
from server.storage.jobs import JobRepository
from server.storage.key_rotation import KeyRotation
from server.storage.login_failures import LoginFailureRepository
from server.storage.login_sessions import LoginSessionRepository
from server.storage.matching import MatchingRepository
from server.storage.report_syncs import ReportSyncRepository
from server.storage.outcomes import OutcomeRepository
from server.storage.retention import RetentionRepository
from server.storage.scheduling import SchedulingRepository
from server.storage.self_identification import SelfIdentificationRepository


class Store:
    def __init__(self, url: str):
        self.db = Database(url)
        self.accounts = AccountRepository(self.db)
        self.login_sessions = LoginSessionRepository(self.db)
        self.login_failures = LoginFailureRepository(self.db)
        self.assignments = AssignmentRepository(self.db)
        self.jobs = JobRepository(self.db)
        self.records = InterviewRecordRepository(self.db)
        self.interviews = InterviewRepository(self.db, self.jobs, self.records)
        self.interview_list = InterviewListRepository(self.db)
        self.matching = MatchingRepository(self.db)
        self.invitations = InvitationRepository(self.db)
        self.imports = CandidateImportRepository(self.db)
        self.import_uploads = ImportUploadRepository(self.db)  # an unfinished bulk import's files
        self.external = ExternalCandidateRepository(self.db)
        self.scheduling = SchedulingRepository(self.db)
        self.audit = AuditRepository(self.db)
        self.account_changes = AccountChangeRepository(self.db)  # the account log (who changed which user)
        self.retention = RetentionRepository(self.db)
        self.self_identification = SelfIdentificationRepository(self.db)
        self.report_syncs = ReportSyncRepository(self.db)
        self.outcomes = OutcomeRepository(self.db)
        self.analytics = AnalyticsRepository(self.db)
        self.key_rotation = KeyRotation(self.db)
        self.background = BackgroundJobRepository(self.db)  # the shared work queue

    async def migrate(self) -> None:
        await self.db.migrate()

    async def close(self) -> None:
        await self.records.flush()  # the timeline's last events are not lost on a clean stop
        await self.db.close()
