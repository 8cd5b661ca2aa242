"""Models of the outcome and analytics routes (server/http/routes/analytics.py)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from server.http.api_models.common import Strict

Decision = Literal["advanced", "hired", "rejected"]


# --- outcomes ------------------------------------------------------------------------------------------------
class PerformanceIn(Strict):
    rating: float = Field(ge=1, le=5, description="Performance rating, 1 (poor) to 5 (excellent)")
    months: int = Field(ge=1, le=120, description="Months after hiring the rating was given for")
    rated_on: date | None = Field(default=None, description="The day it was given (default: today); not in the "
                                  "future")


class OutcomeRequest(Strict):
    decision: Decision
    performance: PerformanceIn | None = Field(default=None, description="Only for a hire")


class PerformanceOut(BaseModel):
    rating: float
    months: int | None
    rated_on: str | None


class OutcomeOut(BaseModel):
    job_id: str
    candidate_id: str
    candidate_name: str | None = Field(default=None, description="In listings only")
    interview_id: str | None = Field(description="The interview the decision followed, when known")
    decision: Decision
    decided_at: str
    decided_by: str | None = Field(description="The user who made the decision (their id)")
    performance: PerformanceOut | None
    source: Literal["api", "csv", "report"]  # report: a person's decision on the report (POST /decision)
    updated_at: str


class OutcomeList(BaseModel):
    outcomes: list[OutcomeOut]


class OutcomeImportResult(BaseModel):
    rows: int
    created: int
    updated: int


class RowProblemOut(BaseModel):
    row: int = Field(description="The row number as a spreadsheet shows it (the header is row 1)")
    field: str
    code: str
    message: str


# --- analytics -----------------------------------------------------------------------------------------------
class Estimate(BaseModel):
    value: float | None
    ci_low: float | None = Field(description="95 % interval; null when too few to compute one")
    ci_high: float | None


class MatchBin(BaseModel):
    low: float
    high: float = Field(description="The last bin includes its upper edge (100)")
    n: int


class PeriodOut(BaseModel):
    period: str = Field(description="2026-W03 (ISO week) or 2026-01")
    start: str = Field(description="The period's first day")
    n: int
    mean: float | None
    median: float | None


class MatchScoresOut(BaseModel):
    job_id: str
    n: int = Field(description="Candidates with a resume for the job")
    mean: float | None
    median: float | None
    bins: list[MatchBin]
    period: Literal["week", "month"]
    trend: list[PeriodOut] = Field(description="By when each resume arrived; periods between without any: n = 0")


class FunnelStage(BaseModel):
    stage: Literal["candidates", "invited", "interviewed", "scored", "advanced", "hired"]
    n: int
    of_previous: float | None = Field(description="n over the previous stage's n")
    of_first: float | None = Field(description="n over the channel's candidates")


class FunnelChannel(BaseModel):
    channel: str = Field(description="upload, bulk_import, dingtalk_import, email_invitation, dingtalk_invitation, "
                         "webhook_invitation or link (an interview link HR handed over themselves)")
    stages: list[FunnelStage]


class FunnelOut(BaseModel):
    jobs: int = Field(description="Jobs counted")
    stages: list[str]
    channels: list[FunnelChannel]
    total: FunnelChannel = Field(description="Every channel together (channel 'all')")


class Agreement(BaseModel):
    n: int = Field(description="Subjects: interviews x competency rated by both sides")
    icc: Estimate = Field(description="ICC(2,1): two-way random, absolute agreement, one rater")
    kappa: Estimate = Field(description="Quadratic-weighted kappa on the 1-5 categories (values rounded half up)")
    mean_a: float | None = Field(description="Mean of the first side (AI, or the first person to rate)")
    mean_b: float | None = Field(description="Mean of the second side (people's mean, or the second person)")


class CompetencyAgreement(BaseModel):
    competency: str = Field(description="A competency, or '(all)' for every competency together")
    ai_vs_human: Agreement
    human_vs_human: Agreement


COMPETENCY_NAMES = ("The job's plan's competency names: {competency key: {en, zh}} (a competency missing here, or a "
                    "language missing for one, is shown by its key)")


class ConsistencyOut(BaseModel):
    job_id: str
    bootstrap_samples: int
    competencies: list[CompetencyAgreement]
    competency_names: dict[str, dict[str, str]] = Field(description=COMPETENCY_NAMES)


class Correlation(BaseModel):
    n: int
    r: float | None = Field(description="Spearman's rank correlation; null under the minimum n")
    ci_low: float | None = Field(description="95 % interval by Fisher's z (Bonett-Wright variance)")
    ci_high: float | None


class CompetencyValidity(BaseModel):
    competency: str
    correlation: Correlation
    current_weight: float | None = Field(description="Its share of the overall score now (null: not in the plan)")
    suggested_weight: float | None


class WeightSuggestionOut(BaseModel):
    weights: dict[str, float] = Field(description="Suggested shares, summing to 1; accept them with POST "
                                      ".../analytics/weights")
    current: dict[str, float]
    shrinkage: dict[str, float] = Field(description="Per competency, how far it moved from the current weight "
                                        "towards its correlation's share: n / (n + shrinkage_n)")
    min_n: int
    shrinkage_n: int


class WeightDecisionOut(BaseModel):
    id: str
    plan_version: int
    weights: dict[str, float]
    previous_weights: dict[str, float]
    accepted_by: str | None
    accepted_by_email: str
    accepted_at: str


class ValidityOut(BaseModel):
    job_id: str
    method: Literal["spearman"]
    outcomes: dict[str, int] = Field(description="Decisions recorded: advanced, hired, rejected")
    rated_hires: int = Field(description="Hires with a performance rating and a scored interview")
    unscored_hires: int = Field(description="Rated hires without a finished, scored interview (left out)")
    competencies: list[CompetencyValidity]
    overall: Correlation = Field(description="The overall AI score (each interview's plan weights) vs performance")
    overall_suggested: Correlation | None = Field(description="The overall score with the suggested weights, on "
                                                  "the same hires (in-sample, so optimistic)")
    suggestion: WeightSuggestionOut | None
    no_suggestion: str | None = Field(description="Why there is none: single_competency, too_few_hires or "
                                      "no_positive_correlation")
    decisions: list[WeightDecisionOut] = Field(description="Weights people accepted for this job, newest first")
    competency_names: dict[str, dict[str, str]] = Field(description=COMPETENCY_NAMES)


class AcceptWeightsRequest(Strict):
    weights: dict[str, float] = Field(description="The suggested weights as shown (they must still be the "
                                      "suggestion)", max_length=50)


class AcceptWeightsOut(BaseModel):
    decision: WeightDecisionOut
