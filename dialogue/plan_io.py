"""Reading and writing interview plans (YAML or JSON) with error messages that name the offending field.

``load_plan`` turns an uploaded document into an :class:`~dialogue.plan.InterviewPlanSpec`, or raises
:class:`PlanError` listing *every* problem it found, each as ``{"field": "questions[2].rubric[0].score",
"message": "questions[2] (q-teamwork).rubric[0].score: must be at most 5, got 7"}``. ``field`` is the plain
path (stable, for programs); ``message`` is for people and mentions the question id where it is known.
Syntax errors carry ``field == "(document)"`` plus ``line`` and ``column`` (1-based).

YAML is read with a subclass of ``yaml.SafeLoader`` only (no arbitrary Python objects), and documents over
:data:`MAX_PLAN_BYTES` or with more than :data:`MAX_QUESTIONS` questions are refused before validation.
"""

from __future__ import annotations

import json
import re
import string
from typing import Any, Literal

import yaml
from pydantic import ValidationError

from analyzers.text.language import Language
from dialogue.plan import FollowUpTrigger, InterviewPlanSpec, name_clashes

__all__ = [
    "DOCUMENT",
    "MAX_PLAN_BYTES",
    "MAX_QUESTIONS",
    "PlanError",
    "PlanFormat",
    "dump_plan",
    "fill_template",
    "load_plan",
    "plan_to_questions",
]

PlanFormat = Literal["yaml", "json"]

MAX_PLAN_BYTES = 128 * 1024  # a library plan is ~11 KB; 50 questions in two languages with rubrics stay far below
MAX_QUESTIONS = 50
DOCUMENT = "(document)"  # the ``field`` of problems that concern the whole document (syntax, size, type)
TEMPLATE_FIELDS = ("quote", "point")

_LANGS: tuple[str, ...] = Language.__args__  # type: ignore[attr-defined]
_TRIGGERS: tuple[str, ...] = FollowUpTrigger.__args__  # type: ignore[attr-defined]
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class PlanError(Exception):
    """A plan document that cannot be used; ``problems`` lists each one as ``{"field", "message"}``."""

    def __init__(self, problems: list[dict[str, Any]]):
        self.problems = problems
        super().__init__(self._summary())

    def _summary(self) -> str:
        if not self.problems:
            return "invalid interview plan"
        lines = [p["message"] for p in self.problems]
        head = "invalid interview plan" if len(lines) == 1 else f"invalid interview plan ({len(lines)} problems)"
        return head + ": " + "; ".join(lines)

    @property
    def fields(self) -> list[str]:
        return [p["field"] for p in self.problems]


def _doc_error(message: str, line: int | None = None, column: int | None = None) -> PlanError:
    problem: dict[str, Any] = {"field": DOCUMENT, "message": message}
    if line is not None:
        problem["line"] = line
        problem["column"] = column
    return PlanError([problem])


# ---------------------------------------------------------------------------------------------------- parsing


class _PlanLoader(yaml.SafeLoader):
    """``SafeLoader`` that refuses duplicate mapping keys (PyYAML silently keeps the last one)."""


def _construct_mapping(loader: _PlanLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: dict[Any, Any] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping", node.start_mark, "found an unhashable key", key_node.start_mark
            ) from None
        if key in seen:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping", node.start_mark, f"found duplicate key {key!r}", key_node.start_mark
            )
        seen[key] = True
    return loader.construct_mapping(node, deep=deep)


_PlanLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _parse_yaml(text: str) -> Any:
    try:
        return yaml.load(text, Loader=_PlanLoader)  # noqa: S506 - _PlanLoader is a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or exc.context or "invalid YAML"
        if exc.problem and exc.context:
            what = f"{exc.problem} ({exc.context})"
        kind = "YAML error" if isinstance(exc, yaml.constructor.ConstructorError) else "YAML syntax error"
        if mark is not None:
            line, col = mark.line + 1, mark.column + 1
            raise _doc_error(f"{kind} at line {line}, column {col}: {what}", line, col) from None
        raise _doc_error(f"{kind}: {what}") from None
    except yaml.YAMLError as exc:
        raise _doc_error(f"YAML syntax error: {exc}") from None
    except RecursionError:
        raise _doc_error("the document is nested too deeply") from None


def _json_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def _json_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in a plan")


def _parse_json(text: str) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_json_pairs, parse_constant=_json_constant)
    except json.JSONDecodeError as exc:
        raise _doc_error(f"JSON syntax error at line {exc.lineno}, column {exc.colno}: {exc.msg}",
                         exc.lineno, exc.colno) from None
    except ValueError as exc:  # raised by the hooks above
        raise _doc_error(f"JSON error: {exc}") from None
    except RecursionError:
        raise _doc_error("the document is nested too deeply") from None


