"""The language model fills in what the rule-based readers left empty; every value it gives is checked against the
document's own text.

    await fill_profile(client, profile, today=...) -> (ResumeProfile, FillReport)
    await fill_requirements(client, jd_text, reqs) -> (JobRequirements, FillReport)

The rules read a resume in milliseconds and get most fields right; the 1.5B model on 2 cores takes 30-50 s for a
whole resume and swaps fields now and then. So the model is asked only about a gap, with a small prompt holding only
the part of the document that gap needs, and a reply constrained to a small JSON schema (``LlmClient.ask``):

* no name or no city: the first lines of the resume (the header);
* no work experience: the lines around dates (``dated_zone``); the years of experience are then summed from what
  the model found, as the rules sum their own entries;
* no education: the same dated lines;
* no skills: the start of the resume text;
* a job description without a must-have / nice-to-have heading the rules know, or with no must-have found: its
  heading-like lines (short, not bullets), each with the line after it: the line heading the requirements and the
  one heading the preferred ones are those the model gives the best odds of "yes" (``LlmClient.yes_odds``: one
  token per line, graded); any other of those lines that heads a bulleted list heads a section that is neither
  (duties, benefits). The rules then read the description again with those headings, so
  every requirement is read by the same rules whichever path found its section. (Asked to sort every line into
  must-have and nice-to-have, the 1.5B model listed nearly all lines, duties and benefits included; asked to label
  every heading, it called nearly all of them requirements.)

Every string the model returns must occur in the text (case, spacing and the width of punctuation tolerated:
``dialogue.candidate_quotes.exact_span``); the text's own span is kept, and a value the text does not contain is
dropped and counted as refused, never shown. Dates are normalised by the rules' ``parse_date`` from the words as
written. A reply that violates the schema is asked again by the client; any ``LlmError`` (engine down, timeout, no
usable reply) leaves the rules' result as it was. Nothing here blocks: the model runs in its own process and the
checks are a few string searches.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import re
from dataclasses import dataclass, field
from typing import Annotated

from pydantic import BaseModel, Field

from analyzers.documents.job_requirements import (JobRequirements, SectionKind, extract_requirements,
                                                  has_requirement_headings, heading_like, is_list_item)
from analyzers.documents.resume_experience import role_kind
from analyzers.documents.resume_parser import degree_of, years_of_history
from analyzers.documents.resume_profile import Education, ResumeProfile, Sourced, WorkExperience
from analyzers.documents.resume_vocabulary import SCHOOL_RE, parse_date
from analyzers.llm_client import LlmClient, LlmError
from dialogue.candidate_quotes import exact_span

DOCUMENT_TIMEOUT_S = 180.0
"""A document call's budget: documents are read in the background, where waiting for a loaded engine is fine."""
HEADER_LINES = 12
MAX_ZONE_CHARS = 2500
MAX_HEADINGS = 20

Short = Annotated[str, Field(max_length=80)]
DateText = Annotated[str, Field(max_length=24)]

_RULES = ("Copy every value exactly as it is written in the text (same characters, no translation, no "
          "normalisation). Use \"\" when the text does not say. Reply with the JSON object only.")


class HeaderReply(BaseModel):
    name: Annotated[str, Field(max_length=40)]
    city: Annotated[str, Field(max_length=40)]


class JobReply(BaseModel):
    company: Short
    title: Short
    start: DateText
    end: DateText


class JobsReply(BaseModel):
    jobs: list[JobReply] = Field(max_length=8)


class SchoolReply(BaseModel):
    school: Short
    degree: Annotated[str, Field(max_length=40)]
    major: Annotated[str, Field(max_length=60)]
    start: DateText
    end: DateText


class SchoolsReply(BaseModel):
    schools: list[SchoolReply] = Field(max_length=4)


class SkillsReply(BaseModel):
    skills: list[Annotated[str, Field(max_length=40)]] = Field(max_length=30)


@dataclass
class FillReport:
    """What the model was asked and what came of it, for a benchmark or a log line."""

    asked: list[str] = field(default_factory=list)  # the gaps the model was asked about ("name", "experience", ...)
    filled: list[str] = field(default_factory=list)  # the fields it filled with values found in the text
    refused: int = 0  # values it gave that the text does not contain (dropped)
    failed: list[str] = field(default_factory=list)  # gaps whose call failed (engine down, timeout, bad replies)
    seconds: float = 0.0

    def add(self, other: "FillReport") -> None:
        self.asked += other.asked
        self.filled += other.filled
        self.refused += other.refused
        self.failed += other.failed
        self.seconds += other.seconds


