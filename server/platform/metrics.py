"""This process's Prometheus metrics: what the server layer measures, what is read from it when scraped, and the
exposition served at ``/metrics`` (server/http/routes/metrics.py).

Each server process is its own target (one port each); nothing is shared between processes. Counters and
histograms live in prometheus_client's default registry (with the analyzers' ``analyzers/metrics.py``, the media
decoders' ``media/decode_timing.py`` and the library's process and Python collectors); what this node holds right
now (live sessions, bounded queues, thread pools, the language model's state) is read from the server context at
each scrape (:class:`NodeState`, :class:`NodeCollector`). Labels are kinds of things only (a route template, a queue's name, a job's
name): never an interview, a candidate, a user or a path as requested.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from prometheus_client import (CONTENT_TYPE_PLAIN_0_0_4, REGISTRY, CollectorRegistry, Counter, Histogram,
                               disable_created_metrics, generate_latest)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

import analyzers.metrics  # noqa: F401  (the analyzers' metrics are listed from the first scrape on)
import media.decode_timing  # noqa: F401  (the same for media decoding)
from analyzers.thread_pool import pools

disable_created_metrics()  # no ``_created`` series beside every counter and histogram: they double the series

HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

HTTP_REQUEST_SECONDS = Histogram(
    "interview_http_request_duration_seconds", "Time to answer an HTTP request (WebSocket sessions not included), "
    "by method and route template", ["method", "route"], buckets=HTTP_BUCKETS)
HTTP_REQUESTS = Counter(
    "interview_http_requests", "HTTP requests answered (WebSocket handshakes included), by method, route template "
    "and status", ["method", "route", "status"])

EVENT_LOOP_LAG_SECONDS = Histogram(
    "interview_event_loop_lag_seconds", "How late a 50 ms sleep on the event loop wakes up (blocking work on the "
    "loop shows here)", buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5))
ANSWER_TO_QUESTION_SECONDS = Histogram(
    "interview_answer_to_question_seconds", "From the candidate's last voiced audio to the next question sent, on "
    "the audio clock", buckets=(0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0))

LIVE_FEED_DROPPED = Counter(
    "interview_live_feed_dropped", "Observations and media statistics dropped unpublished because publishing was "
    "slower than they came (server/live/live_feed.py: the oldest waiting goes)")

BACKGROUND_JOB_RUNS = Counter(
    "interview_background_job_runs", "Runs of background jobs: the shared queue's kinds (reminders.tick, retention.sweep, invitation.send, "
    "import.run, …), a bulk import (import) and per-process loops, by job and outcome (ok, failed, interrupted: the "
    "server stopped)", ["job", "outcome"])
BACKGROUND_JOB_SECONDS = Histogram(
    "interview_background_job_duration_seconds", "One run of a background job", ["job"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0))


@dataclass(frozen=True)
class Backlog:
    """How full one kind of bounded queue is on this node (summed over its instances)."""

    queue: str
    depth: int
    capacity: int


@dataclass(frozen=True)
class NodeState:
    """What the node holds at the moment of a scrape."""

    live_sessions: int
    connected_sessions: int
    language_model_ready: bool
    background_tasks: int
    backlogs: list[Backlog] = field(default_factory=list)


class NodeCollector(Collector):
    """Gauges of the node's state, read from the server context for this scrape."""

    def __init__(self, state: NodeState) -> None:
        self._state = state

    def describe(self) -> Iterable:
        return []  # nothing to check against other collectors at registration

    def collect(self) -> Iterable:
        state = self._state
        yield GaugeMetricFamily("interview_live_sessions", "Interviews live on this node (a runtime exists)",
                                value=state.live_sessions)
        yield GaugeMetricFamily("interview_connected_sessions", "Live interviews with a candidate connected",
                                value=state.connected_sessions)
        yield GaugeMetricFamily("interview_llm_ready", "1 while the language model answers, 0 while the rules "
                                "decide alone", value=int(state.language_model_ready))
        yield GaugeMetricFamily("interview_background_tasks", "Work outliving its request (e.g. sending mail) "
                                "still running", value=state.background_tasks)
        depth = GaugeMetricFamily("interview_queue_depth", "Items waiting in a bounded queue, by queue (summed "
                                  "over its instances)", labels=["queue"])
        capacity = GaugeMetricFamily("interview_queue_capacity", "The bound of those queues together",
                                     labels=["queue"])
        for b in state.backlogs:
            depth.add_metric([b.queue], b.depth)
            capacity.add_metric([b.queue], b.capacity)
        yield depth
        yield capacity
        yield from _pool_families()


def _pool_families() -> Iterable[GaugeMetricFamily]:
    threads = GaugeMetricFamily("interview_pool_threads", "Threads of a worker pool (inference: speech, "
                                "end-of-turn and scoring models; vision: the frame analyzers; resume-parse; "
                                "plan-read; jobs; analytics)", labels=["pool"])
    in_flight = GaugeMetricFamily("interview_pool_in_flight", "Calls handed to a pool's threads (running or "
                                  "queued there)", labels=["pool"])
    capacity = GaugeMetricFamily("interview_pool_capacity", "Most calls a pool hands to its threads at once",
                                 labels=["pool"])
    waiting = GaugeMetricFamily("interview_pool_waiting", "Callers waiting for a pool's slot", labels=["pool"])
    for pool in pools():
        threads.add_metric([pool.name], pool.threads)
        in_flight.add_metric([pool.name], pool.in_flight)
        capacity.add_metric([pool.name], pool.max_in_flight)
        waiting.add_metric([pool.name], pool.waiting)
    return threads, in_flight, capacity, waiting


class _ProcessWide(Collector):
    """prometheus_client's default registry: the metrics above, the analyzers', and the process and Python
    collectors (CPU, memory, open files, garbage collection)."""

    def describe(self) -> Iterable:
        return []

    def collect(self) -> Iterable:
        return REGISTRY.collect()


def exposition(state: NodeState) -> tuple[bytes, str]:
    """(body, content type) in Prometheus' text format: the node's state and the process-wide metrics."""
    registry = CollectorRegistry()
    registry.register(NodeCollector(state))
    registry.register(_ProcessWide())
    return generate_latest(registry), CONTENT_TYPE_PLAIN_0_0_4  # the text format every Prometheus reads
