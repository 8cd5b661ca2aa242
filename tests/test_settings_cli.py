"""Settings and the command line: flags generated from the settings model, one default per setting."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic_settings import CLI_SUPPRESS

from analyzers import inference_pool
from analyzers.documents.resume_file import MAX_RESUME_BYTES
from analyzers.model_registry import ModelManager
from analyzers.video_scheduler import AnalysisBudget
from analyzers.whisper_asr import WINDOW_MARGIN_MS
from dialogue.turn_taking import TurnTakingConfig
from server.platform.cli import build_parser, main
from server.platform.settings import Settings
from server.platform.settings_flags import settings_from_args

pytestmark = pytest.mark.unit

SECRETS = {"secret_key", "llm_api_key", "smtp_password", "invite_webhook_secret", "dingtalk_app_secret", "data_keys",
           "report_webhook_secret", "metrics_token"}


@pytest.fixture(autouse=True)
def _no_interview_env(monkeypatch):
    for name in list(os.environ):
        if name.startswith("INTERVIEW_"):
            monkeypatch.delenv(name)


def _settings(*argv: str) -> Settings:
    return settings_from_args(build_parser().parse_args(list(argv)))


def _help(command: str, capsys) -> str:
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0
    return capsys.readouterr().out


def test_the_documented_flags_still_work():
    s = _settings("serve", "--demo", "--host", "0.0.0.0", "--port", "18080", "--data-dir", "/tmp/d",
                  "--database-url", "postgresql+asyncpg://app@db/x", "--bus-url", "redis://127.0.0.1:6379/0",
                  "--ice-host", "127.0.0.1", "--ice-host", "203.0.113.7", "--public-base-url", "https://x.example",
                  "--whisper-window-margin-ms", "0", "--answer-end-silence-ms", "2500", "--analysis-cpu-budget",
                  "0.2", "--reminder-poll-s", "5", "--no-show-grace-min", "20", "--dingtalk-app-key", "k",
                  "--dingtalk-agent-id", "7", "--dingtalk-operator-userid", "u", "--import-max-upload-bytes", "1000",
                  "--import-max-active", "3", "--retention-interview-content-days", "30",
                  "--retention-candidate-days", "60", "--retention-sweep-s", "10", "--audit-coalesce-s", "0")
    assert (s.host, s.port, s.data_dir, s.public_base_url) == ("0.0.0.0", 18080, Path("/tmp/d"), "https://x.example")
    assert s.database_url == "postgresql+asyncpg://app@db/x" and s.bus_url == "redis://127.0.0.1:6379/0"
    assert s.ice_host_addresses == ["127.0.0.1", "203.0.113.7"]
    assert (s.whisper_window_margin_ms, s.answer_end_silence_ms, s.analysis_cpu_budget) == (0, 2500, 0.2)
    assert (s.reminder_poll_s, s.no_show_grace_min) == (5.0, 20)
    assert (s.dingtalk_app_key, s.dingtalk_agent_id, s.dingtalk_operator_userid) == ("k", 7, "u")
    assert (s.import_max_upload_bytes, s.import_max_active) == (1000, 3)
    assert (s.retention_interview_content_days, s.retention_candidate_days, s.retention_sweep_s) == (30, 60, 10.0)
    assert s.audit_coalesce_s == 0
    models = _settings("models", "fetch", "vosk-small-en-us", "--allow-download", "--data-dir", "/tmp/m")
    assert models.allow_model_download and models.data_dir == Path("/tmp/m")
    assert not _settings("models", "list").allow_model_download


def test_every_setting_but_the_secrets_is_a_flag_with_its_default_in_the_help(capsys):
    text = " ".join(_help("serve", capsys).split())  # unwrapped
    for name, field in Settings.model_fields.items():
        env = f"INTERVIEW_{name.upper()}"
        if name in SECRETS:
            assert CLI_SUPPRESS in field.metadata
            assert f"--{name.replace('_', '-')} " not in text
            assert text.count(env) == 1  # named once, among the environment-only settings
            continue
        assert text.count(f"env {env})") == 1, name
    assert "(default: 8080; env INTERVIEW_PORT)" in text
    assert f"(default: {TurnTakingConfig.answer_end_silence_ms}; env INTERVIEW_ANSWER_END_SILENCE_MS)" in text
    assert "(default: 0.12; env INTERVIEW_ANALYSIS_CPU_BUDGET)" in text
    assert "--ice-host VALUE" in text and "--allow-download, --no-allow-download" in text
    for command in ("demo", "db", "models"):
        assert "--data-dir PATH" in _help(command, capsys)


def test_secrets_are_refused_as_flags(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--dingtalk-app-secret", "s"])
    assert "unrecognized arguments: --dingtalk-app-secret" in capsys.readouterr().err


def test_a_flag_wins_over_the_environment_which_wins_over_the_default(monkeypatch):
    assert _settings("serve").port == 8080
    monkeypatch.setenv("INTERVIEW_PORT", "9000")
    monkeypatch.setenv("INTERVIEW_ICE_HOST_ADDRESSES", '["198.51.100.1"]')
    monkeypatch.setenv("INTERVIEW_NONVERBAL_ANALYSIS", "false")
    s = _settings("serve")
    assert (s.port, s.ice_host_addresses, s.nonverbal_analysis) == (9000, ["198.51.100.1"], False)
    s = _settings("serve", "--port", "9100", "--ice-host", "127.0.0.1", "--nonverbal-analysis")
    assert (s.port, s.ice_host_addresses, s.nonverbal_analysis) == (9100, ["127.0.0.1"], True)


def test_typed_flags():
    s = _settings("serve", "--asr-models", '{"en": "vosk-small-en-us"}', "--no-smtp-starttls",
                  "--llm-timeout-s", "2.5", "--model-cache-dir", "/tmp/models")
    assert s.asr_models == {"en": "vosk-small-en-us"}
    assert s.smtp_starttls is False and s.llm_timeout_s == 2.5 and s.model_cache_dir == Path("/tmp/models")


def test_invalid_values_end_with_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["serve", "--whisper-window-margin-ms", "100"])
    assert exit_.value.code == 2
    assert "whisper_window_margin_ms" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["serve", "--port", "eighty"])
    assert exit_.value.code == 2


def test_defaults_come_from_the_one_place_that_holds_them():
    s = Settings()
    assert s.answer_end_silence_ms == TurnTakingConfig().answer_end_silence_ms
    assert s.analysis_cpu_budget == AnalysisBudget().cpu_cores
    assert s.whisper_window_margin_ms == WINDOW_MARGIN_MS
    assert s.inference_threads == inference_pool.DEFAULT_THREADS
    assert s.import_max_file_bytes == MAX_RESUME_BYTES
    manager = ModelManager("/tmp/unused")
    assert (manager.whisper_window_margin_ms, manager.inference_threads) == (WINDOW_MARGIN_MS,
                                                                             inference_pool.DEFAULT_THREADS)


def test_models_fetch_of_a_model_it_cannot_have_says_so_without_a_traceback(tmp_path, capsys):
    """`models fetch` is also compose's probe of whether the model is already there: a model it cannot provide is one
    plain line and exit 1, never a stack trace."""
    assert main(["models", "fetch", "no-such-model", "--data-dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "unknown model 'no-such-model'" in err and "Traceback" not in err
