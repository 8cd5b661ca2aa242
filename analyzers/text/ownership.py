"""Who acted in an answer: the candidate ("I", 我) or a group ("we", 我们, 大家).

A behavioural answer told entirely in the first person plural does not say what the candidate did; an interviewer
then asks about their own part. ``first_person_subjects`` counts the two kinds of subject. Phrases where "I" only
frames the speech ("I think", "I mean", 我觉得, 我记得) and possessives (我的) are not counted: they say nothing about
who acted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Ownership", "first_person_subjects"]

_EN_HEDGES = r"(?:\s+(?:think|mean|guess|remember|believe|suppose|recall|feel|know|would say)\b|'d say\b|'m not sure\b)"
_EN_SINGULAR = re.compile(rf"\bI(?!{_EN_HEDGES})(?:'ve|'d|'m|'ll)?\b")
_EN_PLURAL = re.compile(r"\bwe(?:'ve|'d|'re|'ll)?\b", re.I)
_ZH_SINGULAR = re.compile(r"我(?!们|的|觉得|记得|想|认为|感觉|印象|估计|猜)")
_ZH_PLURAL = re.compile(r"我们|咱们|大家")


@dataclass(frozen=True)
class Ownership:
    singular: int  # "I" / 我 as the one who acts
    plural: int  # "we" / 我们 / 大家

    @property
    def team_only(self) -> bool:
        """The group acts and the candidate hardly ever does: their own part cannot be told apart."""
        return self.plural > self.singular and self.singular <= 1

    def to_dict(self) -> dict[str, object]:
        return {"singular": self.singular, "plural": self.plural, "team_only": self.team_only}


def first_person_subjects(text: str, chinese: bool) -> Ownership:
    if chinese:
        return Ownership(len(_ZH_SINGULAR.findall(text)), len(_ZH_PLURAL.findall(text)))
    return Ownership(len(_EN_SINGULAR.findall(text)), len(_EN_PLURAL.findall(text)))
