"""Bulk candidate import over the HTTP API, on SQLite and PostgreSQL: a zip of mixed good and bad resumes, re-uploads
that find duplicates, CSV lists (GB18030 from Chinese Excel, UTF-8 with a zip of resume files), the limits (zip bomb,
oversized upload, too many files), clear refusals, and imports marked interrupted when their server died before any
node could resume them (resumed imports: tests/test_imports_resume.py)."""

from __future__ import annotations

import asyncio
import io
import json
import struct
import zipfile
from datetime import timedelta

import aiohttp
import pytest
from sqlalchemy import text, update

from benchmarks.resume_fixtures import generate_fixtures
from server.storage.models import BackgroundJob, utcnow
from tests.bad_documents import BROKEN_PDF, scanned_pdf
from tests.harness import running_server

pytestmark = pytest.mark.unit

STEP_TIMEOUT = 60.0

LI_LEI = """李雷
手机：13912345678  邮箱：lilei@example.com
工作经历
2019.03 - 至今  腾讯  后端工程师
负责支付系统，使用 Go 和 MySQL。
教育背景
2015.09 - 2019.06  南京大学  软件工程  本科
"""


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory):
    """Six generated resumes with their labels: Chinese and English, PDF, DOCX and text (one text file GB18030)."""
    return generate_fixtures(tmp_path_factory.mktemp("resumes"), n_per_language=3, seed=7)


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(200) + b"This program cannot be run in DOS mode."
BAD = {"bad/broken.pdf": ("broken_file", BROKEN_PDF), "bad/scan.pdf": ("scanned", None),
       "bad/setup.pdf": ("unsupported_type", EXE), "bad/empty.txt": ("empty", b"")}


def gbk_name(data: bytes, placeholder: str, name: str) -> bytes:
    """Rename an entry to a GBK-encoded name without the UTF-8 flag, as zips made on Chinese Windows are."""
    raw = name.encode("gbk")
    assert len(raw) == len(placeholder.encode())
    return data.replace(placeholder.encode(), raw)


def mixed_zip(fixtures) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for path, labels in fixtures:
            z.write(path, f"候选人/{labels['language']}/2024/{path.name}")  # nested folders, a Chinese folder name
        for name, (_, data) in BAD.items():
            z.writestr(name, data if data is not None else scanned_pdf())
        z.writestr("../../outside/XXXXXXXX.txt", LI_LEI.encode())  # traversal name: harmless, nothing is written by it
        z.writestr("__MACOSX/候选人/._zh_00.pdf", b"\x00\x05\x16\x07 resource fork")
        z.writestr("候选人/.DS_Store", b"\x00\x00\x00\x01Bud1")
    return gbk_name(buf.getvalue(), "XXXXXXXX.txt", "李雷简历.txt")


def form(*files: tuple[str, bytes, str]) -> aiohttp.FormData:
    f = aiohttp.FormData()
    for name, data, ctype in files:
        f.add_field("file", data, filename=name, content_type=ctype)
    return f


async def start(http, job_id, *files, status=202) -> dict:
    async with http.post(f"/api/v1/jobs/{job_id}/imports", data=form(*files)) as r:
        body = await r.json()
        assert r.status == status, body
        return body


async def finished(http, import_id, timeout=STEP_TIMEOUT) -> dict:
    deadline = asyncio.get_running_loop().time() + timeout
    seen_done = []
    while True:
        d = await (await http.get(f"/api/v1/imports/{import_id}")).json()
        seen_done.append(d["done"])
        if d["status"] not in ("pending", "running"):
            assert seen_done == sorted(seen_done), seen_done  # progress only moves forward
            return d
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"import still {d['status']} after {timeout} s: {d}")
        await asyncio.sleep(0.1)


