"""Command-line flags generated from ``Settings``' fields, and the Settings a parsed command line gives.

One flag per field: ``--`` plus the field name with dashes (or the field's ``CliFlag``), typed from its annotation,
its help from the description with the default and the environment variable. Fields annotated ``CliSuppress``
(secrets) have no flag. Precedence: a flag given on the command line, then the environment (``INTERVIEW_*``),
then the default: a flag that is not given is left out of the namespace (``argparse.SUPPRESS``), so Settings reads
the environment for it.
"""

from __future__ import annotations

import argparse
import json
import types
import typing
from pathlib import Path
from typing import Any

from pydantic.fields import FieldInfo
from pydantic_settings import CLI_SUPPRESS

from server.platform.settings import CliFlag, Settings

ENV_PREFIX = Settings.model_config["env_prefix"]


def add_settings_flags(parser: argparse.ArgumentParser) -> None:
    """A flag for every setting that may be given on the command line; the others are named in the epilog."""
    env_only = []
    group = parser.add_argument_group("settings", f"also environment variables ({ENV_PREFIX}*); a flag given here "
                                      "wins over its variable")
    for name, field in Settings.model_fields.items():
        if CLI_SUPPRESS in field.metadata:
            env_only.append(ENV_PREFIX + name.upper())
            continue
        group.add_argument(_flag(name, field), dest=name, default=argparse.SUPPRESS, help=_help(name, field),
                            **_kind(field.annotation))
    if env_only:
        parser.epilog = "Only from the environment (secrets): " + ", ".join(env_only) + "."


def settings_from_args(args: argparse.Namespace) -> Settings:
    """Settings from the flags given (they win over the environment); raises pydantic's ValidationError."""
    given = vars(args)
    return Settings(**{name: given[name] for name in Settings.model_fields if name in given})


def _flag(name: str, field: FieldInfo) -> str:
    named = [m.flag for m in field.metadata if isinstance(m, CliFlag)]
    return named[0] if named else "--" + name.replace("_", "-")


def _kind(annotation: Any) -> dict[str, Any]:
    """argparse keywords for a field's type: bool -> --x/--no-x, list -> repeatable, dict -> JSON."""
    base = _without_none(annotation)
    origin = typing.get_origin(base)
    if base is bool:
        return {"action": argparse.BooleanOptionalAction}
    if origin is list:
        return {"action": "append", "type": typing.get_args(base)[0], "metavar": "VALUE"}
    if origin is dict:
        return {"type": json.loads, "metavar": "JSON"}
    if base in (int, float):
        return {"type": base, "metavar": "N" if base is int else "X"}
    return {"metavar": "PATH" if base is Path else "TEXT"}


def _without_none(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _help(name: str, field: FieldInfo) -> str:
    default = field.get_default(call_default_factory=True)
    if default is None or default == [] or default == {}:
        shown = "unset"
    elif isinstance(default, bool):
        shown = "on" if default else "off"
    elif isinstance(default, dict):
        shown = json.dumps(default)
    else:
        shown = str(default)
    text = f"{field.description or name.replace('_', ' ')} (default: {shown}; env {ENV_PREFIX}{name.upper()})"
    return text.replace("%", "%%")
