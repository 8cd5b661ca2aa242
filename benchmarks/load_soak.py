"""The soak's time series: every ``--sample-s`` one sample of every node, and the drift over the whole run.

A sample holds, per node: RSS of its process tree now (MB), CPU cores over the interval, and from its
``/api/v1/health``: the interview runtimes it holds (``live_sessions``) and those with a candidate connected, and its
event-loop lag p95 and max (the node's loop monitor keeps its last 1,200 wake-ups of 50 ms: about
the last minute); and for the interval: analysis lag p95 (video frame received -> observation) and answer -> next
question p95, from the differences of the nodes' ``/metrics`` histograms (``interview_analysis_lag_seconds``,
``interview_answer_to_question_seconds``) between two samples, interpolated within a bucket as Prometheus'
``histogram_quantile`` does (so at the buckets' resolution: 10, 25, 50, 100, 250, 500 ms ... and 0.25 ... 10 s).

The drift of a series: the mean of its first and of its last ``window_s`` (5 minutes; a quarter of shorter runs),
their difference, and the least-squares slope per 10 minutes over all samples.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from prometheus_client.parser import text_string_to_metric_families

from benchmarks.load_clients import HrClient
from benchmarks.load_server import ProcessTreeMonitor

INTERVAL_HISTOGRAMS = {
    "analysis_lag_ms": "interview_analysis_lag_seconds",
    "answer_to_question_ms": "interview_answer_to_question_seconds",
}

Buckets = dict[float, float]
"""A histogram's cumulative counts by upper bound (``math.inf`` for ``+Inf``), summed over its other labels."""


def parse_histograms(text: str, names: dict[str, str]) -> dict[str, Buckets]:
    """``{key: buckets}`` for each ``names[key]`` histogram in a Prometheus text exposition (absent: empty)."""
    wanted = {v: k for k, v in names.items()}
    out: dict[str, Buckets] = {k: {} for k in names}
    for family in text_string_to_metric_families(text):
        key = wanted.get(family.name)
        if key is None:
            continue
        for s in family.samples:
            if s.name.endswith("_bucket"):
                le = float(s.labels["le"])  # "+Inf" -> inf
                out[key][le] = out[key].get(le, 0.0) + s.value
    return out


def subtract(now: Buckets, before: Buckets) -> Buckets:
    return {le: max(0.0, n - before.get(le, 0.0)) for le, n in now.items()}


def add(a: Buckets, b: Buckets) -> Buckets:
    return {le: a.get(le, 0.0) + b.get(le, 0.0) for le in set(a) | set(b)}


def quantile(q: float, buckets: Buckets) -> float | None:
    """The ``q`` quantile of a cumulative histogram, linear within its bucket (the largest finite bound when it
    falls in ``+Inf``); None without observations."""
    bounds = sorted(buckets)
    total = buckets[bounds[-1]] if bounds else 0.0
    if total <= 0:
        return None
    rank = q * total
    lower, below = 0.0, 0.0
    for le in bounds:
        count = buckets[le]
        if count >= rank:
            if math.isinf(le):
                return lower
            return lower + (le - lower) * ((rank - below) / (count - below) if count > below else 1.0)
        lower, below = le, count
    return lower


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


@dataclass
class NodeProbe:
    """What the sampler reads of one node: its health and metrics over HTTP, its process tree with psutil."""

    id: str
    hr: HrClient
    monitor: ProcessTreeMonitor | None
    cpu_s: float | None = None
    histograms: dict[str, Buckets] = field(default_factory=dict)


