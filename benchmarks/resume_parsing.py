"""Resume parsing on a labelled set nobody wrote for the parser: the set's own scorer decides.

    python -m benchmarks.resume_parsing --resumes DIR --labels FILE [--predictions OUT.json] [--path rules]
                                        [--scorer score_resumes.py] [--as-of YYYY-MM]
                                        [--path model [--llm-engine embedded|URL]]

Every file of ``--resumes`` (PDF, DOCX, text, Markdown) is read by the product's parser
(``analyzers.documents.resume_parser.parse_resume``, as the import path calls it) and turned into a profile in
the set's label schema (``DOCUMENTS.md``: name, email, phone, city, education, experience, skills,
years_experience, team_size_led, quantified_results, languages), keyed by file name. The profiles go to
``--predictions`` (default: a temp file), the set's scorer runs on them and its JSON is printed as the last line
of stdout, with a ``benchmark`` block: the path, parse failures and resumes per minute per core (CPU time of the
parsing calls, so a busy machine does not flatter or punish it).

The labels file is read for one thing only: its ``as_of`` month, the date "present" is counted to (years of
experience are measured to it), unless ``--as-of`` is given.

Paths: ``rules`` (the rule-based parser, the no-model mode); ``model`` (the rules, then the language model for
the fields they left empty, every value checked against the text: ``analyzers.documents.model_fill``; the embedded
engine is started by the benchmark, or ``--llm-engine URL`` uses a running one). A path is a function ``bytes,
file name, as-of date -> ResumeProfile`` in ``PATHS``; another reader plugs in there. For the model path the CPU
time counts the embedded engine's process too, and the ``benchmark`` block says what the model was asked, what it
filled and how many of its values the text did not contain (dropped). ``--model-gaps`` empties parts of the
rules' reading first, to measure the model where it would be asked (``benchmarks.document_model``).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import math
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analyzers.documents.resume_file import ResumeError
from analyzers.documents.resume_parser import parse_resume
from analyzers.documents.resume_profile import ResumeProfile
from benchmarks.document_model import DEFAULT_MODEL_NAME, GAPS, ModelPath, model_resume

SCORING_DIR = Path(__file__).resolve().parents[2] / "shared" / "dev-data" / "scoring"
DEFAULT_SCORER = SCORING_DIR / "score_resumes.py"
RESUME_SUFFIXES = (".pdf", ".docx", ".txt", ".md", ".markdown", ".text")

Reader = Callable[[bytes, str, dt.date], ResumeProfile]


def _rules(data: bytes, filename: str, today: dt.date) -> ResumeProfile:
    return parse_resume(data, filename, today=today)


PATHS: dict[str, Reader] = {"rules": _rules, "model": model_resume}


def as_of_date(labels: Path | None, as_of: str | None) -> dt.date:
    """The month "present" counts to: ``--as-of``, else the labels' ``as_of``, else today."""
    value = as_of
    if value is None and labels is not None and labels.exists():
        value = json.loads(labels.read_text(encoding="utf-8")).get("as_of")
    if not value:
        return dt.date.today()
    y, m = (int(x) for x in str(value)[:7].split("-"))
    return dt.date(y, m, 1)


def resume_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in RESUME_SUFFIXES)


def profile_prediction(p: ResumeProfile) -> dict[str, Any]:
    """A profile in the set's label schema (DOCUMENTS.md)."""
    years = p.years_experience.value if p.years_experience else None
    return {
        "name": p.name.value if p.name else None,
        "email": p.email.value if p.email else None,
        "phone": p.mobile.value if p.mobile else None,
        "city": p.city.value if p.city else None,
        "education": [{"school": e.school.value, "degree": e.degree.source if e.degree else None,
                       "degree_level": e.degree.value if e.degree else None,
                       "major": e.major.value if e.major else None, "start": e.start, "end": e.end}
                      for e in p.education],
        "experience": [{"company": w.company.value, "title": w.title.value if w.title else None,
                        "start": w.start, "end": w.end, **({"type": w.kind} if w.kind != "full_time" else {})}
                       for w in p.work_experience],
        "skills": [s.value for s in p.skills],
        "years_experience": None if years is None else math.floor(float(years) + 1e-9),
        "team_size_led": p.team_size_led.value if p.team_size_led else None,
        "quantified_results": [q.value for q in p.quantified_results],
        "languages": [s.value for s in p.languages],
    }


