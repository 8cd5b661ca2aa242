"""Hiring outcomes from a CSV file: read, then checked row by row against the job's candidates.

Columns (the first row names them, in English or Chinese; order free): who, by ``interview_id`` (面试编号),
``candidate_id`` (候选人编号) or ``email`` (邮箱); ``decision`` (结果): advanced / hired / rejected (进入下一轮 / 录用 /
淘汰); for a hire, optionally ``performance_rating`` (绩效评分, 1-5), ``performance_months`` (绩效月数, 1-120, needed
with a rating) and ``performance_date`` (绩效日期, YYYY-MM-DD, default today, never in the future).

Every row is checked before anything is stored: one wrong row and the whole file is refused with every problem
listed (row, field, code, message), so a corrected file can simply be sent again. Blocking: run off the loop.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from server.http.errors import ApiError
from server.recruiting.import_upload import header_name, read_table
from server.storage.outcomes import JobCandidate, OutcomeWrite

_HEADERS = {
    "interview_id": ("interview id", "interview", "面试编号", "面试id", "面试 id"),
    "candidate_id": ("candidate id", "候选人编号", "候选人id", "候选人 id"),
    "email": ("email", "e-mail", "mail", "email address", "邮箱", "电子邮箱", "电子邮件"),
    "decision": ("decision", "outcome", "result", "结果", "决定", "录用结果", "面试结果"),
    "performance_rating": ("performance rating", "performance", "rating", "绩效", "绩效评分", "绩效评级"),
    "performance_months": ("performance months", "months", "months after hire", "绩效月数", "入职月数", "月数"),
    "performance_date": ("performance date", "rated on", "rating date", "绩效日期", "评估日期"),
}
_HEADER_OF = {alias: key for key, aliases in _HEADERS.items() for alias in aliases}
DECISION_WORDS = {
    "advanced": "advanced", "advance": "advanced", "next round": "advanced", "进入下一轮": "advanced",
    "晋级": "advanced", "通过": "advanced",
    "hired": "hired", "hire": "hired", "录用": "hired", "已录用": "hired", "入职": "hired",
    "rejected": "rejected", "reject": "rejected", "淘汰": "rejected", "未通过": "rejected", "拒绝": "rejected",
}


@dataclass(frozen=True)
class OutcomeCsvRow:
    number: int  # as a spreadsheet shows it (the header is row 1)
    cells: dict[str, str]  # column key -> the cell, stripped


@dataclass(frozen=True)
class RowProblem:
    row: int
    field: str
    code: str
    message: str


def read_outcome_csv(data: bytes, filename: str, max_rows: int) -> list[OutcomeCsvRow]:
    """The file's rows by column; ApiError (422, or 413 for too many rows) when the file as a whole cannot be
    used."""
    def check_header(columns: dict[str, int], record: list[str]) -> None:
        if "decision" not in columns or not {"interview_id", "candidate_id", "email"} & set(columns):
            raise ApiError(422, "invalid_csv", f"{filename}: the first row must name the columns: interview_id, "
                           "candidate_id or email (who), decision, and for hires optionally performance_rating, "
                           f"performance_months, performance_date; found {', '.join(c.strip() for c in record[:8])}.")

    rows = read_table(data, filename, lambda cell: _HEADER_OF.get(header_name(cell)), check_header, max_rows,
                      ApiError(413, "too_many_rows", f"{filename} has more than {max_rows} rows; split it."))
    if not rows:
        raise ApiError(422, "no_rows", f"{filename} has a header row but no outcomes.")
    return [OutcomeCsvRow(number, cells) for number, cells in rows]


def _date(text: str) -> date | None:
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text)
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def check_rows(rows: list[OutcomeCsvRow], candidates: list[JobCandidate],
               today: date) -> tuple[list[OutcomeWrite], list[RowProblem]]:
    """The outcomes to store, or every problem found (then nothing is to be stored)."""
    by_interview = {iv: c for c in candidates for iv in c.interview_ids}
    by_id = {c.candidate_id: c for c in candidates}
    by_email: dict[str, list[JobCandidate]] = {}
    for c in candidates:
        if c.email:
            by_email.setdefault(c.email.strip().lower(), []).append(c)
    writes: list[OutcomeWrite] = []
    problems: list[RowProblem] = []
    first_row: dict[str, int] = {}
    for row in rows:
        cell = row.cells.get
        found: list[RowProblem] = []

        def problem(field: str, code: str, message: str) -> None:
            found.append(RowProblem(row.number, field, code, message))

        who, interview_id = None, None
        if cell("interview_id"):
            interview_id = cell("interview_id")
            who = by_interview.get(interview_id)
            if who is None:
                problem("interview_id", "unknown_interview", f"No interview {interview_id} in this job.")
        if cell("candidate_id") and not found:
            other = by_id.get(cell("candidate_id"))
            if other is None:
                problem("candidate_id", "unknown_candidate", f"No candidate {cell('candidate_id')} in this job.")
            elif who is not None and other is not who:
                problem("candidate_id", "mismatch", "The interview is not this candidate's.")
            who = who or other
        if who is None and not found:
            email = (cell("email") or "").lower()
            matches = by_email.get(email, []) if email else []
            if not email:
                problem("email", "missing_candidate", "Name the candidate: interview_id, candidate_id or email.")
            elif not matches:
                problem("email", "unknown_candidate", f"No candidate of this job has the e-mail {email}.")
            elif len(matches) > 1:
                problem("email", "ambiguous_candidate", f"{len(matches)} candidates of this job have the e-mail "
                        f"{email}; use interview_id or candidate_id.")
            else:
                who = matches[0]
        if who is not None and not found:  # named without a doubt: the file names them once
            if who.candidate_id in first_row:
                problem("candidate_id", "duplicate_row", f"The same candidate as row {first_row[who.candidate_id]}.")
            first_row.setdefault(who.candidate_id, row.number)
        decision = DECISION_WORDS.get((cell("decision") or "").lower())
        if decision is None:
            problem("decision", "invalid_decision", f"decision must be advanced, hired or rejected, not "
                    f"{cell('decision')!r}." if cell("decision") else "decision is empty.")
        rating = months = rated_on = None
        if cell("performance_rating") or cell("performance_months") or cell("performance_date"):
            try:
                rating = float(cell("performance_rating") or "")
                if not 1 <= rating <= 5:
                    raise ValueError
            except ValueError:
                problem("performance_rating", "invalid_rating", "performance_rating must be a number from 1 to 5.")
            try:
                months = int(cell("performance_months") or "")
                if not 1 <= months <= 120:
                    raise ValueError
            except ValueError:
                problem("performance_months", "invalid_months", "performance_months must be a whole number of "
                        "months from 1 to 120.")
            rated_on = _date(cell("performance_date")) if cell("performance_date") else today
            if rated_on is None:
                problem("performance_date", "invalid_date", "performance_date must be a date such as 2026-03-31.")
            elif rated_on > today:
                problem("performance_date", "future_date", "performance_date is in the future.")
            if decision is not None and decision != "hired":
                problem("decision", "performance_without_hire", "A performance rating needs decision hired.")
        if found:
            problems += found
            continue
        writes.append(OutcomeWrite(who.candidate_id, interview_id or (who.interview_ids[0] if who.interview_ids
                                                                     else None),
                                   decision, rating, months, rated_on))
    return writes, problems