def _decode(data: str | bytes) -> str:
    if isinstance(data, str):
        size = len(data.encode("utf-8", errors="surrogatepass")) if len(data) * 4 > MAX_PLAN_BYTES else 0
    elif isinstance(data, (bytes, bytearray, memoryview)):
        data = bytes(data)
        size = len(data)
    else:
        raise TypeError(f"load_plan takes str or bytes, not {type(data).__name__}")
    if size > MAX_PLAN_BYTES:
        raise _doc_error(f"the document is too large ({size:,} bytes); a plan may be at most "
                         f"{MAX_PLAN_BYTES // 1024} KB ({MAX_PLAN_BYTES:,} bytes)")
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise _doc_error(f"the document is not UTF-8 text (invalid byte at offset {exc.start})") from None
    return data.lstrip("\ufeff")


def _normalise_format(fmt: str | None) -> PlanFormat | None:
    if fmt is None:
        return None
    low = fmt.lower().lstrip(".")
    if low in ("yaml", "yml"):
        return "yaml"
    if low == "json":
        return "json"
    raise ValueError(f"unknown plan format {fmt!r}; use 'yaml' or 'json'")


def _parse(text: str, fmt: PlanFormat | None) -> Any:
    if fmt == "json":
        return _parse_json(text)
    if fmt == "yaml":
        return _parse_yaml(text)
    if text.lstrip()[:1] in ("{", "["):  # sniff: looks like JSON; YAML flow style is the fallback
        try:
            return _parse_json(text)
        except PlanError as json_error:
            try:
                return _parse_yaml(text)
            except PlanError:
                raise json_error from None
    return _parse_yaml(text)


# ---------------------------------------------------------------------------------------------------- errors


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__}"


def _question_id(raw: Any, index: int) -> str | None:
    qs = raw.get("questions") if isinstance(raw, dict) else None
    if isinstance(qs, list) and 0 <= index < len(qs) and isinstance(qs[index], dict):
        qid = qs[index].get("id")
        if isinstance(qid, str) and qid.strip():
            return qid
    return None


def _render_path(raw: Any, loc: tuple[Any, ...]) -> tuple[str, str]:
    """``(field, label)`` for a pydantic ``loc``: ``questions[2].rubric`` and ``questions[2] (q-x).rubric``.

    The raw document is walked alongside so integers become ``[i]`` only for list positions (a YAML mapping may
    have integer keys), and the question id is added to the label where the document has one.
    """
    field, label = "", ""
    node: Any = raw
    for depth, part in enumerate(loc):
        if part == "[key]":  # pydantic marks an invalid dict key with this pseudo-segment; the key came before
            continue
        if isinstance(node, list) and isinstance(part, int):
            seg = f"[{part}]"
            node = node[part] if 0 <= part < len(node) else None
        else:
            key = part if isinstance(part, str) else str(part)
            seg = f".{key}" if _IDENT.match(key) else f"[{key!r}]"
            node = node.get(part) if isinstance(node, dict) else None
        if not field and seg.startswith("."):
            seg = seg[1:]
        field += seg
        label += seg
        if depth == 1 and loc[0] == "questions" and isinstance(part, int):
            qid = _question_id(raw, part)
            if qid:
                label += f" ({qid})"
    return field or DOCUMENT, label or "the plan"


def _rubric_message(raw_rubric: Any, fallback: str) -> str:
    if not isinstance(raw_rubric, list):
        return fallback
    scores = [lvl.get("score") for lvl in raw_rubric if isinstance(lvl, dict)]
    dupes = sorted({s for s in scores if scores.count(s) > 1 and isinstance(s, int)})
    if dupes:
        return f"the rubric describes level {', '.join(map(str, dupes))} more than once; each score once only"
    missing = [s for s in (1, 5) if s not in scores]
    if missing:
        levels = " and ".join(str(s) for s in missing)
        return (f"the rubric has no level {levels}; a rubric must anchor at least the lowest (1) and the "
                f"highest (5) level")
    return fallback


def _lookup(raw: Any, loc: tuple[Any, ...]) -> Any:
    node = raw
    for part in loc:
        if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return None
    return node


