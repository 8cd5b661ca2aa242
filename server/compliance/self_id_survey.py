"""Which voluntary self-identification questions a candidate is asked: those set for their organisation's region
(``Settings.self_id_questions``). Race/ethnicity in the US EEO categories is a US question; elsewhere it is not
asked unless a region is set up for it. The bias check (``fairness.py``) reads whatever was answered."""

from __future__ import annotations

from dataclasses import dataclass

from server.compliance.fairness import ATTRIBUTES

ANY_REGION = "*"


@dataclass(frozen=True)
class SurveyQuestion:
    attribute: str
    choices: tuple[str, ...]


def survey_for(region: str | None, configured: dict[str, list[str]]) -> list[SurveyQuestion]:
    """The questions for an organisation in ``region``, in the survey's order (an unknown region: ``*``'s)."""
    by_region = {key.upper(): asked for key, asked in configured.items()}
    asked = by_region.get((region or "").upper(), by_region.get(ANY_REGION, []))
    return [SurveyQuestion(attribute, choices) for attribute, choices in ATTRIBUTES.items() if attribute in asked]
