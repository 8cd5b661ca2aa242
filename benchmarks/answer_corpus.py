"""The turn-taking benchmark's synthetic answers: English and Chinese interview answers of 2-4 sentences with 0-2
thinking pauses of known kinds, spoken with espeak-ng and cached (see ``benchmarks/turn_taking_generated.py``)."""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass, field
from pathlib import Path


from benchmarks.synthetic_media import make_speech_wav, read_wav_mono

SR = 16000
LEAD_S = 0.6
TAIL_S = 6.0

# ------------------------------------------------------------------------------------------------ corpus text
EN = {
    "situation": [
        "In my last job I worked on the payments team at a mid sized retailer.",
        "Last year our main database kept running out of disk space during peak sales.",
        "At my previous company we had a customer who was unhappy with every release.",
        "When I joined the team, nobody really owned the deployment pipeline.",
        "During my internship I was asked to clean up a slow reporting service.",
        "Two years ago our mobile app had the worst ratings in our market.",
        "On my current team we were missing almost every sprint deadline.",
        "A few months ago a key teammate left in the middle of a big migration.",
    ],
    "action": [  # (first clause, connector, continuation)
        ("I started by measuring where the time was going", "and then", "I rewrote the slowest queries myself."),
        ("I set up a weekly call with the client", "because", "they wanted to see progress early."),
        ("I wrote a short design document", "so", "the whole team could review the plan."),
        ("I paired with a senior engineer for a week", "and then", "I took over the on call rotation."),
        ("I split the work into small milestones", "and", "I reported progress every Friday."),
        ("I added monitoring to every service", "because", "we had no idea what was failing."),
        ("I talked to each person on the team", "and um", "I asked what was slowing them down."),
        ("I proposed moving the old jobs to a queue", "so", "nothing would block the checkout page."),
    ],
    "result": [
        "As a result we cut the page load time by forty percent.",
        "In the end we shipped the project two weeks ahead of schedule.",
        "The client renewed their contract for another three years.",
        "We reduced the number of support tickets by half.",
        "After that the error rate dropped to almost zero.",
        "Our rating went up from two stars to four and a half.",
    ],
    "reflection": [
        "Looking back, I would involve the testers much sooner.",
        "It taught me to write things down before I start coding.",
        "That experience made me much more careful with estimates.",
        "I still use that approach with every new project.",
    ],
    "thinking": ["Let me think.", "Hmm, let me see.", "Give me a moment."],
}
ZH = {
    "situation": [
        "我上一份工作是在一家零售公司做支付系统。",
        "去年我们的主数据库在促销期间经常磁盘不够用。",
        "在上一家公司，我们有一个客户对每次发布都不满意。",
        "我刚加入团队的时候，没有人负责部署流程。",
        "实习期间，我被安排去优化一个很慢的报表服务。",
        "两年前，我们的手机应用在市场上评分最低。",
        "我们团队当时几乎每个迭代都延期。",
        "几个月前，一个核心同事在大迁移中途离职了。",
    ],
    "action": [
        ("我先测量了时间都花在哪里", "，然后", "我自己重写了最慢的几个查询。"),
        ("我每周和客户开一次会", "，因为", "他们希望尽早看到进展。"),
        ("我写了一份简短的设计文档", "，所以", "整个团队都可以评审方案。"),
        ("我跟一位资深工程师结对了一周", "，然后", "我接手了值班工作。"),
        ("我把工作拆成了几个小的里程碑", "，还有", "每周五汇报一次进度。"),
        ("我给每个服务都加了监控", "，因为", "我们根本不知道哪里出了问题。"),
        ("我和团队里每个人都聊了一下", "，就是", "问他们什么在拖慢进度。"),
        ("我提议把旧的任务放到队列里", "，所以", "结账页面就不会被阻塞。"),
    ],
    "result": [
        "结果页面加载时间减少了百分之四十。",
        "最终我们提前两周上线了这个项目。",
        "客户又续签了三年的合同。",
        "我们把客服工单数量减少了一半。",
        "之后错误率几乎降到了零。",
        "我们的评分从两星提升到了四星半。",
    ],
    "reflection": [
        "回头看，我会更早让测试同事参与进来。",
        "这件事让我养成了先写文档再写代码的习惯。",
        "这段经历让我在做估算时更加谨慎。",
        "现在每个新项目我都还在用这个方法。",
    ],
    "thinking": ["让我想想。", "嗯，让我想一想。", "稍等一下。"],
}