def _humanise(err: dict[str, Any], raw: Any) -> str:
    kind, ctx, loc = err["type"], err.get("ctx") or {}, tuple(err["loc"])
    value = err.get("input")
    last = next((p for p in reversed(loc) if p != "[key]"), None)
    if "[key]" in loc:  # an invalid key of a per-language mapping
        return f"{value!r} is not a supported language; use one of: {', '.join(_LANGS)}"
    if kind == "missing":
        return "is required but missing"
    if kind == "extra_forbidden":
        return "is not a known field (check the spelling)"
    if kind == "literal_error":
        if last == "trigger":
            return f"{value!r} is not a known follow-up trigger; use one of: {', '.join(_TRIGGERS)}"
        if last == "version":
            return f"plan format version {value!r} is not supported; use 1"
        if last == "languages" or (len(loc) >= 2 and loc[-2] == "languages"):
            return f"{value!r} is not a supported language; use one of: {', '.join(_LANGS)}"
        return f"{value!r} is not allowed; expected {ctx.get('expected', 'one of the listed values')}"
    if kind in ("less_than_equal", "greater_than_equal", "less_than", "greater_than"):
        bound = {"less_than_equal": ("at most", "le"), "greater_than_equal": ("at least", "ge"),
                 "less_than": ("less than", "lt"), "greater_than": ("more than", "gt")}[kind]
        if last == "score":
            return f"a rubric score must be between 1 and 5, got {value!r}"
        return f"must be {bound[0]} {ctx.get(bound[1])}, got {value!r}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"must be a whole number, got {_type_name(value)}" + (f" ({value!r})" if isinstance(value, str) else "")
    if kind in ("string_type",):
        hint = " (put it in quotes)" if isinstance(value, (bool, int, float)) or value is None else ""
        return f"must be a text, got {_type_name(value)}{hint}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"is too long (at most {ctx.get('max_length')} characters)"
    if kind == "string_pattern_mismatch":
        return f"{value!r} may only contain letters, digits, '_', '.' and '-'"
    if kind == "too_short":
        if loc == ("questions",):
            return "a plan needs at least one question"
        return f"needs at least {ctx.get('min_length')} item(s)"
    if kind == "too_long":
        return f"has too many items (at most {ctx.get('max_length')})"
    if kind == "list_type":
        return f"must be a list, got {_type_name(value)}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        if last in ("text", "title", "description", "template", "competency_name"):
            return f"must be a mapping of language to text, e.g. {{en: ..., zh: ...}}, got {_type_name(value)}"
        return f"must be a mapping, got {_type_name(value)}"
    if kind == "value_error":
        msg = str(err.get("msg", "")).removeprefix("Value error, ")
        if last == "rubric":
            return _rubric_message(_lookup(raw, loc), msg)
        return msg
    return str(err.get("msg", "is invalid"))


def _problem(raw: Any, loc: tuple[Any, ...], message: str) -> dict[str, str]:
    field, label = _render_path(raw, loc)
    return {"field": field, "message": f"{label}: {message}"}


def _cross_checks(raw: dict[str, Any]) -> list[dict[str, str]]:
    """Plan-wide rules (unique ids, every listed language present, one name per competency) with precise paths.

    The schema's model validator reports only the first such problem and only once all fields are valid; these
    checks run on the raw document so every instance is reported together with the field errors.
    """
    problems: list[dict[str, str]] = []
    qs = raw.get("questions")
    if not isinstance(qs, list):
        return problems
    langs = raw.get("languages", ["en"])
    langs = [x for x in langs if x in _LANGS] if isinstance(langs, list) else []
    first_seen: dict[str, int] = {}
    for i, q in enumerate(qs):
        if not isinstance(q, dict):
            continue
        qid = q.get("id")
        if isinstance(qid, str) and qid:
            if qid in first_seen:
                problems.append(_problem(raw, ("questions", i, "id"),
                                         f"question id {qid!r} is already used by questions[{first_seen[qid]}]; "
                                         f"ids must be unique"))
            else:
                first_seen[qid] = i
        text = q.get("text")
        if isinstance(text, dict) and text:
            for lang in langs:
                if lang not in text:
                    problems.append(_problem(raw, ("questions", i, "text", lang),
                                             f"the question has no {lang} text, but the plan lists {lang} in "
                                             f"languages"))
        for j, rule in enumerate(q.get("follow_ups") or [] if isinstance(q.get("follow_ups"), list) else []):
            tpl = rule.get("template") if isinstance(rule, dict) else None
            if not isinstance(tpl, dict):
                continue
            for lang, value in tpl.items():
                if isinstance(value, str) and lang in _LANGS:
                    bad = _template_problem(value)
                    if bad:
                        problems.append(_problem(raw, ("questions", i, "follow_ups", j, "template", lang), bad))
    named = [(q.get("competency"), q.get("competency_name")) if isinstance(q, dict) else (None, None) for q in qs]
    for i, lang, message in name_clashes(named):
        problems.append(_problem(raw, ("questions", i, "competency_name", lang), message))
    return problems


