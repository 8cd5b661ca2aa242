"""The one settings object: environment variables (prefix ``INTERVIEW_``) and CLI flags.

Each setting's default is written once. Where a library config (``dialogue/``, ``analyzers/``, ``media/``) already
has the knob, the default lives there, next to its reasons, and the field here reads it (e.g.
``TurnTakingConfig.answer_end_silence_ms``): libraries never import ``server.*``, so the direction is always
library -> Settings. Everything else has its default only here; server code takes the value from Settings and
repeats no default of its own. The command line's flags are generated from these fields
(``server/platform/settings_flags.py``): name, type, default and description all come from here. A field
annotated ``CliSuppress`` (secrets: ``ps`` shows flags) is read from the environment only; ``CliFlag`` names a
flag that is not ``--`` plus the field name with dashes.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, CliSuppress, SettingsConfigDict

from analyzers.documents.document_limits import MAX_RESUME_BYTES, DocumentLimits
from analyzers.inference_pool import DEFAULT_THREADS, VISION_NICE
from analyzers.llm_client import DEFAULT_TIMEOUT_S as LLM_TIMEOUT_S
from dialogue.answer_judgement import DECISION_WAIT_S
from analyzers.llm_engine import EngineConfig
from analyzers.model_registry import JUDGE_MODEL_ID
from analyzers.video_scheduler import AnalysisBudget
from analyzers.whisper_asr import WINDOW_MARGIN_MS
from dialogue.turn_taking import TurnTakingConfig
from server.platform.private_files import private_dir, private_file, write_private


@dataclass(frozen=True)
class CliFlag:
    """The command-line flag of a setting whose flag is not ``--`` plus its field name with dashes."""

    flag: str


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="INTERVIEW_", env_nested_delimiter="__", extra="ignore")

    host: str = Field(default="127.0.0.1", description="Address the server listens on")
    port: int = Field(default=8080, description="Port the server listens on")
    public_base_url: str | None = Field(
        default=None, description="Base URL put into candidate links; unset: http://host:port"
    )
    data_dir: Path = Field(default=Path("data"), description="Database file (SQLite), keys and the model cache")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy async URL; unset: a SQLite file in data_dir"
    )
    bus_url: str = Field(default="memory://", description="memory:// (one process) or redis://host:port/db")
    secret_key: CliSuppress[str | None] = Field(default=None,
                                                description="Signs links and sessions; generated once if unset")

    # Several server processes (nodes) sharing the load through Redis (server/platform/placement.py)
    node_id: str | None = Field(default=None, description="This process's name among the nodes; unset: "
                                "hostname-pid-random")
    node_url: str | None = Field(default=None, description="Where the other server processes reach this one "
                                 "(its own address, not the shared public one); unset: http://host:port")
    node_capacity: int = Field(default=16, ge=1, le=10000, description="Interviews this process runs at once; "
                               "a candidate who joins beyond it goes to a node with room, or is asked to try again "
                               "in a minute (503 servers_busy) when none has")
    node_heartbeat_s: float = Field(default=2.0, gt=0, le=60, description="How often a node renews its entry and "
                                    "its interviews' claims in Redis, seconds")
    node_ttl_s: float = Field(default=6.0, gt=0, le=600, description="A node's entry and claims expire this long "
                              "after its last renewal (a dead node's interviews can then be taken over), seconds")
    node_idle_release_s: float = Field(default=60.0, gt=0, le=86400, description="A node gives up an unfinished "
                                       "interview whose candidate has been gone this long (another node may take "
                                       "it when they come back), seconds")
    drain_timeout_s: float = Field(default=30.0, ge=0, le=86400, description="On SIGTERM a node takes no new "
                                   "interviews and waits this long for its running ones to end; those still "
                                   "running are then handed over (their candidates reconnect to another node)")

    # WebRTC
    ice_host_addresses: Annotated[list[str], CliFlag("--ice-host")] = Field(
        default_factory=list,
        description="Addresses advertised as ICE host candidates (public IP behind NAT; 127.0.0.1 in tests). "
        "Empty: every non-loopback interface address.",
    )
    max_sdp_bytes: int = Field(default=64 * 1024, description="Largest WebRTC offer (SDP) accepted, in bytes")

    # Links and logins
    link_max_age_s: int = Field(default=7 * 24 * 3600, description="How long a candidate's link works after it is "
                                "signed (links in booking messages also work until the booked slot is over)")
    password_link_max_age_s: int = Field(default=3 * 24 * 3600, ge=60, description="How long a set-password link "
                                         "(for a new account, or issued again by an admin) works, in seconds; "
                                         "it works once")
    session_max_age_s: int = Field(default=12 * 3600, ge=60, description="Longest an HR login lasts however "
                                   "busy it is (absolute timeout), in seconds")
    session_idle_s: int = Field(default=2 * 3600, ge=60, description="An HR login unused for this long ends (idle "
                                "timeout), in seconds; an open HR page uses it (it refreshes every few seconds)")
    session_stream_check_s: float = Field(default=10.0, gt=0, le=300, description="How often an open observer "
                                          "stream checks that its login has not ended (it is closed when it has)")
    trusted_proxies: list[str] = Field(default_factory=list, description="Addresses (or networks) of reverse "
                                       "proxies in front of the server: from them the client's address is read "
                                       "from X-Forwarded-For (for login limits and the access log)")

    # Login throttling (server/http/login_throttle.py): per account and per address, back-off, then a lock
    login_backoff_after: int = Field(default=3, ge=1, description="Wrong passwords for one account after which "
                                     "each further try waits login_backoff_s, doubling per wrong password")
    login_lock_after: int = Field(default=10, ge=1, description="Wrong passwords for one account that lock its "
                                  "login for login_lock_s (also for the right password)")
    login_address_backoff_after: int = Field(default=10, ge=1, description="Wrong passwords from one address "
                                             "(any accounts) after which each further try from it waits")
    login_address_lock_after: int = Field(default=50, ge=1, description="Wrong passwords from one address that "
                                          "lock logins from it for login_lock_s")
    login_backoff_s: float = Field(default=1.0, gt=0, le=3600, description="First wait of the back-off, seconds")
    login_backoff_max_s: float = Field(default=60.0, gt=0, le=3600, description="Longest wait of the back-off, "
                                       "seconds")
    login_lock_s: int = Field(default=15 * 60, ge=1, le=7 * 86400, description="How long a lock lasts, seconds; "
                              "a wrong password right after it locks again")
    login_forget_s: int = Field(default=3600, ge=1, le=30 * 86400, description="Wrong passwords are forgotten "
                                "when none followed for this long, seconds")
    password_hash_threads: int = Field(default=1, ge=1, le=16, description="Threads that hash and check passwords "
                                       "(Argon2id, off the event loop; one hash already uses 64 MiB and several "
                                       "cores' worth of lanes)")
    password_hash_max_waiting: int = Field(default=32, ge=1, le=10000, description="Logins that may wait for a "
                                           "password check at once; more are refused with 503 login_busy")

    # Speech recognition: model id per interview language (see analyzers/model_registry.py)
    asr_models: dict[str, str] = Field(
        default_factory=lambda: {"en": "whisper-tiny.en", "zh": "whisper-base", "ko": "vosk-ko"},
        description="Speech model id per interview language (JSON); 'en' is the fallback")
    model_cache_dir: Path | None = Field(default=None, description="Where speech models are kept; unset: "
                                         "data_dir/models")
    allow_model_download: Annotated[bool, CliFlag("--allow-download")] = Field(
        default=False, description="Download a speech model that is not installed (from its pinned source)")
    inference_threads: int = Field(default=DEFAULT_THREADS, description="Threads for speech and scoring inference "
                                   "(one per core by default, see analyzers/inference_pool.py)")
    vision_threads: int | None = Field(default=None, ge=1, description="Threads for the frame analyzers (face, "
                                       "posture, hands); unset: as many as inference_threads")
    vision_nice: int = Field(default=VISION_NICE, ge=0, le=19, description="How much lower than the server the "
                             "frame analyzers' threads run, so speech and the next question come first on a busy "
                             "core (0: the same priority; higher: the next question sooner, the live panel's "
                             "observations later, see README Benchmarks)")
    whisper_window_margin_ms: int = Field(
        default=WINDOW_MARGIN_MS, ge=0, le=30000,
        description="Padding Whisper's encoder reads after the audio instead of its whole 30-s window (3x faster "
        "decodes at equal accuracy, see analyzers/whisper_asr.py); 0 = the full window; under 2000 the decoder "
        "loops, so 1-1999 are refused")

    # Analysis of observable behaviour (face, posture, hands, voice); only with the candidate's consent
    nonverbal_analysis: bool = Field(default=True, description="Analyse face, posture, hands and voice when the "
                                     "candidate consents; off: never")
    analysis_cpu_budget: float = Field(default=AnalysisBudget.cpu_cores,
                                       description="Cores one session's video analysis may use")

    # Turn-taking
    answer_end_silence_ms: int = Field(
        default=TurnTakingConfig.answer_end_silence_ms, ge=500, le=10000,
        description="Silence that ends an answer when nothing else gives a cue: the operating point of the fused "
        "end-of-answer model (a closing phrase or a complete answer ends sooner, 'let me think' later); shorter: "
        "answers end sooner and more thinking pauses are cut into; see dialogue/end_fusion.py")
    answer_resume_grace_ms: int = Field(
        default=TurnTakingConfig.resume_grace_ms, ge=0, le=5000,
        description="Speech that starts this soon after an answer was taken as over continues that answer (same "
        "transcript and score) and takes back the question chosen meanwhile unless the page has finished speaking "
        "it; 0 = off")
    answer_finish_max_wait_ms: int = Field(
        default=TurnTakingConfig.finish_max_wait_ms, ge=500, le=30000,
        description="After 'I have finished' the answer ends at the candidate's next pause, or this long after the "
        "press if they are still heard (a noisy room: fan, traffic, TV); the words recognised until then are kept")
    answer_time_limit_grace_ms: int = Field(
        default=TurnTakingConfig.time_limit_grace_ms, ge=0, le=60000,
        description="When a question's time runs out while the candidate is still heard, the answer ends at their "
        "next pause, or this long after the time ran out at the latest")

    end_of_turn_model: bool = Field(
        default=True, description="Also ask the acoustic end-of-turn model (Smart Turn v3.2 from the pipecat-ai "
        "package) at every pause, when the end-of-answer fusion gives the voice a weight (the fitted default gives "
        "it none on the dev set: dialogue/end_fusion.py); off, or the package missing: silence and words decide alone")

    # Scoring and follow-ups
    nonverbal_weight: float = Field(default=0.0, ge=0.0, le=0.5,
                                    description="Weight of non-verbal observations in scores; forced to 0 for EU orgs")
    llm_engine: str = Field(
        default="embedded", description="Language model for the interviewer's judgement: 'embedded' (llama.cpp "
        "started by the server at a lower CPU priority, see analyzers/llm_engine.py), 'off' (rules only), or an "
        "OpenAI-compatible base URL (Ollama, vLLM, a cloud API, e.g. http://127.0.0.1:11434/v1). The rules decide "
        "until it is ready (/api/v1/health says which); the model is asked at the candidate's pauses and the next "
        "question waits for it at most llm_decision_wait_s")
    llm_api_key: CliSuppress[str | None] = Field(default=None, description="API key of an external llm_engine")
    llm_model: str = Field(default=JUDGE_MODEL_ID, description="Embedded engine: the model id in the model "
                           "registry; external engine: the model name it serves")
    llm_timeout_s: float = Field(default=LLM_TIMEOUT_S, description="Seconds one language-model judgement may take "
                                 "(all retries); past it the score stays the rules'")
    llm_decision_wait_s: float = Field(default=DECISION_WAIT_S, ge=0.0, le=10.0,
                                       description="Seconds after an answer's end the next move waits for the language "
                                       "model's judgement (asked at the candidate's pauses) before the rules decide "
                                       "alone; the score is refined when the model replies later. While fewer than a quarter of the "
                                       "node's newest replies came within it, the next move does not wait "
                                       "(dialogue/decision_wait.py)")
    llm_refine_margin_s: float = Field(default=5.0, ge=0.0, le=3600.0,
                                       description="A score the model's late judgement is to refine is also queued "
                                       "as a background job (scoring.refine, run by any node, in case this one dies "
                                       "or the interview moves): it is due this many seconds after the longest the "
                                       "interview's own refinement may take (llm_timeout_s per ask), and does nothing "
                                       "if that refinement was made")
    description_model_wait_s: float = Field(default=30.0, ge=0.0, le=300.0, description="Seconds a new job's "
                                            "description waits for the language model to recognise its section "
                                            "headings when the rules know none of them; the rules' reading is kept "
                                            "past it, or when the model is not ready")
    llm_threads: int = Field(default=EngineConfig.threads, ge=1, description="CPU threads of the embedded engine "
                             "(it runs at a lower priority than live media)")

    # E-mail invitations (SMTP)
    smtp_host: str | None = Field(default=None, description="SMTP server; invitations by e-mail are off when unset")
    smtp_port: int = Field(default=587, description="SMTP port")
    smtp_username: str | None = Field(default=None, description="SMTP login (none: send without logging in)")
    smtp_password: CliSuppress[str | None] = Field(default=None, description="SMTP password")
    smtp_starttls: bool = Field(default=True, description="Use STARTTLS when logging in to the SMTP server")
    mail_from: str = Field(default="AI Interview <no-reply@localhost>", description="Sender of invitation e-mails")

    # Invitations by signed webhook (for SMS gateways and other systems)
    invite_webhook_url: str | None = Field(default=None, description="Webhook that receives invitations to send "
                                           "(SMS gateways and other systems); off when unset")
    invite_webhook_secret: CliSuppress[str | None] = Field(default=None, description="Signs the invitation webhook's "
                                                           "requests")

    # DingTalk connector (work-notice invitations, ATS import); off while app key, secret and agent id are unset
    dingtalk_api_base: str = Field(default="https://api.dingtalk.com",
                                   description="DingTalk new-API host (OAuth2 token, ATS)")
    dingtalk_oapi_base: str = Field(default="https://oapi.dingtalk.com",
                                    description="DingTalk legacy-API host (gettoken, work notices)")
    dingtalk_app_key: str | None = Field(default=None, description="AppKey of the DingTalk internal app")
    dingtalk_app_secret: CliSuppress[str | None] = Field(default=None,
                                                         description="AppSecret of the DingTalk internal app")
    dingtalk_agent_id: int | None = Field(default=None, description="AgentId of the app (sends work notices)")
    dingtalk_operator_userid: str | None = Field(
        default=None, description="DingTalk userid of the HR account ATS queries act for (opUserId); "
        "needed by the ATS import")
    dingtalk_max_attempts: int = Field(default=5, ge=1, le=10,
                                       description="Tries per DingTalk call when it is rate-limited or unreachable")
    dingtalk_retry_initial_s: float = Field(default=1.0, gt=0, le=60,
                                            description="First backoff after a DingTalk rate-limit answer "
                                            "(doubles per try, with jitter)")
    dingtalk_timeout_s: float = Field(default=15.0, gt=0, le=120, description="Timeout of one DingTalk request")
    dingtalk_ats_plugin_code: str | None = Field(
        default=None, description="plugin_code DingTalk assigned for the recruiting data push "
        "(dingtalk.oapi.ats.plugin.data.push); with dingtalk_ats_schema_id set, the reports of candidates imported "
        "from DingTalk are written to their recruiting record, else sent to the job's recruiters as work notices")
    dingtalk_ats_schema_id: str | None = Field(default=None, description="schema_id DingTalk assigned for the "
                                               "recruiting data push of interview reports")

    # Reports back to the HR system (server/reports/writeback.py): DingTalk and the report webhook
    report_webhook_url: str | None = Field(default=None, description="Webhook that receives each scored "
                                           "interview's report (event interview.report); unset: the invitation "
                                           "webhook, if set up")
    report_webhook_secret: CliSuppress[str | None] = Field(default=None, description="Signs the report webhook's "
                                                           "requests; unset: the invitation webhook's secret")
    writeback_poll_s: float = Field(default=10.0, gt=0, le=3600, description="How often the writer looks for "
                                    "newly scored interviews and sends the write-backs that are due")
    writeback_settle_s: float = Field(default=30.0, ge=0, le=3600, description="Seconds after an interview ends "
                                      "before its report is written back (a language model's late refinement of "
                                      "the last answer's score lands first)")
    writeback_lookback_h: float = Field(default=48.0, gt=0, le=24 * 365, description="Interviews that ended longer "
                                        "ago than this are not written back on their own (setting up the "
                                        "integration does not send the history); HR can still sync one")
    writeback_max_rounds: int = Field(default=8, ge=1, le=50, description="Delivery rounds (each with "
                                      "dingtalk_max_attempts quick tries) before a write-back is given up as failed")
    writeback_retry_initial_s: float = Field(default=30.0, gt=0, le=3600, description="Wait before the second "
                                             "delivery round of a write-back that was rate-limited or could not get "
                                             "through (doubles per round, with jitter)")
    writeback_retry_max_s: float = Field(default=3600.0, gt=0, le=86400, description="Longest wait between two "
                                         "delivery rounds of a write-back")

    # Scheduling: booked slots, reminders, no-shows
    reminder_poll_s: float = Field(default=30.0, gt=0, le=3600,
                                   description="How often the scheduler sends due reminders and marks no-shows")
    no_show_grace_min: int = Field(default=15, ge=0, le=24 * 60,
                                   description="Minutes after a booked slot ends before a candidate who never "
                                   "joined is marked as a no-show")
    start_grace_min: int = Field(default=10, ge=0, le=24 * 60,
                                 description="Minutes before a booked slot from which the candidate may join "
                                 "(jobs that do not allow an immediate start)")

    # Bulk candidate import (a zip of resumes and/or a CSV per upload; server/recruiting/imports.py)
    import_max_upload_bytes: int = Field(default=100 * 2**20, ge=1,
                                         description="Largest bulk-import upload (all its files together), in bytes")
    import_max_files: int = Field(default=1000, ge=1,
                                  description="Most resume files (zip entries) or CSV rows in one bulk import")
    import_max_file_bytes: int = Field(default=MAX_RESUME_BYTES, ge=1,
                                       description="Largest single resume inside a bulk import (unpacked), in bytes")
    import_max_uncompressed_bytes: int = Field(
        default=500 * 2**20, ge=1, description="Zip-bomb guard: the most a bulk-import zip may unpack to, in bytes")
    import_max_active: int = Field(default=2, ge=1, le=64,
                                   description="Bulk imports one server process runs or receives at a time (uploads "
                                   "beyond answer 429; queued runs wait for a process with room)")
    import_parse_threads: int = Field(default=1, ge=1, le=16,
                                      description="Threads that parse uploaded resumes (PDF/DOCX text extraction is "
                                      "CPU-bound Python, so more threads compete with the event loop)")
    document_max_unpacked_bytes: int = Field(
        default=DocumentLimits.unpacked_bytes, ge=1, description="What one DOCX resume may unpack to (all its "
        "parts; also at most 8 MB of XML and no large part packed more than 100 times), checked before it is read")
    resume_max_text_chars: int = Field(default=DocumentLimits.text_chars, ge=1000,
                                       description="Longest resume text stored, in characters; longer ones are refused")
    document_parse_timeout_s: float = Field(default=30.0, gt=0, le=600,
                                            description="Seconds reading one uploaded resume may take (in a child "
                                            "process of its own, stopped beyond)")
    document_parse_memory_bytes: int = Field(default=512 * 2**20, ge=64 * 2**20,
                                             description="Memory reading one uploaded resume may take beyond the child "
                                             "process's start, in bytes")
    import_lease_s: float = Field(default=30.0, gt=0, le=3600,
                                  description="An unfinished import whose server has not reported for this long "
                                  "and which no queued or running job will resume is marked interrupted")

    # The shared work queue (background jobs on every node; server/platform/work_queue.py)
    job_concurrency: int = Field(default=4, ge=1, le=64,
                                 description="Background jobs one server process runs at a time")
    job_poll_s: float = Field(default=2.0, gt=0, le=600,
                              description="How often a node looks for due background jobs queued by other nodes "
                              "(its own are started at once)")
    job_lease_s: float = Field(default=60.0, ge=1, le=3600,
                               description="A running job's lease, renewed while its node works; a job whose lease "
                               "ran out (its node died) is run again by another node")
    job_max_attempts: int = Field(default=5, ge=1, le=50,
                                  description="Runs a failing background job gets before it is marked failed")
    job_retry_base_s: float = Field(default=5.0, gt=0, le=3600,
                                    description="Backoff after a job's first failure; doubles per failure")
    job_retry_max_s: float = Field(default=3600.0, gt=0, le=86400, description="Longest backoff between two runs")
    job_keep_done_s: float = Field(default=2 * 86400.0, gt=0,
                                   description="How long finished background jobs stay listed before deletion")
    job_keep_failed_s: float = Field(default=30 * 86400.0, gt=0,
                                     description="How long failed background jobs (and their errors) stay listed")

    # Encryption at rest of candidates' free text (server/compliance/crypto.py)
    data_keys: CliSuppress[dict[str, str]] = Field(
        default_factory=dict, description="AES-256 keys for data at rest: JSON "
        "{\"<key id>\": \"<base64 of 32 bytes>\"}; empty: one generated on first start and kept in "
        "data_dir/data-keys.json")
    data_key_id: str | None = Field(default=None, description="The key new values are encrypted with (default: "
                                    "the only key given)")

    # Audit log of personal-data reads
    audit_coalesce_s: int = Field(default=900, ge=0, le=86400,
                                  description="A user's repeat of the same read (same candidates, same address) "
                                  "within this many seconds counts on the earlier audit row instead of adding one "
                                  "(the HR page refreshes its list every 5 s); 0 = a row per read")

    # Retention (defaults for organisations that set none; see server/compliance/retention.py)
    retention_interview_content_days: int = Field(default=90, ge=1, le=3650,
                                                  description="Days after an interview ends before its transcript, "
                                                  "answers, evidence quotes and timeline are deleted")
    retention_candidate_days: int = Field(default=365, ge=1, le=3650,
                                          description="Days after a candidate's last activity before everything "
                                          "about them is deleted")
    retention_sweep_s: float = Field(default=3600.0, gt=0, description="Seconds between retention sweeps")

    # Voluntary self-identification for the bias check (server/compliance/self_id_survey.py)
    self_id_questions: dict[str, list[Literal["sex", "race_ethnicity", "age_band"]]] = Field(
        default_factory=lambda: {"US": ["sex", "race_ethnicity", "age_band"], "*": ["sex", "age_band"]},
        description="The survey's questions by the organisation's region (JSON: region code -> questions, '*' for "
        "every other region; [] asks nothing): race/ethnicity, in the US EEO categories, only for US organisations "
        "by default")

    # Operations: metrics and logs (server/http/routes/metrics.py, server/platform/logs.py)
    metrics: Literal["off", "loopback", "token"] = Field(
        default="loopback", description="Who may read GET /metrics (Prometheus): 'off' (404), 'loopback' (only "
        "direct requests from this machine; a request that came through a proxy is refused) or 'token' (any "
        "address with 'Authorization: Bearer <metrics_token>')")
    metrics_token: CliSuppress[str | None] = Field(default=None, min_length=16, description="The bearer token that "
                                                   "reads /metrics when metrics=token (at least 16 characters)")
    log_format: Literal["console", "json"] = Field(
        default="console", description="Log lines: 'console' (readable, for development) or 'json' (one JSON object "
        "per line with request_id and interview_id, for log collectors)")

    # HR analytics and hiring outcomes (server/reports/analytics.py)
    analytics_bootstrap_samples: int = Field(default=1000, ge=0, le=20000,
                                             description="Bootstrap resamples behind the 95 % intervals of rater "
                                             "agreement (ICC, kappa); 0 = no intervals")
    analytics_min_n: int = Field(default=5, ge=3, le=1000,
                                 description="Fewest people (subjects, hires) a correlation or agreement figure is "
                                 "shown for, and an interval computed from")
    analytics_weight_min_n: int = Field(default=10, ge=4, le=10000,
                                        description="Fewest rated hires a competency's correlation with performance "
                                        "needs before it moves the suggested weights")
    analytics_weight_shrinkage_n: int = Field(default=30, ge=0, le=10000,
                                              description="Hires at which a suggested weight has moved halfway from "
                                              "the current weight to what the correlations alone say")
    outcome_csv_max_bytes: int = Field(default=2 * 2**20, ge=1024, le=100 * 2**20,
                                       description="Largest outcome CSV accepted, in bytes")
    outcome_csv_max_rows: int = Field(default=5000, ge=1, le=100000,
                                      description="Most rows one outcome CSV may have")

    # Limits
    max_observers_per_interview: int = Field(default=50, description="Observers (HR live panels) one interview may "
                                             "have at once")
    event_queue_size: int = Field(default=1000, description="Events queued per observer; one that reads slower "
                                  "loses the oldest beyond this")

    @field_validator("llm_engine")
    @classmethod
    def _engine_known_or_url(cls, v: str) -> str:
        if v not in ("embedded", "off") and not v.startswith(("http://", "https://")):
            raise ValueError("must be 'embedded', 'off' or an http(s) base URL of an OpenAI-compatible API")
        return v

    @model_validator(mode="after")
    def _token_for_token_metrics(self) -> Settings:
        if self.metrics == "token" and not self.metrics_token:
            raise ValueError("metrics=token needs INTERVIEW_METRICS_TOKEN (at least 16 characters)")
        return self

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_are_addresses(cls, v: list[str]) -> list[str]:
        import ipaddress

        for entry in v:
            ipaddress.ip_network(entry, strict=False)  # ValueError: not an address or network
        return v

    @field_validator("whisper_window_margin_ms")
    @classmethod
    def _margin_off_or_long_enough(cls, v: int) -> int:
        if 0 < v < 2000:
            raise ValueError("must be 0 (Whisper's full 30-s window) or at least 2000 ms: with less padding the "
                             "decoder repeats itself")
        return v

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'interview.db').resolve()}"

    @cached_property
    def resolved_model_cache_dir(self) -> Path:
        return (self.model_cache_dir or self.data_dir / "models").resolve()

    @cached_property
    def resolved_base_url(self) -> str:
        return (self.public_base_url or f"http://{self.host}:{self.port}").rstrip("/")

    @cached_property
    def resolved_node_url(self) -> str:
        return (self.node_url or f"http://{self.host}:{self.port}").rstrip("/")

    @cached_property
    def resolved_data_keys(self) -> tuple[dict[str, bytes], str]:
        """(keys by id, current id): the configured ones, or one generated on first start and kept in data_dir."""
        import base64
        import json

        from server.compliance.crypto import key_id_for, new_key

        if self.data_keys:
            keys = {kid: base64.b64decode(v) for kid, v in self.data_keys.items()}
            current = self.data_key_id or (next(iter(keys)) if len(keys) == 1 else None)
            if current not in keys:
                raise ValueError("INTERVIEW_DATA_KEY_ID must name one of INTERVIEW_DATA_KEYS")
            return keys, current
        path = self.data_dir / "data-keys.json"
        if not path.exists():  # written whole and private, then linked in: a second process starting at the
            key = new_key()    # same moment keeps the first one's key instead of replacing it
            private_dir(self.data_dir)
            tmp = path.with_name(f".data-keys.{os.getpid()}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(json.dumps({"current": key_id_for(key), "keys": {key_id_for(key): base64.b64encode(key)
                                                                            .decode()}}))
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass
            finally:
                tmp.unlink()
        stored = json.loads(private_file(path).read_text())
        return {kid: base64.b64decode(v) for kid, v in stored["keys"].items()}, stored["current"]

    @cached_property
    def resolved_secret_key(self) -> str:
        """The configured key, or one generated on first start and kept in data_dir."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret.key"
        if not path.exists():
            private_dir(self.data_dir)
            try:
                write_private(path, secrets.token_urlsafe(48))
            except FileExistsError:  # another process wrote it first: its key is the one
                pass
        return private_file(path).read_text().strip()
