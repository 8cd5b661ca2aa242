"""The embedded language-model engine: llama.cpp's ``llama-server`` run as its own process.

The server is built once by ``scripts/build_llama_server.sh`` into a cache outside the repository; the model file
comes from the model manager (``analyzers/model_registry.py``). The process runs at a lower CPU priority (nice) so
live media and speech recognition never wait for it, listens on a loopback port only, and dies with its parent.
``start()`` returns once ``/health`` says the model is loaded; ``endpoint`` is then what ``LlmClient`` talks to.
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from analyzers.llm_client import LlmEndpoint
from analyzers.model_registry import ModelManager

LLAMA_SERVER_ENV = "INTERVIEW_LLAMA_SERVER"
BUILD_SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "build_llama_server.sh"

EngineState = Literal["off", "starting", "ready", "failed", "stopped"]


class EngineError(RuntimeError):
    pass


@dataclass(frozen=True)
class EngineConfig:
    """How the engine process runs (defaults measured on 2 cores: see benchmarks/llm_engine.py)."""

    threads: int = 2
    context_tokens: int = 8192
    """Shared by the slots: each of ``parallel`` requests gets context_tokens / parallel (rubric + answer + reply)."""
    parallel: int = 2
    nice: int = 10
    prompt_cache_mib: int = 1024
    """Prompts' KV states kept in RAM for reuse by any slot (a rubric prefix of 1,000 tokens is ~28 MB)."""
    startup_timeout_s: float = 120.0


def llama_server_binary() -> Path:
    """The built ``llama-server``: ``$INTERVIEW_LLAMA_SERVER``, else where the build script puts it."""
    if override := os.environ.get(LLAMA_SERVER_ENV):
        path = Path(override)
    else:
        out = subprocess.run(["bash", str(BUILD_SCRIPT), "--print-path"], capture_output=True, text=True,
                             check=True)
        path = Path(out.stdout.strip())
    if not os.access(path, os.X_OK):
        raise EngineError(f"llama-server is not built at {path}; run scripts/build_llama_server.sh "
                          f"(or set {LLAMA_SERVER_ENV})")
    return path


def _free_loopback_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _lower_priority_and_die_with_parent(nice: int) -> None:
    """Runs in the child before exec: lower CPU priority; SIGTERM when the parent process dies (Linux)."""
    os.nice(nice)
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class LlamaServerEngine:
    """One ``llama-server`` process serving one model file; start and stop it from async code."""

    def __init__(self, binary: Path, model_path: Path, model_name: str, config: EngineConfig | None = None) -> None:
        self.binary = Path(binary)
        self.model_path = Path(model_path)
        self.model_name = model_name
        self.config = config or EngineConfig()
        self.state: EngineState = "stopped"
        self.error: str | None = None
        self.port: int | None = None
        self.started_in_s: float | None = None
        self._proc: asyncio.subprocess.Process | None = None
        self._log = tempfile.NamedTemporaryFile(prefix="llama-server.", suffix=".log", delete=False)

    @property
    def endpoint(self) -> LlmEndpoint:
        if self.state != "ready" or self.port is None:
            raise EngineError(f"the language-model engine is {self.state}")
        return LlmEndpoint(f"http://127.0.0.1:{self.port}/v1", self.model_name)

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def command(self, port: int) -> list[str]:
        c = self.config
        return [str(self.binary), "--model", str(self.model_path), "--alias", self.model_name,
                "--host", "127.0.0.1", "--port", str(port),
                "--threads", str(c.threads), "--threads-batch", str(c.threads),
                "--ctx-size", str(c.context_tokens), "--parallel", str(c.parallel),
                "--cache-reuse", "256",  # reuse cached chunks of a prompt even after a changed middle part
                "--cache-ram", str(c.prompt_cache_mib),
                "--no-webui"]

    async def start(self) -> None:
        """Start the process and wait until the model is loaded (raises ``EngineError`` if it does not load)."""
        if self.state in ("starting", "ready"):
            return
        if not self.model_path.is_file():
            raise EngineError(f"model file {self.model_path} does not exist")
        self.state, self.error = "starting", None
        t0 = time.perf_counter()
        self.port = _free_loopback_port()
        nice = self.config.nice
        self._proc = await asyncio.create_subprocess_exec(
            *self.command(self.port), stdin=asyncio.subprocess.DEVNULL, stdout=self._log, stderr=self._log,
            preexec_fn=lambda: _lower_priority_and_die_with_parent(nice))
        try:
            await asyncio.wait_for(self._wait_healthy(), self.config.startup_timeout_s)
        except (asyncio.TimeoutError, EngineError) as e:
            reason = str(e) or f"not ready within {self.config.startup_timeout_s:.0f} s"
            self.state = "failed"
            await self.stop()
            self.error = f"{reason}; log: {self.log_tail()}"
            raise EngineError(self.error) from None
        self.started_in_s = time.perf_counter() - t0
        self.state = "ready"

    async def _wait_healthy(self) -> None:
        import aiohttp

        url = f"http://127.0.0.1:{self.port}/health"
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as http:
            while True:
                if self._proc is None or self._proc.returncode is not None:
                    raise EngineError(f"llama-server exited with code {self._proc.returncode if self._proc else '?'}")
                try:
                    async with http.get(url) as resp:
                        if resp.status == 200:
                            return  # 503 while the model loads
                except (aiohttp.ClientError, asyncio.TimeoutError):
                    pass
                await asyncio.sleep(0.1)

    async def stop(self) -> None:
        """SIGTERM, then SIGKILL after 5 s; the log is kept only when the engine failed."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.returncode is None:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), 5)
            except asyncio.TimeoutError:
                proc.kill()
                await proc.wait()
        if self.state != "failed":
            self.state = "stopped"
            self._log.close()
            Path(self._log.name).unlink(missing_ok=True)

    def log_tail(self, chars: int = 600) -> str:
        self._log.flush()
        text = Path(self._log.name).read_text(errors="replace")
        return text[-chars:].strip()

    def status(self) -> dict:
        return {"engine": "llama.cpp", "state": self.state, "model": self.model_name, "pid": self.pid,
                "port": self.port, "threads": self.config.threads, "started_in_s": self.started_in_s,
                "error": self.error}


async def start_embedded_engine(models: ModelManager, model_id: str,
                                config: EngineConfig | None = None) -> LlamaServerEngine:
    """Prepare the model file and find the binary (in a thread: a first assembly hashes 1.1 GB), then start."""
    model_path = await asyncio.to_thread(models.resolve_file, model_id)
    binary = await asyncio.to_thread(llama_server_binary)
    engine = LlamaServerEngine(binary, model_path, model_id, config)
    await engine.start()
    return engine
