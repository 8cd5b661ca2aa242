"""Demo data: an organisation with one user of each role, three jobs with question plans, six months of recruiting
history behind them (server/platform/demo_history.py: candidates from every channel, scored and rated interviews,
decisions, performance ratings; so the HR analytics show something at once), and a fresh candidate interview.

The roles show what each sees (server/http/access.py): the admin everything; the recruiter and the hiring manager
only the engineering job assigned to them, a second recruiter only the store manager job; the observer only the
interviews they are invited to (each new demo interview). All demo users share the demo password."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timezone

from dialogue.plan import InterviewPlanSpec, PlanQuestionSpec
from server.http.auth import Signer, hash_password
from server.platform.demo_history import DemoJobHistory, has_history, seed_history
from server.platform.settings import Settings
from server.storage.accounts import AccountRepository
from server.storage.assignments import AssignmentRepository
from server.storage.database import Database
from server.storage.interview_records import InterviewRecordRepository
from server.storage.interviews import InterviewRepository
from server.storage.jobs import JobRepository
from server.platform.private_files import private_dir, write_private

DEMO_EMAIL = "demo@example.com"
# (e-mail, role, name, index of the demo job they are responsible for, if any)
DEMO_TEAM = [
    ("recruiter@example.com", "recruiter", "Rui Recruiter", 0),
    ("manager@example.com", "hiring_manager", "Mina Manager", 0),
    ("stores@example.com", "recruiter", "门店招聘专员", 1),
    ("observer@example.com", "observer", "Omar Observer", None),
]

DEMO_JOBS = [
    {
        "title": "Backend Software Engineer",
        "language": "en",
        "description": "Builds and runs the services behind our hiring products.",
        "questions": [
            {"text": "Please introduce yourself and the project you are most proud of.", "competency": "communication",
             "expected_points": ["role", "project", "own contribution"], "time_limit_s": 180},
            {"text": "Tell me about a time you had to fix a serious problem in production.",
             "competency": "problem solving", "expected_points": ["situation", "actions", "result"],
             "time_limit_s": 180},
            {"text": "How do you decide what to test in a new feature?", "competency": "engineering judgement",
             "expected_points": ["risk", "behaviour", "automation"], "time_limit_s": 180},
        ],
    },
    {
        "title": "门店经理",
        "language": "zh",
        "description": "负责门店运营、团队管理和销售目标。",
        "questions": [
            {"text": "请简单介绍一下您自己和您管理过的团队。", "competency": "沟通", "expected_points": ["团队规模", "职责"],
             "time_limit_s": 180},
            {"text": "请举一个您提升门店销售业绩的例子。", "competency": "结果导向",
             "expected_points": ["情境", "行动", "结果"], "time_limit_s": 180},
        ],
    },
    {
        "title": "Customer Success Specialist",
        "language": "en",
        "description": "Helps our customers get the most out of the product and keeps them with us.",
        "questions": [
            {"text": "Tell me about a customer you helped through a difficult problem.", "competency": "customer focus",
             "expected_points": ["the customer's need", "actions", "result"], "time_limit_s": 180},
            {"text": "How do you explain a technical limitation to an unhappy customer?",
             "competency": "communication", "expected_points": ["empathy", "clarity", "next step"],
             "time_limit_s": 180},
            {"text": "Describe how you found the cause of a problem many customers reported.",
             "competency": "problem solving", "expected_points": ["data", "cause", "fix"], "time_limit_s": 180},
        ],
    },
]
# what readers see for each demo competency, in their language (the plans keep the keys above)
DEMO_COMPETENCY_NAMES = {
    "communication": {"en": "Communication", "zh": "沟通表达"},
    "problem solving": {"en": "Problem solving", "zh": "问题解决"},
    "engineering judgement": {"en": "Engineering judgement", "zh": "工程判断"},
    "沟通": {"en": "Communication", "zh": "沟通"},
    "结果导向": {"en": "Results orientation", "zh": "结果导向"},
    "customer focus": {"en": "Customer focus", "zh": "客户导向"},
}
# each demo job's history: candidates, required and nice-to-have skills, the competency later performance follows
# most, and the two people who rate its interviews (e-mails)
DEMO_HISTORY = [
    (70, ["Python"], ["PostgreSQL", "Kubernetes", "Kafka", "Go"], "problem solving",
     ("recruiter@example.com", "manager@example.com")),
    (40, ["门店管理"], ["销售", "排班", "库存管理"], "结果导向", ("stores@example.com", DEMO_EMAIL)),
    (30, ["CRM"], ["Salesforce", "SQL", "Zendesk"], "customer focus", (DEMO_EMAIL, "recruiter@example.com")),
]


def _plan(job: dict) -> dict:
    """A demo job's plan document: its questions as they are, each competency named in both languages."""
    lang = job["language"]
    return InterviewPlanSpec(title={lang: job["title"]}, languages=[lang], questions=[
        PlanQuestionSpec(id=f"q{i + 1}", competency=q["competency"], text={lang: q["text"]},
                         competency_name=DEMO_COMPETENCY_NAMES[q["competency"]],
                         expected_points={lang: q["expected_points"]}, time_limit_s=q["time_limit_s"])
        for i, q in enumerate(job["questions"])]).model_dump(mode="json")


