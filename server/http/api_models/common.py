"""What every area's models share: the strict request base (unknown fields are refused), text that must say
something, and an error's code and message."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict
from pydantic_core import PydanticCustomError


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _not_blank(value: str) -> str:
    value = value.strip()
    if not value:
        raise PydanticCustomError("blank", "must not be empty or only spaces")
    return value


# text stored without its surrounding spaces, refused (422, the field named) when nothing else is left
NonBlank = Annotated[str, AfterValidator(_not_blank)]


class ErrorInfo(BaseModel):
    code: str
    message: str