def in_text(value: str, text: str) -> str | None:
    """The text's own span for ``value`` (None for an empty value or one the text does not contain)."""
    v = (value or "").strip()
    if len(v) < 2 and not re.search(r"[^\x00-\x7f]", v):
        return None
    span = exact_span(v, text)
    return span.strip() if span and "…" not in span else None


def dated_zone(text: str) -> str:
    """The lines holding a year, each with its neighbours: where a history's entries are, without the rest."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    keep: set[int] = set()
    for i, ln in enumerate(lines):
        if re.search(r"(?:19|20)\d{2}", ln):
            keep.update(range(max(0, i - 1), min(len(lines), i + 2)))
    return "\n".join(lines[i] for i in sorted(keep))[:MAX_ZONE_CHARS]


def _messages(task: str, document: str) -> list[dict[str, str]]:
    return [{"role": "system", "content": f"You read resumes and job descriptions. {task} {_RULES}"},
            {"role": "user", "content": document}]


async def _ask(client: LlmClient, gap: str, task: str, document: str, schema, report: FillReport, timeout_s: float):
    report.asked.append(gap)
    try:
        answer = await client.ask(_messages(task, document), schema, timeout_s=timeout_s)
    except LlmError:
        report.failed.append(gap)
        return None
    report.seconds += answer.seconds
    return answer.value


class _Verifier:
    """Keeps the values the text contains and counts the ones it does not."""

    def __init__(self, text: str, report: FillReport) -> None:
        self.text, self.report = text, report

    def span(self, value: str) -> str | None:
        if not (value or "").strip():
            return None
        span = in_text(value, self.text)
        if span is None:
            self.report.refused += 1
        return span

    def date(self, value: str) -> str | None:
        span = self.span(value)
        return parse_date(span) if span else None


# ------------------------------------------------------------------------------------------------ resumes


async def fill_profile(client: LlmClient | None, profile: ResumeProfile, *, today: _dt.date | None = None,
                       timeout_s: float = DOCUMENT_TIMEOUT_S) -> tuple[ResumeProfile, FillReport]:
    """``profile`` with the gaps the rules left filled by the model where the text bears the model out."""
    report = FillReport()
    text = profile.text
    if client is None or not client.ready or not text.strip():
        return profile, report
    check = _Verifier(text, report)
    changes: dict = {}
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if profile.name is None or profile.city is None:
        header = "\n".join(lines[:HEADER_LINES])
        reply = await _ask(client, "header", "Give the person's full name and the city they live in.", header,
                           HeaderReply, report, timeout_s)
        if reply is not None:
            for key, value in (("name", reply.name), ("city", reply.city)):
                span = check.span(value) if getattr(profile, key) is None else None
                if span:
                    changes[key] = Sourced(span, span)
                    report.filled.append(key)
    zone = dated_zone(text)  # nothing dated: no history for the model to find either
    if not profile.work_experience and zone:
        reply = await _ask(client, "experience", "List the person's jobs (employers only: not schools, not "
                           "projects): company, job title, start and end date as written (end: the word the text "
                           "uses for an ongoing job).", zone,
                           JobsReply, report, timeout_s)
        jobs = [job for r in (reply.jobs if reply else []) if (job := _job(r, check))]
        if jobs:
            changes["work_experience"] = jobs
            report.filled.append("experience")
            if profile.years_experience is None and (years := years_of_history(jobs, today or _dt.date.today())):
                changes["years_experience"] = years
                report.filled.append("years_experience")
    if not profile.education and zone:
        reply = await _ask(client, "education", "List the person's education: school, degree, major, start and "
                           "end date as written.", zone, SchoolsReply, report, timeout_s)
        schools = [s for r in (reply.schools if reply else []) if (s := _school(r, check))]
        if schools:
            changes["education"] = schools
            report.filled.append("education")
    if not profile.skills and len(lines) > HEADER_LINES:  # a resume that is all header lists no skills
        reply = await _ask(client, "skills", "List the person's skills (tools, technologies, methods), each as a "
                           "short name.", text[:MAX_ZONE_CHARS], SkillsReply, report, timeout_s)
        skills = list(dict.fromkeys(s for v in (reply.skills if reply else []) if (s := check.span(v))))
        if skills:
            changes["skills"] = [Sourced(s, s) for s in skills]
            report.filled.append("skills")
    return (dataclasses.replace(profile, **changes) if changes else profile), report


def _job(reply: JobReply, check: _Verifier) -> WorkExperience | None:
    company = check.span(reply.company)
    if company is None:
        return None  # an entry is anchored by its company (as in the rules' output)
    title = check.span(reply.title)
    if SCHOOL_RE.search(company) or (title and degree_of(title)):
        return None  # a school and a degree: the model listed an education entry among the jobs
    return WorkExperience(company=Sourced(company, company), title=Sourced(title, title) if title else None,
                          start=check.date(reply.start), end=check.date(reply.end),
                          kind=role_kind(f"{title or ''} {company}"))


def _school(reply: SchoolReply, check: _Verifier) -> Education | None:
    school = check.span(reply.school)
    if school is None:
        return None
    degree, major = check.span(reply.degree), check.span(reply.major)
    level = degree_of(degree) if degree else None  # normalised as the rules do: "本科" -> bachelor
    return Education(school=Sourced(school, school), degree=Sourced(level[0], degree) if level else None,
                     major=Sourced(major, major) if major else None, start=check.date(reply.start),
                     end=check.date(reply.end))


# ------------------------------------------------------------------------------------------------ job descriptions


def requirements_unsure(jd_text: str, reqs: JobRequirements) -> bool:
    """The rules' must vs nice rests on cue words alone (no heading they know), or they found no must-have."""
    return not reqs.must_haves or not has_requirement_headings(jd_text)