@dataclass(frozen=True)
class ParsedSet:
    profiles: dict[str, ResumeProfile]
    failures: dict[str, str]  # file -> "code: message"
    cpu_s: float
    wall_s: float

    @property
    def per_minute_per_core(self) -> float:
        n = len(self.profiles) + len(self.failures)
        return round(60.0 * n / self.cpu_s, 1) if self.cpu_s > 0 else 0.0


def parse_folder(folder: Path, path: str, today: dt.date,
                 cpu_clock: Callable[[], float] = time.process_time) -> ParsedSet:
    """Every resume of ``folder`` read by the path's reader; unreadable files are failures, not crashes.
    ``cpu_clock``: the CPU seconds the reading costs (the model path adds its engine's)."""
    reader = PATHS[path]
    profiles: dict[str, ResumeProfile] = {}
    failures: dict[str, str] = {}
    cpu = wall = 0.0
    files = resume_files(folder)
    for n, f in enumerate(files, 1):
        if path != "rules":  # seconds per resume: say where it is
            print(f"... resume {n} of {len(files)}: {f.name}", file=sys.stderr, flush=True)
        data = f.read_bytes()
        c0, w0 = cpu_clock(), time.perf_counter()
        try:
            profiles[f.name] = reader(data, f.name, today)
        except ResumeError as e:
            failures[f.name] = f"{e.code}: {e.message}"
        cpu += cpu_clock() - c0
        wall += time.perf_counter() - w0
    return ParsedSet(profiles, failures, cpu, wall)


def run_scorer(scorer: Path, predictions: Path, labels: Path) -> dict[str, Any]:
    """Run a dev-set scorer; its readable table goes to stderr, its JSON (last stdout line) is returned."""
    run = subprocess.run([sys.executable, str(scorer), str(predictions), str(labels)], capture_output=True,
                         text=True)
    if run.returncode != 0:
        raise SystemExit(f"scorer failed ({run.returncode}):\n{run.stdout}{run.stderr}")
    lines = run.stdout.strip().splitlines()
    print("\n".join(lines[:-1]), file=sys.stderr)
    return json.loads(lines[-1])


def add_model_arguments(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--llm-engine", default="embedded",
                    help="model path: 'embedded' (start the llama.cpp engine) or an OpenAI-compatible base URL")
    ap.add_argument("--llm-model", default=DEFAULT_MODEL_NAME, help="model name at --llm-engine")
    ap.add_argument("--model-gaps", default="", help="model path, to measure the model where it would be asked: "
                    f"empty these parts of the rules' reading first (comma-separated: {', '.join(GAPS)})")


@contextlib.contextmanager
def model_path(args: argparse.Namespace) -> Iterator[ModelPath | None]:
    """The model path's engine and client for ``--path model`` (started and stopped here); None for the rules."""
    if args.path != "model":
        yield None
        return
    gaps = frozenset(g.strip() for g in args.model_gaps.split(",") if g.strip())
    with ModelPath(args.llm_engine, args.llm_model, gaps=gaps) as model:
        yield model


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--resumes", required=True, type=Path, help="folder of resume files")
    ap.add_argument("--labels", required=True, type=Path, help="the set's resumes labels.json")
    ap.add_argument("--predictions", type=Path, help="where to write the profiles (default: a temp file)")
    ap.add_argument("--path", choices=sorted(PATHS), default="rules")
    ap.add_argument("--scorer", type=Path, default=DEFAULT_SCORER, help="the set's score_resumes.py")
    ap.add_argument("--as-of", help="YYYY-MM that 'present' counts to (default: the labels' as_of)")
    add_model_arguments(ap)
    args = ap.parse_args(argv)

    with model_path(args) as model:
        parsed = parse_folder(args.resumes, args.path, as_of_date(args.labels, args.as_of),
                              model.cpu_s if model else time.process_time)
    predictions = {name: profile_prediction(p) for name, p in parsed.profiles.items()}
    pred_path = args.predictions or Path(tempfile.mkstemp(prefix="resume-profiles-", suffix=".json")[1])
    pred_path.write_text(json.dumps(predictions, ensure_ascii=False, indent=1), encoding="utf-8")
    report = run_scorer(args.scorer, pred_path, args.labels)
    report["benchmark"] = {"path": args.path, "predictions": str(pred_path), "resumes": len(predictions),
                           "parse_failures": parsed.failures,
                           "resumes_per_minute_per_core": parsed.per_minute_per_core,
                           "parse_wall_s": round(parsed.wall_s, 2)}
    if model is not None:
        report["benchmark"]["model"] = model.summary()
    print(json.dumps(report, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