@dataclass
class Answer:
    id: str
    lang: str
    script: list  # str | float, as for make_speech_wav
    pauses: list[tuple[int, str, float]] = field(default_factory=list)  # (script index of the pause, kind, s)


def make_answer(rng: random.Random, lang: str, idx: int) -> Answer:
    bank = EN if lang == "en" else ZH
    n_sent = rng.choice([2, 3, 3, 4])
    sents: list[list[str]] = [[rng.choice(bank["situation"])]]  # each sentence: 1 part, or 2 parts if splittable
    actions = rng.sample(bank["action"], 2)
    has_result = rng.random() < 0.75
    body = ["action"] * (n_sent - 1 - int(has_result))
    if len(body) == 0 and not has_result:
        body = ["action"]
    if len(body) > 2:
        body = body[:2] + ["reflection"]
    for i, kind in enumerate(body):
        if kind == "action":
            a, conn, b = actions[i]
            sents.append([f"{a} {conn}" if lang == "en" else a + conn, b])
        else:
            sents.append([rng.choice(bank["reflection"])])
    if has_result:
        sents.append([rng.choice(bank["result"])])
        if n_sent >= 4 and rng.random() < 0.4:
            sents.append([rng.choice(bank["reflection"])])
    sents = sents[:4]
    # thinking-pause slots: inside an action (after its connector), between sentences, after "let me think"
    slots = [("unfinished", i) for i, s in enumerate(sents) if len(s) == 2]
    slots += [("between", i) for i in range(len(sents) - 1)]
    slots += [("thinking", i) for i in range(len(sents) - 1)]
    n_pauses = rng.choices([0, 1, 2], weights=[25, 45, 30])[0]
    weights = {"unfinished": 45, "between": 35, "thinking": 20}
    chosen: list[tuple[str, int]] = []
    for _ in range(n_pauses):
        free = [s for s in slots if s[1] not in [c[1] for c in chosen]]
        if not free:
            break
        kinds = sorted({k for k, _ in free})
        kind = rng.choices(kinds, weights=[weights[k] for k in kinds])[0]
        chosen.append(rng.choice([s for s in free if s[0] == kind]))
    script: list = [LEAD_S]
    pauses: list[tuple[int, str, float]] = []
    for i, parts in enumerate(sents):
        pick = {c[0] for c in chosen if c[1] == i}
        if len(parts) == 2 and "unfinished" in pick:
            script.append(parts[0] + ("..." if lang == "en" else ""))
            d = round(rng.uniform(0.8, 2.5), 2)
            pauses.append((len(script), "unfinished", d))
            script += [d, parts[1]]
        else:
            if len(parts) == 2:
                joined = f"{parts[0]} {parts[1]}" if lang == "en" else parts[0] + parts[1]
            else:
                joined = parts[0]
            script.append(joined)
        if i == len(sents) - 1:
            break
        if "thinking" in pick:
            script += [round(rng.uniform(0.15, 0.4), 2), rng.choice(bank["thinking"])]
            d = round(rng.uniform(0.8, 2.5), 2)
            pauses.append((len(script), "thinking", d))
            script.append(d)
        elif "between" in pick:
            d = round(rng.uniform(0.8, 2.5), 2)
            pauses.append((len(script), "between", d))
            script.append(d)
        else:
            script.append(round(rng.uniform(0.15, 0.45), 2))
    script.append(TAIL_S)
    return Answer(f"{lang}{idx:03d}", lang, script, pauses)


def build_corpus(n_en: int, n_zh: int, seed: int) -> list[Answer]:
    rng = random.Random(seed)
    return [make_answer(rng, "en", i) for i in range(n_en)] + [make_answer(rng, "zh", i) for i in range(n_zh)]


def synthesize(ans: Answer, cache: Path):
    key = hashlib.sha1(json.dumps([ans.lang, ans.script], ensure_ascii=False).encode()).hexdigest()[:16]
    wav = cache / f"{ans.id}-{key}.wav"
    meta = wav.with_suffix(".json")
    if wav.exists() and meta.exists():
        return read_wav_mono(wav)[0], json.loads(meta.read_text())
    tl = make_speech_wav(wav, ans.script, voice="en-us" if ans.lang == "en" else "cmn", rate=SR)
    parts = [{"text": p.text, "start": p.start_s, "end": p.end_s} for p in tl.parts]
    meta.write_text(json.dumps(parts, ensure_ascii=False))
    return read_wav_mono(wav)[0], parts


# ------------------------------------------------------------------------------------------ recognition trace