class Sampler:
    """Takes :meth:`baseline` at the window's start, then one :meth:`sample` per interval."""

    def __init__(self, probes: list[NodeProbe], engine: ProcessTreeMonitor | None,
                 state: Callable[[], dict[str, int]]):
        """``state``: the load's own counts at this moment (candidates connected, interviews started/finished/...)."""
        self.probes = probes
        self.engine = engine
        self.state = state
        self.engine_cpu_s: float | None = None
        self.t0 = self.last_t = 0.0

    async def _histograms(self, probe: NodeProbe) -> dict[str, Buckets]:
        text = await probe.hr.metrics()
        return parse_histograms(text, INTERVAL_HISTOGRAMS) if text else {}

    async def baseline(self) -> None:
        self.t0 = self.last_t = time.time()
        for p in self.probes:
            p.cpu_s = p.monitor.sample() if p.monitor else None
            p.histograms = await self._histograms(p)
        self.engine_cpu_s = self.engine.sample() if self.engine else None

    async def sample(self) -> dict:
        now = time.time()
        dt = max(1e-6, now - self.last_t)
        nodes: dict[str, dict] = {}
        merged: dict[str, Buckets] = {k: {} for k in INTERVAL_HISTOGRAMS}
        cpu_total = rss_total = 0.0
        have_cpu = False
        for p in self.probes:
            health = await p.hr.health() or {}
            hist = await self._histograms(p)
            deltas = {k: subtract(hist.get(k, {}), p.histograms.get(k, {})) for k in INTERVAL_HISTOGRAMS}
            if hist:
                p.histograms = hist
            for k, d in deltas.items():
                merged[k] = add(merged[k], d)
            lag = health.get("loop_lag_ms") or {}
            node = {"rss_mb": None, "cpu_cores": None, "live_sessions": health.get("live_sessions"),
                    "connected_sessions": health.get("connected_sessions"),
                    "loop_lag_ms_p95": lag.get("p95"), "loop_lag_ms_max": lag.get("max"),
                    "analysis_lag_ms_p95": _ms(quantile(0.95, deltas["analysis_lag_ms"]))}
            if p.monitor is not None:
                cpu = p.monitor.sample()
                node["rss_mb"] = round(p.monitor.rss_mb, 1)
                node["rss_mb_by_process"] = p.monitor.rss_mb_by_name
                node["cpu_cores"] = round((cpu - (p.cpu_s or 0.0)) / dt, 3)
                p.cpu_s = cpu
                cpu_total += node["cpu_cores"]
                rss_total += p.monitor.rss_mb
                have_cpu = True
            nodes[p.id] = node
        if self.engine is not None:
            cpu = self.engine.sample()
            engine = {"rss_mb": round(self.engine.rss_mb, 1),
                      "cpu_cores": round((cpu - (self.engine_cpu_s or 0.0)) / dt, 3)}
            self.engine_cpu_s = cpu
            cpu_total += engine["cpu_cores"]
            rss_total += self.engine.rss_mb
            nodes["engine"] = engine
        self.last_t = now
        live = [n["live_sessions"] for n in nodes.values() if isinstance(n.get("live_sessions"), int)]
        connected = [n["connected_sessions"] for n in nodes.values()
                     if isinstance(n.get("connected_sessions"), int)]
        p95s = [n["loop_lag_ms_p95"] for n in nodes.values() if isinstance(n.get("loop_lag_ms_p95"), (int, float))]
        maxs = [n["loop_lag_ms_max"] for n in nodes.values() if isinstance(n.get("loop_lag_ms_max"), (int, float))]
        return {
            "elapsed_s": round(now - self.t0, 1),
            "sessions_live": sum(live) if live else None,
            "sessions_connected": sum(connected) if connected else None,
            **self.state(),
            "server_cpu_cores": round(cpu_total, 3) if have_cpu else None,
            "server_rss_mb": round(rss_total, 1) if have_cpu else None,
            "loop_lag_ms": {"p95": max(p95s, default=None), "max": max(maxs, default=None)},
            "analysis_lag_ms_p95": _ms(quantile(0.95, merged["analysis_lag_ms"])),
            "answer_to_question_ms_p95": _ms(quantile(0.95, merged["answer_to_question_ms"])),
            "nodes": nodes,
        }


# ---------------------------------------------------------------------------------------------------------- drift


def trend(points: list[tuple[float, float | None]], window_s: float, end_s: float) -> dict | None:
    """Mean of the first and of the last ``window_s`` of a series, their change, and the least-squares slope per
    10 minutes; None with fewer than two values."""
    pts = [(t, float(v)) for t, v in points if isinstance(v, (int, float))]
    if len(pts) < 2 or len({t for t, _ in pts}) < 2:
        return None
    first = [v for t, v in pts if t <= window_s]
    last = [v for t, v in pts if t > end_s - window_s]
    ts, vs = np.array([t for t, _ in pts]), np.array([v for _, v in pts])
    slope = float(np.polyfit(ts, vs, 1)[0]) * 600.0
    first_mean = float(np.mean(first)) if first else None
    last_mean = float(np.mean(last)) if last else None
    return {
        "first_mean": None if first_mean is None else round(first_mean, 2),
        "last_mean": None if last_mean is None else round(last_mean, 2),
        "change": None if first_mean is None or last_mean is None else round(last_mean - first_mean, 2),
        "slope_per_10_min": round(slope, 2),
        "n": len(pts),
    }


def drift_summary(samples: list[dict], window_s: float) -> dict:
    """The drift of RSS and lag per node, and of the cluster's interval figures, over ``samples``."""
    if not samples:
        return {"window_s": window_s, "samples": 0}
    end_s = samples[-1]["elapsed_s"]
    node_ids = sorted({k for s in samples for k in s.get("nodes", {})})

    def series(get: Callable[[dict], float | None]) -> dict | None:
        return trend([(s["elapsed_s"], get(s)) for s in samples], window_s, end_s)

    def node_value(node_id: str, key: str) -> Callable[[dict], float | None]:
        return lambda s: (s.get("nodes", {}).get(node_id) or {}).get(key)

    return {
        "window_s": window_s,
        "samples": len(samples),
        "rss_mb": {**{n: series(node_value(n, "rss_mb")) for n in node_ids},
                   "total": series(lambda s: s.get("server_rss_mb"))},
        "loop_lag_p95_ms": {n: series(node_value(n, "loop_lag_ms_p95")) for n in node_ids if n != "engine"},
        "analysis_lag_p95_ms": {"all": series(lambda s: s.get("analysis_lag_ms_p95")),
                                **{n: series(node_value(n, "analysis_lag_ms_p95")) for n in node_ids
                                   if n != "engine"}},
        "answer_to_question_p95_ms": series(lambda s: s.get("answer_to_question_ms_p95")),
        "server_cpu_cores": series(lambda s: s.get("server_cpu_cores")),
    }
