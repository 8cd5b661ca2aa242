"""Requirement extraction and candidate ranking on a labelled set of job descriptions and resumes: the set's own
scorer decides.

    python -m benchmarks.job_matching --jobs DIR --resumes DIR --labels FILE [--predictions OUT.json]
                                      [--path rules|model] [--llm-engine embedded|URL]
                                      [--scorer score_matching.py] [--as-of YYYY-MM]

Each job description (``*.txt`` / ``*.md`` of ``--jobs``) is read by ``extract_requirements``; every resume of
``--resumes`` is parsed once (:mod:`benchmarks.resume_parsing`) and ranked against each job by
``job_matching.rank`` with the multilingual sentence encoder, as the HR page's match list does. The predictions
(``DOCUMENTS.md``: ``requirements`` — the must-have and nice-to-have texts per job; ``rankings`` — file names best
first; ``verdicts`` — met / partly / missing per labelled must-have id) go to ``--predictions`` and the scorer's
JSON is printed as the last line of stdout, with a ``benchmark`` block.

Verdicts are keyed by the labels' must-have ids: the labels file is read to align each labelled must-have with
the extracted must-have(s) whose text it contains or is contained in (the scorer's own hit rule); the verdict is
the worst status among them, none when no extracted must-have hits it. Nothing else of the labels is read, except
``as_of`` ("present" is counted to it, in the resumes' own years and in the matcher's years of a kind of work,
unless ``--as-of`` is given).

Paths: ``rules`` (the rule-based resume reader and requirement extraction); ``model`` (the rules, then the
language model where they are unsure: a resume's empty fields, a description without a must-have heading they
know; see ``analyzers.documents.model_fill``). ``PATHS`` maps a path to its job description reader, and
:data:`benchmarks.resume_parsing.PATHS` to its resume reader.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

from analyzers.documents.job_matching import rank
from analyzers.documents.job_requirements import JobRequirements, extract_requirements
from analyzers.documents.match_result import MatchResult
from benchmarks.resume_parsing import PATHS as RESUME_PATHS
from benchmarks.document_model import model_requirements
from benchmarks.resume_parsing import SCORING_DIR, add_model_arguments, as_of_date, model_path, parse_folder, run_scorer

DEFAULT_SCORER = SCORING_DIR / "score_matching.py"
JOB_SUFFIXES = (".txt", ".md", ".markdown", ".text")

PATHS: dict[str, Callable[[str], JobRequirements]] = {"rules": lambda text: extract_requirements(text),
                                                      "model": model_requirements}

_STATUS_ORDER = {"missing": 0, "partly": 1, "met": 2}


def text_key(s: str) -> str:
    """The scorer's comparison key: NFKC, case-folded, without whitespace, punctuation and symbols."""
    s = unicodedata.normalize("NFKC", str(s)).casefold()
    return "".join(ch for ch in s if unicodedata.category(ch)[0] not in "PSZC")


def hits(a: str, b: str) -> bool:
    a, b = text_key(a), text_key(b)
    return bool(a) and bool(b) and (a in b or b in a)


def requirement_texts(reqs: JobRequirements) -> dict[str, list[str]]:
    """The must-have and nice-to-have requirements as written, each once."""
    return {"must_have": list(dict.fromkeys(r.line or r.text for r in reqs.must_haves)),
            "nice_to_have": list(dict.fromkeys(r.line or r.text for r in reqs.nice_to_haves))}


def verdicts_for(result: MatchResult, labelled: list[dict[str, Any]], lines: dict[str, str]) -> dict[str, str]:
    """Per labelled must-have id, the worst status among the extracted must-haves whose line (``lines``:
    requirement id -> the JD line it was read from) hits its text."""
    out = {}
    for lab in labelled:
        statuses = [it.status for it in result.items if it.must_have and hits(lines.get(it.requirement_id, it.requirement), lab["text"])]
        if statuses:
            out[lab["id"]] = min(statuses, key=_STATUS_ORDER.__getitem__)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--jobs", required=True, type=Path, help="folder of job descriptions")
    ap.add_argument("--resumes", required=True, type=Path, help="folder of resume files")
    ap.add_argument("--labels", required=True, type=Path, help="the set's jobs labels.json")
    ap.add_argument("--predictions", type=Path, help="where to write the predictions (default: a temp file)")
    ap.add_argument("--path", choices=sorted(set(PATHS) & set(RESUME_PATHS)), default="rules")
    ap.add_argument("--scorer", type=Path, default=DEFAULT_SCORER, help="the set's score_matching.py")
    ap.add_argument("--as-of", help="YYYY-MM that 'present' counts to (default: the labels' as_of)")
    ap.add_argument("--no-embedder", action="store_true", help="lexical matching only (no sentence encoder)")
    add_model_arguments(ap)
    args = ap.parse_args(argv)

    labels = json.loads(args.labels.read_text(encoding="utf-8"))
    embedder = None
    if not args.no_embedder:
        from analyzers.embeddings import load_multilingual_use
        embedder = load_multilingual_use()

    preds: dict[str, dict[str, Any]] = {"requirements": {}, "rankings": {}, "verdicts": {}}
    jobs = sorted(p for p in args.jobs.iterdir() if p.is_file() and p.suffix.lower() in JOB_SUFFIXES)
    with model_path(args) as model:
        as_of = as_of_date(args.labels, args.as_of)
        parsed = parse_folder(args.resumes, args.path, as_of, model.cpu_s if model else time.process_time)
        t0 = time.perf_counter()
        for job in jobs:
            reqs = PATHS[args.path](job.read_text(encoding="utf-8"))
            preds["requirements"][job.name] = requirement_texts(reqs)
            results = rank(parsed.profiles.items(), reqs, embedder, today=as_of)
            preds["rankings"][job.name] = [r.candidate_id for r in results]
            labelled = labels.get("jobs", {}).get(job.name, {}).get("must_have", [])
            lines = {r.id: r.line or r.text for r in reqs.requirements}
            preds["verdicts"][job.name] = {r.candidate_id: verdicts_for(r, labelled, lines) for r in results}
        match_s = time.perf_counter() - t0

    pred_path = args.predictions or Path(tempfile.mkstemp(prefix="job-matching-", suffix=".json")[1])
    pred_path.write_text(json.dumps(preds, ensure_ascii=False, indent=1), encoding="utf-8")
    report = run_scorer(args.scorer, pred_path, args.labels)
    report["benchmark"] = {"path": args.path, "predictions": str(pred_path), "jobs": len(jobs),
                           "resumes": len(parsed.profiles), "parse_failures": parsed.failures,
                           "resumes_per_minute_per_core": parsed.per_minute_per_core,
                           "match_wall_s": round(match_s, 2), "embedder": embedder is not None}
    if model is not None:
        report["benchmark"]["model"] = model.summary()
    print(json.dumps(report, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