async def test_zip_of_good_and_bad_resumes_then_the_same_zip_again(db_url, tmp_path, fixtures):
    data = mixed_zip(fixtures)
    async with running_server(db_url, tmp_path) as h, h.hr_client() as http:
        started = await start(http, h.job_id, ("resumes.zip", data, "application/zip"))
        assert started["status"] in ("pending", "running") and started["source"] == "zip"
        total = len(fixtures) + len(BAD) + 1
        assert started["total"] == total and len(started["items"]) == total  # junk (__MACOSX, .DS_Store) skipped
        assert all(i["status"] == "pending" for i in started["items"])

        run = await finished(http, started["id"])
        assert run["status"] == "done" and run["error"] is None and run["finished_at"]
        assert (run["total"], run["done"], run["created"], run["duplicate"], run["failed"]) == (
            total, total, len(fixtures) + 1, 0, len(BAD))
        items = {i["filename"]: i for i in run["items"]}
        for path, labels in fixtures:
            item = items[f"候选人/{labels['language']}/2024/{path.name}"]
            assert item["status"] == "created" and item["name"] == labels["name"], item
            assert item["error"] is None and item["candidate_id"]
        for name, (code, _) in BAD.items():
            assert items[name]["status"] == "failed" and items[name]["candidate_id"] is None, items[name]
            assert items[name]["error"]["code"] == code and items[name]["error"]["message"], items[name]
        assert "OCR" in items["bad/scan.pdf"]["error"]["message"]
        li = items["../../outside/李雷简历.txt"]  # the GBK name is shown as written
        assert li["status"] == "created" and li["name"] == "李雷"
        assert not (tmp_path.parent / "outside").exists() and not (tmp_path / "outside").exists()

        # Exactly the good resumes are stored, each with the parsed name and e-mail.
        stored = {c.name: (c.email, r.filename) for r, c in await h.ctx.store.matching.resumes(h.job_id)}
        expected = {labels["name"]: labels["email"] for _, labels in fixtures} | {"李雷": "lilei@example.com"}
        assert {n: e for n, (e, _) in stored.items()} == expected
        first_ids = {i["filename"]: i["candidate_id"] for i in run["items"] if i["status"] == "created"}

        # The same zip again: every good file is a duplicate of the candidate already there; nothing is stored.
        again = await finished(http, (await start(http, h.job_id, ("resumes.zip", data, "application/zip")))["id"])
        assert (again["created"], again["duplicate"], again["failed"]) == (0, len(fixtures) + 1, len(BAD))
        for item in again["items"]:
            if item["status"] == "duplicate":
                assert item["candidate_id"] == first_ids[item["filename"]]
                assert item["error"]["code"] == "duplicate" and "already a candidate" in item["error"]["message"]
        assert len(await h.ctx.store.matching.resumes(h.job_id)) == len(fixtures) + 1

        # Both runs are listed for the job, newest first, with their counts.
        runs = (await (await http.get(f"/api/v1/jobs/{h.job_id}/imports")).json())["imports"]
        assert [r["id"] for r in runs] == [again["id"], run["id"]] and runs[1]["created"] == len(fixtures) + 1
        # The single-file upload uses the same storing path: the same resume again is a duplicate there too.
        up = aiohttp.FormData()
        up.add_field("files", LI_LEI.encode(), filename="lilei.txt", content_type="text/plain")
        res = (await (await http.post(f"/api/v1/jobs/{h.job_id}/resumes", data=up)).json())["results"]
        assert res[0]["ok"] is False and res[0]["error"]["code"] == "duplicate" and res[0]["name"] == "李雷"
        assert len(await h.ctx.store.matching.resumes(h.job_id)) == len(fixtures) + 1


GB_CSV = """姓名,邮箱,手机,简历
张三,zhangsan@example.com,13812345678,"工作经历
2018.07 - 至今  阿里巴巴  高级后端工程师
负责订单系统，Python 和 Kubernetes。
教育背景
2014.09 - 2018.06  浙江大学  计算机科学与技术  本科"
李四,,139 1234 5679,
王五,wangwu@,13712345670,
赵六,zhaoliu@example.com,1.38123E+10,
张三丰,zhangsanfeng@example.com,13812345678,
,,,
欧阳娜娜,ouyang@example.com,,
"""


