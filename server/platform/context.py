"""Everything one server process shares: settings, storage, bus, signer, models, live interviews."""

from __future__ import annotations

import asyncio
import functools
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

import structlog

from analyzers import inference_pool
from analyzers.asr import SpeechModel
from analyzers.end_of_turn import EndOfTurnModelNotAvailable, shared_smart_turn
from analyzers.model_registry import ModelManager
from dialogue.decision_wait import DecisionWait
from dialogue.followup import RuleBasedPolicy
from dialogue.speech_turns import EndOfTurnModel
from dialogue.turn_taking import TurnTakingConfig
from media import decode_timing
from media.ice import advertise_host_addresses
from server.live import events as ev
from server.http.auth import PasswordWorker, Signer
from server.http.password_links import PasswordLinks
from server.http.login_throttle import LoginThrottle, ThrottlePolicy
from server.http.sessions import SessionBook
from server.platform.bus import EventBus, make_bus
from server.platform.language_model import LanguageModel
from server.compliance.crypto import KEYRING
from server.live.analysis import AnalyzerFactory
from server.live.interview import LiveInterview, LiveInterviewDeps
from server.live.score_refinement import RefineRequest, due_after_s, queue_refinement
from server.platform.logs import interview_context
from server.platform.loop_monitor import LoopLagMonitor
from server.platform.node_registry import make_registry
from server.platform.placement import NodeMembership, default_node_id, wait_until_idle
from server.platform.private_files import private_dir, private_sqlite
from server.platform.queue_worker import QueueWorker, WorkerConfig
from server.platform.work_queue import PeriodicJob, WorkQueue
from server.recruiting import dingtalk_import as _dingtalk_import  # noqa: F401  (registers the DingTalk import's run)
from server.recruiting.imports import ImportManager  # (and registers the import job's handler)
from server.recruiting.plans import plan_by_id
from server.compliance.retention import Periods, RetentionSweeper
from server.recruiting.scheduling import BookingNotices, ReminderScheduler, ensure_may_start
from server.reports.writeback import ReportWriter
from server.platform.settings import Settings
from server.storage.models import utcnow
from server.storage.store import Store

log = structlog.get_logger(__name__)

# Regions whose organisations never let non-verbal observations weigh in scores (EU AI Act, GDPR Art. 22).
EU_REGIONS = frozenset({"EU", "EEA", "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU",
                        "IE", "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI",
                        "NO"})


def _log_unkept(interview_id: str, type_: str, kept: asyncio.Future) -> None:
    if not kept.cancelled() and kept.exception() is not None:
        log.error("timeline_event_not_kept", interview_id=interview_id, type=type_, error=repr(kept.exception()))


