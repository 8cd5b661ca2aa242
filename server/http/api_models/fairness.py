"""Models of the bias routes (server/http/routes/fairness.py): voluntary self-identification and the bias report."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from server.http.api_models.common import Strict

Sex = Literal["female", "male", "non_binary"]


RaceEthnicity = Literal["hispanic_latino", "white", "black", "asian", "native_hawaiian_pacific_islander",
                        "american_indian_alaska_native", "two_or_more", "other"]


AgeBand = Literal["under_25", "25_39", "40_54", "55_plus"]


class SelfIdentificationRequest(Strict):
    token: str = Field(max_length=2000)
    sex: Sex | None = Field(default=None, description="null: prefer not to say")
    race_ethnicity: RaceEthnicity | None = None
    age_band: AgeBand | None = None


class SurveyQuestionOut(BaseModel):
    attribute: Literal["sex", "race_ethnicity", "age_band"]
    choices: list[str] = Field(description="The categories offered, in order (not saying is always possible)")


class SelfIdentificationOut(BaseModel):
    given: bool = Field(description="False when the candidate has given none (or withdrew it)")
    sex: str | None = None
    race_ethnicity: str | None = None
    age_band: str | None = None
    questions: list[SurveyQuestionOut] = Field(default=[], description="What the survey asks this candidate (by "
                                               "their organisation's region); empty: no survey")


class BiasGroupOut(BaseModel):
    group: str = Field(description="A category, or two crossed ones as sex/race_ethnicity")
    n: int | None = Field(description="null when the group is smaller than min_group")
    above_median: int | None = Field(description="null when the group is too small to report a rate")
    scoring_rate: float | None
    impact_ratio: float | None
    flagged: bool = Field(description="impact ratio under flag_below (0.8)")
    too_few: bool


class BiasAttributeOut(BaseModel):
    attribute: str = Field(description="sex | race_ethnicity | age_band | sex_race_ethnicity")
    unknown: int = Field(description="Scored candidates who did not say")
    highest_group: str | None
    groups: list[BiasGroupOut]


class BiasReportOut(BaseModel):
    job_id: str
    scored_interviews: int = Field(description="Candidates with a finished, scored interview (latest one each)")
    self_identified: int
    median_score: float | None
    min_group: int
    flag_below: float
    attributes: list[BiasAttributeOut]
