"""The server's language model: one ``LlmClient`` for scoring and follow-ups, and the engine behind it.

``llm_engine`` says where the model is: ``embedded`` starts llama.cpp's server in the background
(``analyzers/llm_engine.py``) while the server already serves with the rules; ``off`` keeps the rules; a URL is an
external OpenAI-compatible engine, used at once. ``status()`` (shown by ``/api/v1/health``) says which is in force.
"""

from __future__ import annotations

import asyncio
from typing import Literal

import structlog

from analyzers.llm_client import LlmClient, LlmEndpoint
from analyzers.llm_engine import EngineConfig, EngineError, LlamaServerEngine, start_embedded_engine
from analyzers.model_registry import ModelError, ModelManager
from server.platform.settings import Settings

log = structlog.get_logger(__name__)

LanguageModelState = Literal["off", "starting", "ready", "failed"]


class LanguageModel:
    def __init__(self, settings: Settings, models: ModelManager) -> None:
        self.settings = settings
        self.models = models
        self.client = LlmClient(timeout_s=settings.llm_timeout_s)
        self.engine: LlamaServerEngine | None = None
        self.error: str | None = None
        self._starting: asyncio.Task | None = None
        mode = settings.llm_engine
        if mode == "off":
            self.state: LanguageModelState = "off"
            self.client.unavailable_reason = "the language model is off (llm_engine=off): the rules decide"
        elif mode == "embedded":
            self.state = "starting"
            self.client.unavailable_reason = "the embedded language model is starting: the rules decide meanwhile"
        else:
            self.client.endpoint = LlmEndpoint(mode, settings.llm_model, settings.llm_api_key)
            self.state = "ready"

    async def start(self) -> None:
        """Returns at once; the embedded engine comes up in the background."""
        if self.settings.llm_engine == "embedded" and self._starting is None:
            self._starting = asyncio.create_task(self._start_embedded())
        log.info("language model", **self.status())

    async def _start_embedded(self) -> None:
        config = EngineConfig(threads=self.settings.llm_threads)
        try:
            self.engine = await start_embedded_engine(self.models, self.settings.llm_model, config)
        except (EngineError, ModelError, OSError) as e:
            self.state, self.error = "failed", str(e)
            self.client.unavailable_reason = f"the embedded language model did not start ({e}): the rules decide"
            log.warning("language model failed; serving with the rules", error=str(e))
            return
        self.client.endpoint = self.engine.endpoint
        self.state = "ready"
        log.info("language model ready", started_in_s=round(self.engine.started_in_s or 0, 1),
                 model=self.settings.llm_model)

    async def wait_ready(self) -> bool:
        if self._starting is not None:
            await asyncio.shield(self._starting)
        return self.state == "ready"

    async def stop(self) -> None:
        if self._starting is not None and not self._starting.done():
            self._starting.cancel()
            await asyncio.gather(self._starting, return_exceptions=True)
        if self.engine is not None:
            await self.engine.stop()
        self.client.endpoint = None

    def status(self) -> dict:
        """What decides now: the model (state ready) or the rules (any other state), and why."""
        mode = self.settings.llm_engine
        return {"state": self.state, "engine": mode if mode in ("embedded", "off") else "external",
                "model": self.settings.llm_model if self.state != "off" else None,
                "decides": "model" if self.state == "ready" else "rules", "error": self.error}
