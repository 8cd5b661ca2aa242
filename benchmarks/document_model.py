"""The document benchmarks' model path: the rules, then the language model for the gaps they leave
(``analyzers.documents.model_fill``), on an engine the benchmark starts itself or finds at a URL.

The readers in the benchmarks' ``PATHS`` are plain functions; the model's client is async. So the engine and the
client live on an event loop in a thread of their own, and a reader waits for its fill there. Only one
``ModelPath`` is active at a time (``ModelPath.active``), entered by the benchmark's ``main`` for ``--path model``.

On a set the rules read well the model is rarely asked. ``gaps`` measures the model where it would be asked: the
named parts of the rules' reading are emptied before the model fills them (``header``: name and city;
``experience``: the jobs and the years; ``education``; ``skills``; ``requirements``: a job description is sent
whatever its headings).
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import threading
import time
from typing import Any, ClassVar

from analyzers.documents.job_requirements import JobRequirements, extract_requirements
from analyzers.documents.model_fill import DOCUMENT_TIMEOUT_S, FillReport, fill_profile, fill_requirements
from analyzers.documents.resume_parser import parse_resume
from analyzers.documents.resume_profile import ResumeProfile
from analyzers.llm_client import LlmClient
from benchmarks.llm_endpoint import DEFAULT_MODEL_NAME, open_endpoint


GAPS: dict[str, dict[str, Any]] = {
    "header": {"name": None, "city": None},
    "experience": {"work_experience": [], "years_experience": None},
    "education": {"education": []},
    "skills": {"skills": []},
    "requirements": {},
}


class ModelPath:
    active: ClassVar["ModelPath | None"] = None

    def __init__(self, engine: str = "embedded", model: str = DEFAULT_MODEL_NAME,
                 timeout_s: float = DOCUMENT_TIMEOUT_S, gaps: frozenset[str] = frozenset()) -> None:
        """``engine``: "embedded" (started here, stopped on exit) or an OpenAI-compatible base URL."""
        unknown = set(gaps) - set(GAPS)
        if unknown:
            raise ValueError(f"unknown gaps {sorted(unknown)}; known: {', '.join(GAPS)}")
        self.engine_arg, self.model_name, self.timeout_s, self.gaps = engine, model, timeout_s, gaps
        self.report = FillReport()
        self.calls = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="model-path", daemon=True)
        self._engine: Any = None
        self.client: LlmClient | None = None

    def __enter__(self) -> "ModelPath":
        self._thread.start()
        self.client = self.run(self._start())
        ModelPath.active = self
        return self

    def __exit__(self, *exc: object) -> None:
        ModelPath.active = None
        if self._engine is not None:
            self.run(self._engine.stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    async def _start(self) -> LlmClient:
        endpoint, self._engine = await open_endpoint(self.engine_arg, self.model_name)
        return LlmClient(endpoint, timeout_s=self.timeout_s)

    def run(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()

    def engine_cpu_s(self) -> float:
        """CPU seconds the embedded engine's process has used so far (0 for an engine elsewhere)."""
        pid = self._engine.pid if self._engine is not None else None
        if pid is None:
            return 0.0
        import psutil

        try:
            t = psutil.Process(pid).cpu_times()
        except psutil.Error:
            return 0.0
        return t.user + t.system

    def cpu_s(self) -> float:
        """This process's CPU time plus the engine's: what the model path costs in cores."""
        return time.process_time() + self.engine_cpu_s()

    def resume(self, data: bytes, filename: str, today: dt.date) -> ResumeProfile:
        profile = parse_resume(data, filename, today=today)
        emptied = {k: v for gap in self.gaps for k, v in GAPS[gap].items()}
        profile, report = self.run(fill_profile(self.client, dataclasses.replace(profile, **emptied), today=today,
                                                timeout_s=self.timeout_s))
        self._count(report)
        return profile

    def requirements(self, text: str) -> JobRequirements:
        reqs, report = self.run(fill_requirements(self.client, text, extract_requirements(text),
                                                  timeout_s=self.timeout_s, always="requirements" in self.gaps))
        self._count(report)
        return reqs

    def _count(self, report: FillReport) -> None:
        self.calls += len(report.asked)
        self.report.add(report)

    def summary(self) -> dict[str, Any]:
        """The model's part, for the benchmark block: calls, what it filled, values refused, failed calls."""
        r = self.report
        count = lambda items: {k: items.count(k) for k in dict.fromkeys(items)}  # noqa: E731
        return {"engine": self.engine_arg, "gaps_made": sorted(self.gaps), "model_calls": self.calls, "asked": count(r.asked),
                "filled": count(r.filled), "values_refused": r.refused, "failed_calls": count(r.failed),
                "model_seconds": round(r.seconds, 1)}


def model_resume(data: bytes, filename: str, today: dt.date) -> ResumeProfile:
    if ModelPath.active is None:
        raise RuntimeError("the model path needs an active ModelPath (the benchmark's main enters one)")
    return ModelPath.active.resume(data, filename, today)


def model_requirements(text: str) -> JobRequirements:
    if ModelPath.active is None:
        raise RuntimeError("the model path needs an active ModelPath (the benchmark's main enters one)")
    return ModelPath.active.requirements(text)