@dataclass
class ServerContext:
    settings: Settings
    store: Store
    bus: EventBus
    signer: Signer
    models: ModelManager
    language_model: LanguageModel
    loop_monitor: LoopLagMonitor = field(default_factory=LoopLagMonitor)
    analyzers: AnalyzerFactory = field(default_factory=AnalyzerFactory)
    followup_policy: RuleBasedPolicy = field(default_factory=RuleBasedPolicy)
    live: dict[str, LiveInterview] = field(default_factory=dict)
    _live_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _background: set[asyncio.Task] = field(default_factory=set)
    # scheduling: "now" for bookings, start gates and reminders (tests put in their own clock); the reminder loop
    clock: Callable[[], datetime] = field(default=utcnow)
    # logins' timeouts and throttling: "now" apart from the one above, which tests move days ahead with HR's login
    # open (the same wall clock in production)
    login_clock: Callable[[], datetime] = field(default=utcnow)
    scheduler: ReminderScheduler = field(init=False)
    queue: WorkQueue = field(init=False)  # the shared background-work queue: queue.enqueue(kind, payload, ...)
    worker: QueueWorker = field(init=False)  # this node's runner of it
    imports: ImportManager = field(init=False)  # bulk imports: queue jobs this node runs (and uploads it accepts)
    retention: RetentionSweeper = field(init=False)
    writeback: ReportWriter = field(init=False)  # scored interviews' reports to the HR system
    sessions: SessionBook = field(init=False)  # HR logins
    login_throttle: LoginThrottle = field(init=False)
    passwords: PasswordWorker = field(init=False)  # Argon2 off the event loop
    password_links: PasswordLinks = field(init=False)  # set-password links for new accounts
    nodes: NodeMembership = field(init=False)  # this process among the nodes: claims, placement (placement.py)
    decision_wait: DecisionWait = field(init=False)  # the next move's wait for the model, timed over all interviews

    def __post_init__(self) -> None:
        now = lambda: self.clock()  # noqa: E731 - one "now" for links, bookings, reminders and retention
        self.signer.clock = now
        s = self.settings
        self.decision_wait = DecisionWait(s.llm_decision_wait_s)
        notices = BookingNotices(self.signer, s.resolved_base_url, s.mail_from, s.start_grace_min,
                                 s.no_show_grace_min, now)
        self.scheduler = ReminderScheduler(self.store.scheduling, self.store.interviews, notices, s, s.reminder_poll_s)
        login_now = lambda: self.login_clock()  # noqa: E731
        self.sessions = SessionBook(self.store.login_sessions, s.session_idle_s, s.session_max_age_s, login_now)
        self.login_throttle = LoginThrottle(self.store.login_failures, ThrottlePolicy.from_settings(s),
                                            s.resolved_secret_key, login_now)
        self.passwords = PasswordWorker(s.password_hash_threads, s.password_hash_max_waiting)
        self.password_links = PasswordLinks(s.resolved_secret_key, s.password_link_max_age_s, s.resolved_base_url,
                                            login_now)
        self.retention = RetentionSweeper(
            self.store.retention, self.store.accounts,
            Periods(s.retention_interview_content_days, s.retention_candidate_days, is_default=True),
            s.retention_sweep_s, now, is_open=lambda interview_id: interview_id in self.live)
        self.writeback = ReportWriter(self.store, s, now)
        self.nodes = NodeMembership(
            make_registry(s.bus_url, s.node_ttl_s), s.node_id or default_node_id(), s.resolved_node_url,
            s.node_capacity, s.node_heartbeat_s, s.node_idle_release_s,
            is_active=lambda i: (live := self.live.get(i)) is not None and live.connected,
            is_over=lambda i: (live := self.live.get(i)) is not None and live.status in ("finished", "failed"),
            on_lost=self.close_live)
        self.queue = WorkQueue(self.store.background, s.job_max_attempts)
        self.worker = QueueWorker(self.queue, self, WorkerConfig.from_settings(s), periodic=(
            PeriodicJob("reminders.tick", s.reminder_poll_s), PeriodicJob("retention.sweep", s.retention_sweep_s)))
        self.imports = ImportManager(self.store.imports, self.store.external, self.store.import_uploads, s,
                                     queue=self.queue, worker=self.worker, llm=self.language_model.client)

    def spawn(self, coro) -> asyncio.Task:
        """Run work that outlives its request (e.g. sending mail with retries); awaited at shutdown."""
        task = asyncio.create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    @property
    def background_tasks(self) -> int:
        """Spawned work still running."""
        return len(self._background)

    @classmethod
    def create(cls, settings: Settings) -> ServerContext:
        inference_pool.configure(settings.inference_threads, settings.vision_threads, settings.vision_nice)
        private_dir(settings.data_dir)  # the database, keys, uploads and models: this user's only
        private_sqlite(settings.resolved_database_url)
        KEYRING.add(*settings.resolved_data_keys)  # before any row is read or written
        if not settings.data_keys or not settings.secret_key:
            log.warning("keys_in_data_dir", data_dir=str(settings.data_dir),
                        advice="in production give INTERVIEW_DATA_KEYS and INTERVIEW_SECRET_KEY from a secret store, "
                        "not files beside the database (README: Deployment)")
        advertise_host_addresses(settings.ice_host_addresses)
        if not decode_timing.install():
            log.warning("media_decode_not_timed", reason="this aiortc version has no rtcrtpreceiver.get_decoder")
        models = ModelManager.from_settings(settings)
        language_model = LanguageModel(settings, models)
        # The next move is the rules' choice, informed by the model's relevance judgement (server/live/interview.py):
        # on the development set the model's own choice of next move agreed with the experts far less often.
        return cls(
            followup_policy=RuleBasedPolicy(),
            settings=settings,
            store=Store(settings.resolved_database_url),
            bus=make_bus(settings.bus_url, settings.event_queue_size),
            signer=Signer(settings.resolved_secret_key, settings.link_max_age_s),
            models=models,
            language_model=language_model,
        )

    async def start(self) -> None:
        await self.store.migrate()
        await self.bus.start()
        await self.nodes.start_async()
        self.loop_monitor.start()
        await self.imports.start()  # runs left by a server that died while accepting them: interrupted
        self.worker.start()
        self.writeback.start()
        await self.language_model.start()

    async def stop(self) -> None:
        self.scheduler.stopping = self.retention.stopping = True  # a sweep or send in progress ends its batch
        await self.imports.hand_over()  # running imports go back to the queue at once, for another node
        await self.worker.stop()  # running jobs finish (or go back to the queue for another node)
        await self.imports.close()
        await self.writeback.stop()
        if self._background:
            await asyncio.wait(set(self._background), timeout=10)
        for live in list(self.live.values()):
            await live.close()
        self.live.clear()
        await self.store.records.flush()  # their timelines complete before another node takes them over
        await self.nodes.stop_async()  # claims given up: other nodes take the interviews at once
        await self.language_model.stop()
        await self.loop_monitor.stop()
        await self.bus.close()
        await self.store.close()
        self.passwords.close()
        inference_pool.shutdown()

    async def drain(self, timeout_s: float) -> None:
        """Stopping (SIGTERM): take no new interviews, let the running ones end for up to ``timeout_s``, then hand
        the rest over: their claims are given up and their candidates disconnected, so their pages reconnect to
        another node, which resumes each at the same question. Running bulk imports are given back to the queue at
        once."""
        await self.nodes.drain()
        await self.imports.hand_over()  # another node continues them now rather than after the drain
        left = await wait_until_idle(lambda: sum(1 for live in self.live.values() if live.connected), timeout_s)
        log.info("node_draining", node=self.nodes.node_id, handed_over=left)
        for interview_id in list(self.nodes.owned):
            await self.nodes.release(interview_id)
            await self.close_live(interview_id)
            await self.store.records.flush()  # its timeline complete before the node that takes it over adds to it
            await self.nodes.close_streams(interview_id)  # the page reconnects, to a node that takes it over

    async def close_live(self, interview_id: str) -> None:
        """Close the interview's runtime here (the candidate, if connected, is disconnected)."""
        async with self._live_lock:
            live = self.live.pop(interview_id, None)
        if live is not None:
            await live.close()

    async def publish_event(self, event: ev.InterviewEvent) -> None:
        """Send an event to every observer (any node) and keep it in the timeline unless it is transient. The
        timeline write is group-committed in the background (in order; what this node reads back waits for it), so
        the interview never waits for its record of what it just said; one that cannot be kept is logged."""
        payload = event.model_dump(mode="json")
        await self.bus.publish(event.interview_id, payload)
        if event.type not in ev.TRANSIENT_EVENT_TYPES:
            kept = self.store.records.keep_event(event.interview_id, event.type, payload)
            kept.add_done_callback(functools.partial(_log_unkept, event.interview_id, event.type))

    async def queue_refinement(self, request: RefineRequest, *, org_id: str | None = None) -> None:
        """Queue a score's refinement by the model (``scoring.refine``), due after the interview's own try."""
        after_s = due_after_s(request, self.language_model.client.timeout_s, self.settings.llm_refine_margin_s)
        await queue_refinement(self.queue, request, after_s=after_s, org_id=org_id)

    async def tell_candidate(self, event: ev.InterviewEvent) -> None:
        """Send an event to the candidate's page alone (the practice question's): not to observers, not kept."""
        await self.bus.publish(ev.candidate_only_channel(event.interview_id), event.model_dump(mode="json"))

    async def end_of_turn_model(self) -> EndOfTurnModel | None:
        """The acoustic end-of-turn model (loaded once, off the event loop), or None when it is turned off or its
        package is not installed (the detector then decides on silence and words)."""
        if not self.settings.end_of_turn_model:
            return None
        try:
            return await asyncio.to_thread(shared_smart_turn)
        except EndOfTurnModelNotAvailable as e:
            log.warning("end_of_turn_model_unavailable", error=str(e))
            return None

    async def speech_model(self, language: str) -> SpeechModel:
        model_id = self.settings.asr_models.get(language) or self.settings.asr_models["en"]
        return await self.models.aload(model_id)

    async def live_interview(self, interview_id: str) -> LiveInterview:
        """The interview's live runtime on this node, created (and restored from storage) on first use."""
        async with self._live_lock:
            live = self.live.get(interview_id)
            if live is not None:
                return live
            iv = await self.store.interviews.get(interview_id)
            # a job that needs a booked slot opens only shortly before it
            ensure_may_start(iv, self.clock(), self.settings.start_grace_min)
            plan = await plan_by_id(self.store.jobs, iv.plan_id, iv.job.title, iv.language)
            model = await self.speech_model(iv.language)
            if not iv.asr_model:
                await self.store.interviews.update(interview_id, asr_model=model.model_id)
            org = await self.store.accounts.org(iv.org_id)
            weight = 0.0 if org is None or org.region.upper() in EU_REGIONS else self.settings.nonverbal_weight
            question_ids = [q.id for q in await self.store.jobs.plan_questions(iv.plan_id)]
            turn_config = TurnTakingConfig(intent_reasons=True,
                                           answer_end_silence_ms=self.settings.answer_end_silence_ms,
                                           resume_grace_ms=self.settings.answer_resume_grace_ms,
                                           finish_max_wait_ms=self.settings.answer_finish_max_wait_ms,
                                           time_limit_grace_ms=self.settings.answer_time_limit_grace_ms)
            deps = LiveInterviewDeps(interviews=self.store.interviews, records=self.store.records,
                                     publish=self.publish_event, analyzers=self.analyzers,
                                     followup_policy=self.followup_policy,
                                     nonverbal_analysis=self.settings.nonverbal_analysis,
                                     analysis_cpu_budget=self.settings.analysis_cpu_budget,
                                     judge=self.language_model.client,
                                     decision_wait=self.decision_wait,
                                     tell_candidate=self.tell_candidate,
                                     queue_refinement=functools.partial(self.queue_refinement, org_id=iv.org_id))
            # the fitted fusion gives the voice no weight (dialogue/end_fusion.py): then the model is not loaded
            end_of_turn = await self.end_of_turn_model() if turn_config.fusion.hears_voice else None
            # its tasks outlive this request: their log lines name the interview, not the request
            live = interview_context(interview_id).run(
                lambda: LiveInterview(deps, interview_id, iv.language, plan, model, nonverbal_weight=weight,
                                      question_ids=question_ids, turn_config=turn_config, end_of_turn=end_of_turn))
            await live.restore()
            self.live[interview_id] = live
            return live

    async def release_unconnected(self, interview_id: str) -> None:
        """Close the interview's live runtime if no candidate is connected to it: an offer that failed leaves no
        recogniser, worker or analysis tasks behind (a later offer creates the runtime again), and no claim on a
        node's room while no candidate is here."""
        async with self._live_lock:
            live = self.live.get(interview_id)
            if live is not None and (live.connection is not None or live.lock.locked()):
                return  # connected, or another offer is connecting it now
            self.live.pop(interview_id, None)
        if live is not None:
            await live.close()
        if not self.nodes.streams.get(interview_id):
            await self.nodes.release(interview_id)
