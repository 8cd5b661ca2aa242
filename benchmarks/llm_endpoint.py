"""The language-model engine a benchmark's model path talks to: the embedded llama.cpp engine, started here (the
caller stops it), or an OpenAI-compatible engine already running at a URL."""

from __future__ import annotations

from analyzers.llm_client import LlmEndpoint
from analyzers.llm_engine import LlamaServerEngine
from analyzers.model_registry import JUDGE_MODEL_ID

DEFAULT_MODEL_NAME = JUDGE_MODEL_ID


async def open_endpoint(engine: str, model: str = DEFAULT_MODEL_NAME) -> tuple[LlmEndpoint, LlamaServerEngine | None]:
    """``engine``: "embedded" (started now, with the model the server would use) or a base URL serving ``model``."""
    if engine != "embedded":
        return LlmEndpoint(engine, model), None
    from analyzers.llm_engine import start_embedded_engine
    from analyzers.model_registry import ModelManager
    from server.platform.settings import Settings

    started = await start_embedded_engine(ModelManager(Settings().resolved_model_cache_dir), JUDGE_MODEL_ID)
    return started.endpoint, started
