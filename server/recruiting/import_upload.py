"""A bulk import's upload, before anything is imported: checked against the limits and listed as an
:class:`ImportPlan` (one item per resume file or CSV row), plus what reading one item needs (a zip member
within its size limit, a CSV row's e-mail and phone). The runs themselves are in server/recruiting/imports.py.

One upload for a bulk import holds a zip of resumes (PDF / DOCX / text, Chinese or English, nested folders allowed),
a CSV list of candidates, or both:

* zip only: every file in it is a resume (``__MACOSX/``, hidden files, ``Thumbs.db`` and ``desktop.ini`` are skipped).
* CSV: one candidate per row. Columns are recognised by their header in English or Chinese: ``name``/姓名,
  ``email``/邮箱, ``phone``/手机 and an optional ``resume``/简历. The resume cell holds either the resume text or
  the name of a file in the zip uploaded with the CSV (its path inside the zip, or just the file name when that is
  unique). The CSV's name, e-mail and phone win over what the parser reads from the resume. A zip file that no row
  names is imported on its own. Instead of uploading the CSV next to the zip, it may be the only ``.csv`` inside it.
  UTF-8 with or without BOM, UTF-16 with BOM and GB18030/GBK (Excel's "CSV" on Chinese Windows) are read; the
  delimiter may be comma, semicolon or tab. Phones without a country code are read as Chinese numbers.

Limits (``server/platform/settings.py``): the upload's size, the number of files or rows, each resume's unpacked size,
the zip's total unpacked size and each large member's packing ratio (zip-bomb guards, checked from the zip's
directory before anything is unpacked, and each file is read only up to its declared size); a DOCX inside is then judged by its
own inside like an uploaded one (analyzers/documents/document_limits.py). A spreadsheet workbook (XLS/XLSX) is
refused by its name and by its content types, never unpacked. Names inside the zip are only shown to HR: nothing is ever written to
disk under them, so ``../`` names are harmless. While it is received and checked the upload is in unnamed temporary
files; once accepted it is kept in the database for its run (server/recruiting/imports.py), and the node running the
import reads it back into such files, which disappear when the run ends there or the process dies.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import IO, Callable

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from analyzers.documents.document_limits import DocumentLimits, member_count, unpack_problem
from analyzers.documents.resume_file import ResumeError
from server.http.errors import ApiError
from server.platform.settings import Settings


@dataclass
class UploadedFile:
    filename: str
    content_type: str
    file: IO[bytes]  # an unnamed temporary file
    size: int


@dataclass
class CsvRow:
    number: int  # the row number as a spreadsheet shows it (the header is row 1)
    name: str = ""
    email: str = ""
    phone: str = ""
    resume: str = ""


@dataclass
class PlannedItem:
    label: str  # what HR sees: the path inside the zip, or "people.csv row 2"
    member: zipfile.ZipInfo | None = None  # the resume file inside the zip
    row: CsvRow | None = None
    error: tuple[str, str] | None = None  # known before unpacking (too large, encrypted, missing file, ...)


@dataclass
class ImportPlan:
    source: str  # zip | csv | csv+zip
    filename: str
    items: list[PlannedItem]
    archive: zipfile.ZipFile | None = None
    files: list[UploadedFile] = field(default_factory=list)

    def close(self) -> None:
        if self.archive is not None:
            self.archive.close()
        for f in self.files:
            f.file.close()


def _mb(n: int) -> str:
    return f"{n / 2**20:,.1f} MB" if n < 2**30 else f"{n / 2**30:,.1f} GB"


_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_CSV_TYPES = ("text/csv", "application/csv", "text/comma-separated-values", "application/vnd.ms-excel",
              "text/plain", "text/tab-separated-values")
_JUNK = {"thumbs.db", "desktop.ini"}
_FILE_NAME_RE = re.compile(r"^[^\n\r]{1,300}\.(?:pdf|docx?|txt|rtf|odt|wps|pages|jpe?g|png)$", re.I)


def entry_name(info: zipfile.ZipInfo) -> str:
    """The entry's path as its creator wrote it: zips from Chinese Windows store GBK names without the UTF-8 flag."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    for enc in ("utf-8", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return info.filename


def _is_junk(path: str) -> bool:
    parts = [p for p in re.split(r"[\\/]", path) if p]
    return (not parts or "__MACOSX" in parts or parts[-1].startswith(".") or parts[-1].lower() in _JUNK)