async def test_gb18030_csv_with_chinese_names(db_url, tmp_path):
    async with running_server(db_url, tmp_path) as h, h.hr_client() as http:
        started = await start(http, h.job_id, ("候选人名单.csv", GB_CSV.encode("gb18030"), "application/vnd.ms-excel"))
        assert started["source"] == "csv" and started["total"] == 6  # the blank row is not a candidate
        run = await finished(http, started["id"])
        items = {i["filename"]: i for i in run["items"]}
        assert list(items) == [f"候选人名单.csv row {n}" for n in (2, 3, 4, 5, 6, 8)]  # as a spreadsheet numbers them
        zhang, li, wang, zhao, feng, ouyang = run["items"]
        assert (zhang["status"], zhang["name"]) == ("created", "张三")
        assert (li["status"], li["name"]) == ("created", "李四")
        assert wang["status"] == "failed" and wang["error"]["code"] == "invalid_email" and wang["name"] == "王五"
        assert zhao["status"] == "failed" and zhao["error"]["code"] == "invalid_phone"
        assert "scientific notation" in zhao["error"]["message"]
        # Same phone as 张三 (written differently): the same person for this job.
        assert feng["status"] == "duplicate" and feng["candidate_id"] == zhang["candidate_id"]
        assert (ouyang["status"], ouyang["name"]) == ("created", "欧阳娜娜")
        assert (run["created"], run["duplicate"], run["failed"]) == (3, 1, 2)

        stored = {c.name: (c.email, r.profile) for r, c in await h.ctx.store.matching.resumes(h.job_id)}
        assert set(stored) == {"张三", "李四", "欧阳娜娜"}
        assert stored["张三"][0] == "zhangsan@example.com" and "阿里巴巴" in stored["张三"][1]["text"]
        assert stored["张三"][1]["mobile"]["value"] == "+8613812345678"
        assert stored["张三"][1]["work_experience"][0]["company"]["value"] == "阿里巴巴"
        assert stored["李四"][1]["mobile"]["value"] == "+8613912345679"


async def test_csv_naming_files_in_an_accompanying_zip(sqlite_url, tmp_path, fixtures):
    zh_pdf, labels = next((p, lb) for p, lb in fixtures if lb["language"] == "zh" and lb["format"] == "pdf")
    en_txt, en_labels = next((p, lb) for p, lb in fixtures if lb["language"] == "en" and lb["format"] == "txt")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.write(zh_pdf, f"简历/{zh_pdf.name}")
        z.write(en_txt, f"other/{en_txt.name}")  # no row names it: imported on its own
    csv_text = ("Name,E-mail,Mobile,Resume\r\n"
                f"Wei Zhang,wei@example.com,+86 138 0013 8000,{zh_pdf.name}\r\n"
                "Ghost,ghost@example.com,,missing.pdf\r\n")
    async with running_server(sqlite_url, tmp_path) as h, h.hr_client() as http:
        started = await start(http, h.job_id, ("people.csv", b"\xef\xbb\xbf" + csv_text.encode(), "text/csv"),
                              ("resumes.zip", buf.getvalue(), "application/zip"))
        assert started["source"] == "csv+zip" and started["total"] == 3
        run = await finished(http, started["id"])
        wei, ghost, other = run["items"]
        assert wei["filename"] == f"people.csv row 2: 简历/{zh_pdf.name}" and wei["status"] == "created"
        assert wei["name"] == "Wei Zhang"  # the list's name wins over the resume's
        assert ghost["status"] == "failed" and ghost["error"]["code"] == "missing_file"
        assert other["filename"] == f"other/{en_txt.name}" and other["name"] == en_labels["name"]
        cand = await h.ctx.store.matching.candidate(wei["candidate_id"])
        assert (cand.name, cand.email) == ("Wei Zhang", "wei@example.com")
        (resume,) = [r for r, c in await h.ctx.store.matching.resumes(h.job_id) if c.id == cand.id]
        assert resume.profile["name"]["value"] == labels["name"]  # the parsed profile is kept as read

        # The resume's own e-mail is another key of the same person: importing that file alone is a duplicate.
        single = io.BytesIO()
        with zipfile.ZipFile(single, "w") as z:
            z.write(zh_pdf, zh_pdf.name)
        run2 = await finished(http, (await start(http, h.job_id, ("again.zip", single.getvalue(), "application/zip")))["id"])
        assert run2["items"][0]["status"] == "duplicate" and run2["items"][0]["candidate_id"] == cand.id


