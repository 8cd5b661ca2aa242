"""Resume parser benchmark: field-level precision / recall / F1 over the labelled synthetic fixtures; prints ONE JSON
object.

    python -m benchmarks.resume_generated [--per-language 20] [--seed 7] [--dir DIR] [--errors]

Fixtures come from :mod:`benchmarks.resume_fixtures` (generated into a temp dir unless --dir is given; they are cheap
to regenerate and the years-of-experience labels depend on today's date). Matching per field:

* scalars (name, mobile, email, city, team_size, latest_company, latest_title): exact after normalisation (case-fold,
  whitespace / punctuation removed; mobile is compared as E.164); years_experience matches within 0.5 years. A wrong
  value counts as one false positive and one false negative; a missing value as one false negative.
* lists (skills, certificates, languages, industries, education_school / _degree / _major / _dates,
  work_company / _title / _dates): set overlap of normalised values per resume; TP = |pred ∩ gold|.
* quantified_results: set overlap of quantity tokens ("35%", "$2m", "千万级") found in the predicted phrases vs the
  labelled tokens.

Micro F1 sums TP / FP / FN over every field and resume; per-language and per-format figures are micro F1 over the
resumes of that language / format. Parse time is wall time of ``parse_resume`` per file (bytes already in memory).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analyzers.documents.resume_file import ResumeError  # noqa: E402
from analyzers.documents.resume_parser import parse_resume, quantity_tokens  # noqa: E402
from benchmarks.resume_fixtures import generate_fixtures  # noqa: E402


def norm(s) -> str:
    return re.sub(r"[\s\W_]+", "", str(s).casefold())


def predicted(profile) -> dict:
    w = profile.work_experience
    return {
        "name": profile.name.value if profile.name else None,
        "mobile": profile.mobile.value if profile.mobile else None,
        "email": profile.email.value if profile.email else None,
        "city": profile.city.value if profile.city else None,
        "years_experience": profile.years_experience.value if profile.years_experience else None,
        "team_size": profile.team_size_led.value if profile.team_size_led else None,
        "latest_company": w[0].company.value if w else None,
        "latest_title": w[0].title.value if w and w[0].title else None,
        "education_school": [e.school.value for e in profile.education],
        "education_degree": [e.degree.value for e in profile.education if e.degree],
        "education_major": [e.major.value for e in profile.education if e.major],
        "education_dates": [f"{e.start}/{e.end}" for e in profile.education],
        "work_company": [x.company.value for x in w],
        "work_title": [x.title.value for x in w if x.title],
        "work_dates": [f"{x.start}/{x.end}" for x in w],
        "skills": [s.value for s in profile.skills],
        "certificates": [s.value for s in profile.certificates],
        "languages": [s.value for s in profile.languages],
        "industries": [s.value for s in profile.industries],
        "quantified_results": sorted({t for q in profile.quantified_results for t in quantity_tokens(q.value)}),
    }


def gold(labels: dict) -> dict:
    w = labels["work"]
    return {
        "name": labels["name"], "mobile": labels["mobile"], "email": labels["email"], "city": labels["city"],
        "years_experience": labels["years_experience"], "team_size": labels["team_size"],
        "latest_company": w[0]["company"], "latest_title": w[0]["title"],
        "education_school": [e["school"] for e in labels["education"]],
        "education_degree": [e["degree"] for e in labels["education"]],
        "education_major": [e["major"] for e in labels["education"]],
        "education_dates": [f"{e['start']}/{e['end']}" for e in labels["education"]],
        "work_company": [x["company"] for x in w], "work_title": [x["title"] for x in w],
        "work_dates": [f"{x['start']}/{x['end']}" for x in w],
        "skills": labels["skills"], "certificates": labels["certificates"], "languages": labels["languages"],
        "industries": labels["industries"],
        "quantified_results": sorted({t for q in labels["quantified"] for t in quantity_tokens(q)}),
    }


SCALARS = ("name", "mobile", "email", "city", "years_experience", "team_size", "latest_company", "latest_title")


def score(pred: dict, gt: dict) -> dict[str, tuple[int, int, int]]:
    out = {}
    for f, g in gt.items():
        p = pred.get(f)
        if f in SCALARS:
            if g is None:
                out[f] = (0, int(p is not None), 0)
                continue
            if p is None:
                out[f] = (0, 0, 1)
                continue
            ok = abs(float(p) - float(g)) <= 0.5 if f == "years_experience" else norm(p) == norm(g)
            out[f] = (1, 0, 0) if ok else (0, 1, 1)
        else:
            ps, gs = {norm(x) for x in p or []}, {norm(x) for x in g or []}
            tp = len(ps & gs)
            out[f] = (tp, len(ps) - tp, len(gs) - tp)
    return out


def prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else (1.0 if not fn else 0.0)
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "tp": tp, "fp": fp, "fn": fn}


def run(fixtures, show_errors: bool = False) -> dict:
    fields: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    by_lang: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    by_fmt: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    total = [0, 0, 0]
    times, failures, errors = [], [], []
    for path, labels in fixtures:
        data = Path(path).read_bytes()
        t0 = time.perf_counter()
        try:
            profile = parse_resume(data, Path(path).name)
            pred = predicted(profile)
        except ResumeError as e:
            failures.append({"file": Path(path).name, "code": e.code, "message": e.message})
            pred = {}
        times.append((time.perf_counter() - t0) * 1000)
        gt = gold(labels)
        for f, (tp, fp, fn) in score(pred, gt).items():
            for acc in (fields[f], total, by_lang[labels["language"]], by_fmt[labels["format"]]):
                acc[0] += tp
                acc[1] += fp
                acc[2] += fn
            if (fp or fn) and show_errors:
                errors.append({"file": Path(path).name, "field": f, "pred": pred.get(f), "gold": gt[f]})
    times.sort()
    result = {
        "resumes": len(fixtures),
        "languages": {k: sum(1 for _, lb in fixtures if lb["language"] == k) for k in ("zh", "en")},
        "formats": {k: sum(1 for _, lb in fixtures if lb["format"] == k) for k in ("pdf", "docx", "txt")},
        "parse_failures": failures,
        "micro": prf(*total),
        "per_language_f1": {k: prf(*v)["f1"] for k, v in sorted(by_lang.items())},
        "per_format_f1": {k: prf(*v)["f1"] for k, v in sorted(by_fmt.items())},
        "fields": {k: prf(*v) for k, v in fields.items()},
        "parse_ms": {"p50": round(statistics.median(times), 2),
                     "p95": round(times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))], 2),
                     "max": round(times[-1], 2), "mean": round(statistics.fmean(times), 2)},
    }
    if show_errors:
        result["errors"] = errors
    return result


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-language", type=int, default=20)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--dir", default=None, help="write fixtures here instead of a temp dir")
    ap.add_argument("--errors", action="store_true", help="list every mismatch")
    args = ap.parse_args(argv)
    if args.dir:
        fixtures = generate_fixtures(args.dir, args.per_language, args.seed)
        result = run(fixtures, args.errors)
    else:
        with tempfile.TemporaryDirectory(prefix="resume_fixtures_") as d:
            fixtures = generate_fixtures(d, args.per_language, args.seed)
            result = run(fixtures, args.errors)
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