def decode_csv(data: bytes, filename: str) -> str:
    """CSV bytes as Excel writes them: UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030 (GBK)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data, encodings = data[3:], ("utf-8",)
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ("utf-16",)
    else:
        encodings = ("utf-8", "gb18030")
    for enc in encodings:
        try:
            return data.decode(enc).replace("\x00", "")  # no cell holds NUL (and PostgreSQL stores no text with it)
        except UnicodeDecodeError:
            continue
    raise ApiError(422, "bad_encoding", f"{filename} is neither UTF-8 nor GB18030 text; save it from Excel as "
                   "\"CSV UTF-8\" or \"CSV\".")


_HEADERS = {
    "name": ("name", "full name", "candidate", "candidate name", "姓名", "名字", "候选人", "候选人姓名"),
    "email": ("email", "e-mail", "e mail", "mail", "email address", "e-mail address", "邮箱", "电子邮箱", "电子邮件",
              "邮件", "邮箱地址", "email邮箱"),
    "phone": ("phone", "mobile", "telephone", "tel", "cell", "phone number", "mobile phone", "mobile number",
              "手机", "手机号", "手机号码", "电话", "联系电话", "电话号码", "联系方式"),
    "resume": ("resume", "cv", "resume file", "resume text", "file", "简历", "简历文件", "简历内容", "简历正文", "附件"),
}
_HEADER_OF = {alias: key for key, aliases in _HEADERS.items() for alias in aliases}


def _header_key(cell: str) -> str | None:
    norm = header_name(cell)
    return _HEADER_OF.get(norm) or _HEADER_OF.get(re.sub(r"[（(].*[)）]$", "", norm).strip())


def header_name(cell: str) -> str:
    """A header cell as the column tables look it up: lower case, spaces for runs of blanks and underscores,
    without quotes, stars or colons around it."""
    return re.sub(r"[\s_]+", " ", cell.strip().strip("\ufeff\"'*：:").strip().lower())


def read_table(data: bytes, filename: str, header_key: Callable[[str], str | None],
               check_header: Callable[[dict[str, int], list[str]], None], max_rows: int,
               too_many: ApiError) -> list[tuple[int, dict[str, str]]]:
    """A CSV file's rows as (spreadsheet row number, {column key: stripped cell}), blank rows skipped. The first row
    names the columns (``header_key`` reads a header cell, ``check_header`` refuses a header that will not do);
    the delimiter is the one the header row uses most (header names hold none): comma, semicolon (European Excel)
    or tab (Excel's "Unicode text"). Raises ApiError: ``too_many`` past ``max_rows``, 422 ``invalid_csv`` or
    ``no_rows`` for an empty file (a header without rows answers [])."""
    text = decode_csv(data, filename)
    header = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((",", ";", "\t"), key=header.count) if any(d in header for d in ",;\t") else ","
    columns: dict[str, int] | None = None
    rows: list[tuple[int, dict[str, str]]] = []
    number = 0
    try:
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            number += 1
            if not any(cell.strip() for cell in record):
                continue
            if columns is None:
                columns = {}
                for i, cell in enumerate(record):
                    key = header_key(cell)
                    if key and key not in columns:
                        columns[key] = i
                check_header(columns, record)
                continue
            if len(rows) >= max_rows:
                raise too_many
            rows.append((number, {key: record[i].strip() if i < len(record) else "" for key, i in columns.items()}))
    except csv.Error as exc:
        raise ApiError(422, "invalid_csv", f"{filename} row {number}: {exc}") from None
    if columns is None:
        raise ApiError(422, "no_rows", f"{filename} is empty.")
    return rows


def read_csv(data: bytes, filename: str, max_rows: int) -> list[CsvRow]:
    """The candidates of a CSV list; raises ApiError with what to fix when the file cannot be used."""
    def check_header(columns: dict[str, int], record: list[str]) -> None:
        if not columns:
            raise ApiError(422, "invalid_csv", f"{filename}: the first row must name the columns: name (姓名), "
                           "email (邮箱), phone (手机) and optionally resume (简历); found "
                           f"{', '.join(c.strip() for c in record[:8])}.")

    rows = read_table(data, filename, _header_key, check_header, max_rows,
                      ApiError(413, "too_many_files", f"{filename} has more than {max_rows} candidates; split it."))
    if not rows:
        raise ApiError(422, "no_rows", f"{filename} has a header row but no candidates.")
    return [CsvRow(number, c.get("name", ""), c.get("email", ""), c.get("phone", ""), c.get("resume", ""))
            for number, c in rows]


def inspect_upload(files: list[UploadedFile], settings: Settings) -> ImportPlan:
    """Check the upload against the limits and list what will be imported (blocking: run it off the loop).

    Raises ApiError (413 for the limits, 415/422 for what cannot be imported at all); closes nothing."""
    zips: list[UploadedFile] = []
    csvs: list[UploadedFile] = []
    for f in files:
        if f.size == 0:
            raise ApiError(422, "empty_file", f"{f.filename} is empty.")
        f.file.seek(0)
        head = f.file.read(4096)
        f.file.seek(0)
        if head.startswith(_ZIP_MAGIC):
            zips.append(f)
        elif head.startswith(b"\xd0\xcf\x11\xe0") or f.filename.lower().endswith((".xls", ".xlsx", ".et")):
            raise ApiError(415, "unsupported_type", f"{f.filename} is a spreadsheet workbook; save it as CSV "
                           "(UTF-8 or the default CSV of Chinese Excel) and upload that.")
        elif b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise ApiError(415, "unsupported_type", f"{f.filename} is a binary file: upload a .zip of resumes and/or "
                           "a .csv list of candidates (single resumes can be uploaded as they are with the resume "
                           "upload).")
        elif f.filename.lower().endswith((".csv", ".tsv")) or f.content_type.split(";")[0].strip() in _CSV_TYPES:
            csvs.append(f)
        else:
            raise ApiError(415, "unsupported_type", f"{f.filename}: upload a .zip of resumes and/or a .csv list of "
                           "candidates (single resumes can be uploaded as they are with the resume upload).")
    if not zips and not csvs:
        raise ApiError(422, "no_file", "Choose a .zip of resumes or a .csv list of candidates.")
    if len(zips) > 1 or len(csvs) > 1:
        raise ApiError(422, "too_many_files", "Upload one zip of resumes, one CSV list, or one of each.")

    archive: zipfile.ZipFile | None = None
    entries: list[tuple[str, zipfile.ZipInfo]] = []
    if zips:
        z = zips[0]
        count = member_count(z.file)  # before zipfile builds the directory in memory
        if count is not None and count > 2 * settings.import_max_files + 100:
            raise ApiError(413, "too_many_files", f"{z.filename} holds more than {settings.import_max_files} files; "
                           "split it into smaller zips.")
        try:
            archive = zipfile.ZipFile(z.file)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            raise ApiError(422, "broken_archive", f"{z.filename} is not a readable zip archive.") from None
        names = set(archive.namelist())
        if "[Content_Types].xml" in names:
            archive.close()
            what = "a Word document (a single resume)" if "word/document.xml" in names else "an Office document"
            raise ApiError(415, "unsupported_type", f"{z.filename} is {what}, not a zip of resumes; upload single "
                           "resumes with the resume upload, and spreadsheets saved as CSV.")
        unpacked = sum(i.file_size for i in archive.infolist())
        if unpacked > settings.import_max_uncompressed_bytes:
            archive.close()
            raise ApiError(413, "unpacked_too_large", f"{z.filename} would unpack to {_mb(unpacked)}, more than the "
                           f"{_mb(settings.import_max_uncompressed_bytes)} one import may unpack (a zip bomb?); "
                           "nothing was imported. Split it into smaller zips.")
        entries = [(entry_name(i), i) for i in archive.infolist() if not i.is_dir()]
        entries = [(n, i) for n, i in entries if not _is_junk(n)]

    try:
        rows: list[CsvRow] | None = None
        manifest_name = ""
        inner_csvs = [(n, i) for n, i in entries if n.lower().endswith(".csv")]
        if csvs:
            c = csvs[0]
            manifest_name = c.filename
            c.file.seek(0)
            rows = read_csv(c.file.read(), c.filename, settings.import_max_files)
        elif len(inner_csvs) == 1:
            manifest_name, info = inner_csvs[0]
            if info.file_size > settings.import_max_upload_bytes:
                raise ApiError(413, "upload_too_large", f"{manifest_name} is larger than "
                               f"{_mb(settings.import_max_upload_bytes)}.")
            try:
                data = archive.read(info)
            except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError, OSError) as exc:
                raise ApiError(422, "broken_archive", f"{manifest_name} cannot be unpacked ({exc}).") from None
            rows = read_csv(data, PurePosixPath(manifest_name).name, settings.import_max_files)
            entries = [(n, i) for n, i in entries if i is not info]

        items: list[PlannedItem] = []
        referenced: set[int] = set()
        if rows is not None:
            by_path = {n.lower().lstrip("/"): i for n, i in entries}
            by_base: dict[str, list[zipfile.ZipInfo]] = {}
            for n, i in entries:
                by_base.setdefault(PurePosixPath(n.replace("\\", "/")).name.lower(), []).append(i)
            label_base = PurePosixPath(manifest_name.replace("\\", "/")).name
            for row in rows:
                label = f"{label_base} row {row.number}"
                ref = row.resume.replace("\\", "/").lstrip("/").lower() if row.resume else ""
                member = by_path.get(ref) if ref else None
                if ref and member is None and len(by_base.get(ref, [])) == 1:
                    member = by_base[ref][0]
                if member is not None:
                    referenced.add(id(member))
                    items.append(PlannedItem(f"{label}: {entry_name(member)}", member=member, row=row))
                elif ref and len(by_base.get(ref, [])) > 1:
                    items.append(PlannedItem(label, row=row, error=(
                        "ambiguous_file", f"several files in the zip are named {row.resume}; give its path in the zip")))
                elif ref and "\n" not in row.resume and _FILE_NAME_RE.match(row.resume):
                    where = "in the uploaded zip" if archive is not None else "uploaded: no zip came with the CSV"
                    items.append(PlannedItem(label, row=row, error=("missing_file", f"{row.resume} is not {where}")))
                else:
                    items.append(PlannedItem(label, row=row))
        for n, info in entries:
            if id(info) in referenced:
                continue
            if n.lower().endswith(".csv"):
                items.append(PlannedItem(n, member=info, error=(
                    "unsupported_type", "a CSV inside the zip is read as the candidate list only when it is the "
                    "only one and no CSV was uploaded next to the zip")))
            else:
                items.append(PlannedItem(n, member=info))
        if len(items) > settings.import_max_files:
            raise ApiError(413, "too_many_files", f"The upload holds {len(items)} resumes or rows; at most "
                           f"{settings.import_max_files} per import.")
        if not items:
            raise ApiError(422, "no_files", "The zip holds no resume files.")
        for item in items:
            info = item.member
            if info is None or item.error:
                continue
            if info.flag_bits & 0x1:
                item.error = ("broken_file", "the file is password protected inside the zip")
            elif info.file_size > settings.import_max_file_bytes:
                item.error = ("too_large", f"the file unpacks to {_mb(info.file_size)}; the limit is "
                              f"{_mb(settings.import_max_file_bytes)}")
            elif problem := unpack_problem([info], DocumentLimits(), office=False):
                item.error = ("unpacked_too_large", f"{problem}: a zip bomb? It was not unpacked")
    except BaseException:
        if archive is not None:
            archive.close()
        raise
    source = "csv+zip" if rows is not None and archive is not None else ("csv" if rows is not None else "zip")
    label = " + ".join(f.filename for f in csvs + zips)
    return ImportPlan(source, label, items, archive, list(files))



def normalise_email(raw: str) -> str:
    try:
        return validate_email(raw, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(f"{raw} is not a valid e-mail address ({exc})") from None


def normalise_phone(raw: str, region: str = "CN") -> str:
    """E.164; numbers without a country code are read as ``region`` numbers."""
    if re.search(r"\d[.,]\d+E\+?\d+", raw, re.I):
        raise ValueError(f"{raw} is not a phone number: the spreadsheet turned it into a number in scientific "
                         "notation; format the phone column as text and export again")
    try:
        number = phonenumbers.parse(raw, None if raw.strip().startswith("+") else region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValueError(f"{raw} is not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    try:
        with archive.open(info) as fh:
            data = fh.read(limit + 1)  # zipfile stops at the declared size; the limit guards that size
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError, OSError) as exc:
        raise ResumeError("broken_file", f"the file cannot be unpacked from the zip ({exc})") from None
    if len(data) > limit:
        raise ResumeError("too_large", f"the file unpacks to more than {_mb(limit)}")
    return data