async def test_csv_inside_the_zip_semicolons_and_utf16_tabs(sqlite_url, tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("名单/candidates.csv", "姓名;邮箱;手机;简历文件\n李雷;lilei.cn@example.com;;lilei.txt\n".encode())
        z.writestr("名单/简历/lilei.txt", LI_LEI.encode())
    utf16 = "\ufeffName\tEmail\tPhone\nMei Lin\tmei@example.com\t+1 415 555 0134\n".encode("utf-16-le")
    async with running_server(sqlite_url, tmp_path) as h, h.hr_client() as http:
        run = await finished(http, (await start(http, h.job_id, ("all.zip", buf.getvalue(), "application/zip")))["id"])
        assert run["source"] == "csv+zip" and run["total"] == 1  # the list and the file it names: one candidate
        (item,) = run["items"]
        assert item["filename"] == "candidates.csv row 2: 名单/简历/lilei.txt" and item["status"] == "created"
        cand = await h.ctx.store.matching.candidate(item["candidate_id"])
        assert (cand.name, cand.email) == ("李雷", "lilei.cn@example.com")

        run = await finished(http, (await start(http, h.job_id, ("list.txt", utf16, "text/plain")))["id"])
        (item,) = run["items"]
        assert (item["status"], item["name"]) == ("created", "Mei Lin"), item
        (resume,) = [r for r, c in await h.ctx.store.matching.resumes(h.job_id) if c.id == item["candidate_id"]]
        assert resume.profile["mobile"]["value"] == "+14155550134"


def bomb(size: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("cv.txt", LI_LEI.encode())
        z.writestr("zeros.txt", bytes(size))
    return buf.getvalue()


def lying_zip() -> bytes:
    """An entry whose headers claim 1 KB while its data inflates to 4 MB (a bomb that lies about its size)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("liar.txt", b"A" * (4 * 2**20))
    data = bytearray(buf.getvalue())
    assert data[:4] == b"PK\x03\x04"
    struct.pack_into("<I", data, 22, 1024)  # local header: uncompressed size
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, 1024)  # central directory: uncompressed size
    return bytes(data)


async def test_limits_zip_bomb_oversized_upload_and_too_many_files(sqlite_url, tmp_path):
    async with running_server(sqlite_url, tmp_path, import_max_uncompressed_bytes=8 * 2**20,
                              import_max_upload_bytes=2 * 2**20, import_max_files=5) as h, h.hr_client() as http:
        packed = bomb(64 * 2**20)  # 64 MB of zeros packs into ~64 KB
        assert len(packed) < 2**20
        err = (await start(http, h.job_id, ("bomb.zip", packed, "application/zip"), status=413))["error"]
        assert err["code"] == "unpacked_too_large" and "64.0 MB" in err["message"] and "8.0 MB" in err["message"]

        big = io.BytesIO()
        with zipfile.ZipFile(big, "w", zipfile.ZIP_STORED) as z:
            z.writestr("cv.txt", LI_LEI.encode())
            z.writestr("photo.bin", bytes(range(256)) * (12 * 2**12))  # 3 MB, stored
        err = (await start(http, h.job_id, ("big.zip", big.getvalue(), "application/zip"), status=413))["error"]
        assert err["code"] == "upload_too_large" and "2 MB" in err["message"]
        # The same limit for an upload sent without a length (chunked): stopped while it streams.
        async def chunks():
            yield b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.zip\"\r\n\r\n"
            for _ in range(40):
                yield bytes(128 * 1024)
        async with http.post(f"/api/v1/jobs/{h.job_id}/imports", data=chunks(),
                             headers={"Content-Type": "multipart/form-data; boundary=b"}) as r:
            assert r.status == 413 and (await r.json())["error"]["code"] == "upload_too_large"

        many = io.BytesIO()
        with zipfile.ZipFile(many, "w") as z:
            for i in range(6):
                z.writestr(f"cv{i}.txt", LI_LEI.encode())
        err = (await start(http, h.job_id, ("many.zip", many.getvalue(), "application/zip"), status=413))["error"]
        assert err["code"] == "too_many_files"

        # Within the limits: the lying entry is cut at its declared size and fails; the rest is imported.
        liar = await finished(http, (await start(http, h.job_id, ("liar.zip", lying_zip(), "application/zip")))["id"])
        assert liar["items"][0]["status"] == "failed" and liar["items"][0]["error"]["code"] == "broken_file"
        small_bomb = await finished(http, (await start(http, h.job_id, ("b.zip", bomb(6 * 2**20), "application/zip")))["id"])
        statuses = {i["filename"]: (i["status"], (i["error"] or {}).get("code")) for i in small_bomb["items"]}
        assert statuses["cv.txt"] == ("created", None)
        assert statuses["zeros.txt"][0] == "failed"  # 6 MB of zeros is no resume
        assert [c.name for _, c in await h.ctx.store.matching.resumes(h.job_id)] == ["李雷"]
        # Refused uploads left no run behind.
        runs = (await (await http.get(f"/api/v1/jobs/{h.job_id}/imports")).json())["imports"]
        assert len(runs) == 2


async def test_per_file_size_limit_and_clear_refusals(sqlite_url, tmp_path):
    async with running_server(sqlite_url, tmp_path, import_max_file_bytes=64 * 1024) as h, h.hr_client() as http:
        z = io.BytesIO()
        with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as f:
            f.writestr("huge.txt", (LI_LEI * 2000).encode())
            f.writestr("ok.txt", LI_LEI.encode())
        run = await finished(http, (await start(http, h.job_id, ("z.zip", z.getvalue(), "application/zip")))["id"])
        huge, ok = run["items"]
        assert huge["error"]["code"] == "too_large" and ok["status"] == "created"

        async def refused(files, status, code):
            body = await start(http, h.job_id, *files, status=status)
            assert body["error"]["code"] == code, body
            assert body["error"]["message"]

        await refused([("cv.png", b"\x89PNG\r\n\x1a\n" + bytes(50), "image/png")], 415, "unsupported_type")
        docx = io.BytesIO()
        with zipfile.ZipFile(docx, "w") as f:
            f.writestr("[Content_Types].xml", "<Types/>")
            f.writestr("word/document.xml", "<w:document/>")
        await refused([("cv.docx", docx.getvalue(), "application/octet-stream")], 415, "unsupported_type")
        await refused([("list.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "application/vnd.ms-excel")],
                      415, "unsupported_type")
        await refused([("a.zip", b"PK\x03\x04" + b"garbage" * 20, "application/zip")], 422, "broken_archive")
        await refused([("list.csv", "foo,bar\n1,2\n".encode(), "text/csv")], 422, "invalid_csv")
        await refused([("list.csv", "姓名,邮箱\n".encode(), "text/csv")], 422, "no_rows")
        await refused([("list.csv", bytes([0x81, 0x30, 0x81]) + b",\xff\xfe", "text/csv")], 422, "bad_encoding")
        await refused([("a.csv", b"name\nA\n", "text/csv"), ("b.csv", b"name\nB\n", "text/csv")], 422, "too_many_files")
        await refused([("empty.zip", b"", "application/zip")], 422, "empty_file")
        async with http.post(f"/api/v1/jobs/{h.job_id}/imports", json={"file": "x"}) as r:
            assert r.status == 415 and (await r.json())["error"]["code"] == "unsupported_media_type"
        async with http.get("/api/v1/imports/nope") as r:
            assert r.status == 404 and (await r.json())["error"]["code"] == "not_found"
        async with aiohttp.ClientSession(h.base_url) as anon, anon.get(f"/api/v1/imports/{run['id']}") as r:
            assert r.status == 401
        assert len(await h.ctx.store.matching.resumes(h.job_id)) == 1


async def test_crashed_import_is_marked_interrupted_once_its_heartbeat_is_stale(sqlite_url, tmp_path):
    async with running_server(sqlite_url, tmp_path, import_lease_s=2) as h, h.hr_client() as http:
        # A run left "running" by a server that died without a word while accepting it (no job was queued for it,
        # no shutdown): its heartbeat stops.
        run, _ = await h.ctx.store.imports.create(h.org_id, h.job_id, None, "zip", "lost.zip", ["a.pdf", "b.pdf"])
        await h.ctx.store.import_uploads.add_part(run.id, 0, 0, "lost.zip", "application/zip", b"PK\x03\x04")
        await h.ctx.store.imports.update(run.id, status="running", heartbeat_at=utcnow() - timedelta(seconds=1))
        fresh = (await (await http.get(f"/api/v1/imports/{run.id}")).json())
        assert fresh["status"] == "running"  # within the lease: its server may still be working
        await h.ctx.store.imports.update(run.id, heartbeat_at=utcnow() - timedelta(seconds=5))
        stale = (await (await http.get(f"/api/v1/imports/{run.id}")).json())
        assert stale["status"] == "interrupted" and stale["error"]["code"] == "server_stopped"
        assert stale["finished_at"] and [i["status"] for i in stale["items"]] == ["pending", "pending"]
        assert await h.ctx.store.import_uploads.files(run.id) == []  # what it had kept of the upload is deleted

        # One whose job waits on the queue (its node died mid-run; the job's lease has not run out yet, or every
        # node is busy) is not interrupted, however old its heartbeat: the queue will resume it.
        queued, _ = await h.ctx.store.imports.create(h.org_id, h.job_id, None, "zip", "later.zip", ["c.pdf"])
        await h.ctx.store.imports.update(queued.id, status="running", heartbeat_at=utcnow() - timedelta(seconds=5))
        job = await h.ctx.store.background.enqueue("import.run", {"import_id": queued.id}, now=utcnow(),
                                                   idempotency_key=f"import:{queued.id}",
                                                   run_after=utcnow() + timedelta(days=1))
        assert (await (await http.get(f"/api/v1/imports/{queued.id}")).json())["status"] == "running"
        # ... until that job has ended without finishing the run (e.g. it failed on every try)
        async with h.ctx.store.db.transaction() as s:
            await s.execute(update(BackgroundJob).where(BackgroundJob.id == job.id).values(state="failed"))
        assert (await (await http.get(f"/api/v1/imports/{queued.id}")).json())["status"] == "interrupted"


async def test_contact_keys_are_backfilled_for_resumes_stored_before_the_migration(sqlite_url, tmp_path):
    """Resumes stored under revision 0006 get their e-mail/phone keys in 0007, so importing them again finds them."""
    from server.storage.store import Store
    from server.storage.migrate import move_schema

    store = Store(sqlite_url)
    await move_schema(store.db.engine, "head")
    org = await store.accounts.create_org("Acme")
    job = await store.jobs.create(org.id, "Engineer", "", "zh", [{"text": "Q?"}])
    await move_schema(store.db.engine, "0006", down=True)
    # rows written as the 0006 schema had them (the models describe the newest schema, so plain SQL)
    profile = {"language": "zh", "mobile": {"value": "+8613912345678", "source": "13912345678"}, "text": LI_LEI}
    async with store.db.engine.begin() as conn:
        await conn.execute(text("INSERT INTO candidates (id, org_id, name, email, created_at) "
                                "VALUES ('c1', :org, '李雷', 'LiLei@Example.com', CURRENT_TIMESTAMP)"), {"org": org.id})
        await conn.execute(text("INSERT INTO resumes (id, org_id, job_id, candidate_id, filename, content_type, size, "
                                "profile, created_at) VALUES ('r1', :org, :job, 'c1', 'old.txt', 'text/plain', 10, "
                                ":profile, CURRENT_TIMESTAMP)"),
                           {"org": org.id, "job": job.id, "profile": json.dumps(profile, ensure_ascii=False)})
    await move_schema(store.db.engine, "head")
    cand, created, matched = await store.imports.add_resume_if_new(org.id, job.id, "Lei", "", "x.txt", "", 1, {"text": ""},
                                                                   [("phone", "+8613912345678")])
    assert (created, matched, cand.name) == (False, "phone", "李雷")
    _, created, matched = await store.imports.add_resume_if_new(org.id, job.id, "Lei", "lilei@example.com", "x.txt", "", 1,
                                                                {"text": ""}, [("email", "lilei@example.com")])
    assert (created, matched) == (False, "email")
    _, created, _ = await store.imports.add_resume_if_new(org.id, job.id, "Han", "han@example.com", "y.txt", "", 1,
                                                          {"text": ""}, [("email", "han@example.com")])
    assert created
    await store.close()