async def fill_requirements(client: LlmClient | None, jd_text: str, reqs: JobRequirements, *,
                            timeout_s: float = DOCUMENT_TIMEOUT_S, always: bool = False
                            ) -> tuple[JobRequirements, FillReport]:
    """``reqs`` (the rules' reading of ``jd_text``) or, when the rules are unsure (or ``always``: to measure the
    model alone), the rules' reading again with the section headings the model recognised among the description's
    heading-like lines. Kept only if it finds a must-have."""
    report = FillReport()
    if client is None or not client.ready or not (always or requirements_unsure(jd_text, reqs)):
        return reqs, report
    lines = [ln.strip() for ln in jd_text.splitlines() if ln.strip()]
    candidates = [(i, ln) for i, ln in enumerate(lines) if i > 0 and heading_like(ln)][:MAX_HEADINGS]
    if not candidates:
        return reqs, report
    headings: dict[str, SectionKind] = {}
    for kind, question in (("must", _MUST_QUESTION), ("nice", _NICE_QUESTION)):
        left = [(i, ln) for i, ln in candidates if ln not in headings]
        line = await _most_likely_heading(client, left, lines, question, f"{kind}_heading", report, timeout_s)
        if line is not None:
            headings[line] = kind  # type: ignore[assignment]
    for i, ln in candidates:  # any other line heading a list heads a section that is neither
        if ln not in headings and i + 1 < len(lines) and is_list_item(lines[i + 1]):
            headings[ln] = "skip"
    if not any(k in ("must", "nice") for k in headings.values()):
        return reqs, report
    reread = extract_requirements(jd_text, reqs.language, headings=headings)
    if not reread.must_haves:
        return reqs, report  # the model's headings leave no must-have: keep the rules' own reading
    report.filled.append("requirements")
    return reread, report


_MUST_QUESTION = ("Does this heading introduce the requirements a candidate must meet (required qualifications, "
                  "not duties, not benefits)?")
_NICE_QUESTION = ("Does this heading introduce preferred or bonus qualifications of a candidate (nice to have, "
                  "not required)?")


async def _most_likely_heading(client: LlmClient, candidates: list[tuple[int, str]], lines: list[str],
                               question: str, gap: str, report: FillReport, timeout_s: float) -> str | None:
    """The line the model most likely calls a heading of ``question``'s kind, by its odds of "yes" for each line
    (one generated token per line, the question after the line); None when no line gets better than even odds.
    (Asked for the number of the heading among all of them, the 1.5B model's pick followed the wording of the
    instruction more than the headings; graded odds per line compare the lines. Its odds lean to "yes" for any
    heading, so the comparison between lines carries the signal, not the level.)"""
    if not candidates:
        return None
    best, best_p = None, 0.5
    report.asked.append(gap)
    for i, ln in candidates:
        after = lines[i + 1][:80] if i + 1 < len(lines) else ""
        messages = [{"role": "system", "content": "You read job descriptions. Answer yes or no."},
                    {"role": "user", "content": f"Heading: {ln}\nThe line after it: {after}\n{question}"}]
        try:
            odds = await client.yes_odds(messages, timeout_s=timeout_s)
        except LlmError:
            report.failed.append(gap)
            return None
        report.seconds += odds.seconds
        if odds.value.p_yes > best_p:
            best, best_p = ln, odds.value.p_yes
    return best
