#!/usr/bin/env bash
# Builds llama.cpp's `llama-server` (the embedded language-model engine) from the pinned llama-cpp-python sdist,
# once, into a cache outside the repository that survives fresh clones:
#   ${INTERVIEW_LLAMA_CACHE:-~/.cache/interview-server/llama.cpp}/<sdist version>-<cpu flags>/bin/llama-server
# Idempotent: when that binary exists and answers --version, a second run only checks.
# There is no binary wheel of the server, so it is compiled (~6 minutes on 2 cores). GGML_NATIVE is off because
# a native build on these machines picks the AMX kernel, which crashes; the instruction sets are named instead.
# The web UI is neither built nor fetched, and nothing is linked against OpenSSL: the server only listens on
# loopback for this process's own requests.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=0.3.36
SDIST_SHA256=832db0699007f1be95a7e41ef12e88926b02ba836461e36a36372db2760c1a2e
# Instruction sets: LLAMA_CPU=avx2 (default) or avx512 (adds AVX-512 F/BW/VL, VBMI and VNNI kernels). Measured
# here with benchmarks/llm_engine.py on 2 threads, AVX-512 read prompts no faster (70 vs 69 tokens/s) and wrote
# no faster (9-10 vs 10-12 tokens/s), so the default stays AVX2.
CPU_TAG=${LLAMA_CPU:-avx2}
CPU_FLAGS=(-DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON)
case "$CPU_TAG" in
  avx2) ;;
  avx512) CPU_FLAGS+=(-DGGML_AVX512=ON -DGGML_AVX512_VBMI=ON -DGGML_AVX512_VNNI=ON) ;;
  *) echo "LLAMA_CPU must be avx2 or avx512" >&2; exit 2 ;;
esac
CACHE_ROOT=${INTERVIEW_LLAMA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/interview-server/llama.cpp}
TARGET=$CACHE_ROOT/$VERSION-$CPU_TAG
BIN=$TARGET/bin/llama-server
PY=${PYTHON:-.venv/bin/python}
[[ -x "$PY" ]] || PY=python3

if [[ "${1:-}" == "--print-path" ]]; then
  echo "$BIN"
  exit 0
fi
if [[ -x "$BIN" ]] && "$BIN" --version >/dev/null 2>&1; then
  echo "llama-server ready: $BIN"
  exit 0
fi

for tool in cmake g++ make; do
  command -v "$tool" >/dev/null || { echo "building llama-server needs $tool (Debian: cmake build-essential)" >&2; exit 1; }
done
mkdir -p "$CACHE_ROOT"
exec 9>"$CACHE_ROOT/.build.lock"
flock 9  # one build at a time, even when two set-ups run together
if [[ -x "$BIN" ]] && "$BIN" --version >/dev/null 2>&1; then
  echo "llama-server ready: $BIN"
  exit 0
fi

WORK=$(mktemp -d "$CACHE_ROOT/.build.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
echo "building llama-server $VERSION ($CPU_TAG) in $WORK; this takes several minutes"
"$PY" -m pip download -q --no-binary llama-cpp-python --no-deps "llama-cpp-python==$VERSION" -d "$WORK/sdist"
ARCHIVE="$WORK/sdist/llama_cpp_python-$VERSION.tar.gz"
echo "$SDIST_SHA256  $ARCHIVE" | sha256sum -c --quiet - || { echo "llama-cpp-python sdist hash mismatch" >&2; exit 1; }
tar xzf "$ARCHIVE" -C "$WORK"
SRC="$WORK/llama_cpp_python-$VERSION/vendor/llama.cpp"

start=$(date +%s)
cmake -S "$SRC" -B "$WORK/build" -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF \
  -DGGML_NATIVE=OFF "${CPU_FLAGS[@]}" \
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_SERVER=ON \
  -DLLAMA_BUILD_UI=OFF -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_OPENSSL=OFF >"$WORK/configure.log"
nice -n 10 cmake --build "$WORK/build" --target llama-server -j "$(nproc)" >"$WORK/build.log" 2>&1 \
  || { tail -40 "$WORK/build.log" >&2; exit 1; }

STAGE=$(mktemp -d "$CACHE_ROOT/.install.XXXXXX")
mkdir -p "$STAGE/bin"
cp "$WORK/build/bin/llama-server" "$STAGE/bin/"
cp "$SRC/LICENSE" "$STAGE/LICENSE.llama.cpp"
"$STAGE/bin/llama-server" --version >"$STAGE/version.txt" 2>&1
echo "llama-cpp-python $VERSION, $CPU_TAG, built in $(( $(date +%s) - start )) s" >"$STAGE/BUILD_INFO"
rm -rf "$TARGET"
mv "$STAGE" "$TARGET"
cat "$TARGET/BUILD_INFO"
echo "llama-server ready: $BIN"