@dataclass(frozen=True)
class DemoInfo:
    email: str
    password: str
    job_id: str
    interview_id: str
    link: str
    team: dict[str, str]  # the other demo users' e-mail -> role (same password)


async def seed_demo(accounts: AccountRepository, jobs: JobRepository, interviews: InterviewRepository,
                    assignments: AssignmentRepository, settings: Settings,
                    candidate_name: str = "Alex Chen", db: Database | None = None) -> DemoInfo:
    """Create the demo organisation once (kept across restarts) and a new candidate interview every call, which
    the demo observer is invited to. With ``db``, the organisation's recruiting history too, once."""
    pw_file = settings.data_dir / "demo-login.txt"
    user = await accounts.user_by_email(DEMO_EMAIL)
    new_password = user is None or not pw_file.exists()
    if new_password:
        password = secrets.token_urlsafe(9)
        if user is None:
            org = await accounts.create_org("Demo Company", region="CN")
            user = await accounts.create_user(org.id, DEMO_EMAIL, hash_password(password), role="admin",
                                              name="Demo admin")
            for job in DEMO_JOBS:
                await jobs.create(org.id, job["title"], job["description"], job["language"], job["questions"],
                                  spec=_plan(job))
        else:
            await accounts.set_password_hash(user.id, hash_password(password))
        private_dir(settings.data_dir)
        write_private(pw_file, password)
    password = pw_file.read_text().strip()
    org_jobs = await jobs.for_org(user.org_id)
    observers = await _demo_team(accounts, assignments, user.org_id, [j.id for j in org_jobs], password, new_password)
    if db is not None and not await has_history(db, user.org_id):
        await _history(db, accounts, jobs, user.org_id, org_jobs)
    elif db is not None:  # a history seeded before its interviews' list figures were kept: fill them in
        await InterviewRecordRepository(db).fill_missing_figures(user.org_id)
    job = org_jobs[0]
    iv = await interviews.create(user.org_id, job.id, candidate_name, "", job.language)
    for observer_id in observers:
        await assignments.invite_observer(user.org_id, iv.id, observer_id, None)
    signer = Signer(settings.resolved_secret_key, settings.link_max_age_s)
    token = signer.link_token(iv.id, iv.link_nonce)
    return DemoInfo(DEMO_EMAIL, password, job.id, iv.id, f"{settings.resolved_base_url}/i/{token}",
                    {email: role for email, role, _, _ in DEMO_TEAM})


async def _history(db: Database, accounts: AccountRepository, jobs: JobRepository, org_id: str,
                   org_jobs: list) -> None:
    people = {u.email: u.id for u in await accounts.users(org_id)}
    history = []
    for job, (n, must, nice, drives, raters) in zip(org_jobs, DEMO_HISTORY):
        plan_id = await jobs.latest_plan_id(job.id)
        competencies = [q.competency for q in await jobs.plan_questions(plan_id)]
        if drives in competencies and all(r in people for r in raters):
            history.append(DemoJobHistory(job.id, plan_id, job.language, competencies, n, must, nice, drives,
                                          (people[raters[0]], people[raters[1]])))
    await seed_history(db, org_id, history, datetime.now(timezone.utc))


async def _demo_team(accounts: AccountRepository, assignments: AssignmentRepository, org_id: str, job_ids: list[str],
                     password: str, new_password: bool) -> list[str]:
    """The demo users of the other roles (added to a demo organisation made before them too), with the demo
    password; returns the observers' ids."""
    observers = []
    for email, role, name, job_index in DEMO_TEAM:
        member = await accounts.user_by_email(email)
        if member is None:
            member = await accounts.create_user(org_id, email, hash_password(password), role=role, name=name)
            if job_index is not None and job_index < len(job_ids):
                await assignments.assign_job(org_id, job_ids[job_index], member.id, None)
        elif new_password:
            await accounts.set_password_hash(member.id, hash_password(password))
        if member.role == "observer":
            observers.append(member.id)
    return observers