def _template_problem(template: str) -> str | None:
    allowed = ", ".join("{" + f + "}" for f in TEMPLATE_FIELDS)
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as exc:
        return f"the template is malformed ({exc}); write a literal brace as {{{{ or }}}}"
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in TEMPLATE_FIELDS:
            return f"unknown placeholder {{{name}}}; templates may use {allowed}"
        if spec or conversion:
            return f"placeholder {{{name}}} may not have a format spec or conversion; write it as {{{name}}}"
    return None


def _validate(raw: Any) -> InterviewPlanSpec:
    if not isinstance(raw, dict):
        raise _doc_error(f"a plan must be a mapping (an object with title, languages, questions ...) at the top "
                         f"level, but the document is {_type_name(raw)}")
    qs = raw.get("questions")
    if isinstance(qs, list) and len(qs) > MAX_QUESTIONS:
        raise PlanError([{"field": "questions",
                          "message": f"questions: a plan may have at most {MAX_QUESTIONS} questions; this one "
                                     f"has {len(qs)}"}])
    cross = _cross_checks(raw)
    try:
        plan = InterviewPlanSpec.model_validate(raw)
    except ValidationError as exc:
        problems: list[dict[str, str]] = []
        for err in exc.errors(include_url=False):
            loc = tuple(err["loc"])
            if not loc and cross:  # the model-level rule that the cross checks already reported precisely
                continue
            problems.append(_problem(raw, loc, _humanise(err, raw)))
        raise PlanError(_dedupe(problems + cross)) from None
    if cross:
        raise PlanError(_dedupe(cross))
    return plan


def _dedupe(problems: list[dict[str, str]]) -> list[dict[str, str]]:
    seen: set[tuple[str, str]] = set()
    out = []
    for p in problems:
        key = (p["field"], p["message"])
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


# ---------------------------------------------------------------------------------------------------- public


def load_plan(data: str | bytes, fmt: PlanFormat | str | None = None) -> InterviewPlanSpec:
    """Parse and validate a plan document; ``fmt`` is ``"yaml"``, ``"json"`` or ``None`` (sniffed).

    Raises :class:`PlanError` (with every problem found) for anything that is not a valid plan.
    """
    norm = _normalise_format(fmt)
    text = _decode(data)
    if not text.strip():
        raise _doc_error("the document is empty")
    return _validate(_parse(text, norm))


def plan_to_data(plan: InterviewPlanSpec) -> dict[str, Any]:
    """The plan as plain JSON-compatible data (every field, in schema order; an absent ``competency_name`` left
    out)."""
    return plan.model_dump(mode="json", exclude_none=True)


def dump_plan(plan: InterviewPlanSpec, fmt: PlanFormat | str = "yaml") -> str:
    """Serialise a plan; ``load_plan(dump_plan(p, fmt), fmt) == p`` for every valid plan."""
    norm = _normalise_format(fmt)
    data = plan_to_data(plan)
    if norm == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False, width=100)


def plan_to_questions(plan: InterviewPlanSpec, language: str) -> list[dict[str, Any]]:
    """Flat per-language question dicts as ``Store.create_job(..., questions)`` (and ``QuestionIn``) take them.

    Texts and points fall back to English (then any language) when the plan lacks ``language``, as
    :meth:`PlanQuestionSpec.text_in` does.
    """
    return [
        {
            "text": q.text_in(language),
            "competency": q.competency,
            "expected_points": list(q.points_in(language)),
            "time_limit_s": q.time_limit_s,
        }
        for q in plan.questions
    ]


def fill_template(template: str, *, quote: str = "", point: str = "") -> str:
    """Fill a follow-up template's ``{quote}``/``{point}`` (``{{``/``}}`` are literal braces).

    Plain substitution, no ``str.format`` (no attribute access or format specs); never raises: a malformed
    template is filled by simple text replacement, other placeholders are left as written.
    """
    values = {"quote": quote, "point": point}
    try:
        out = []
        for literal, name, _spec, _conv in string.Formatter().parse(template):
            out.append(literal)
            if name is not None:
                out.append(values.get(name, "{" + name + "}"))
        return "".join(out)
    except ValueError:
        return template.replace("{quote}", quote).replace("{point}", point)
