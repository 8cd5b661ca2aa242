"""Reading a resume file: its type from the bytes, its text out of the PDF / DOCX / plain-text layout.

    extract_text(data, filename, content_type=None) -> (kind, text)

The file type is detected from the bytes (magic numbers); the name and content type are only hints. The text is
normalised lightly (full-width ASCII -> ASCII, CRLF -> LF, NBSP / ideographic space -> space), so what the parser
(analyzers/documents/resume_parser.py) quotes as a value's source is a substring of it. A file that cannot be read
raises :class:`ResumeError` (``code``: too_large, unsupported_type, broken_file, scanned, empty), which the parser
raises too.
"""

from __future__ import annotations

import io
import re
import zipfile

__all__ = ["MAX_RESUME_BYTES", "ResumeError", "extract_text", "detect_type"]

MAX_RESUME_BYTES = 10 * 2**20
"""Largest resume file parsed by default (10 MiB; the import_max_file_bytes setting's default)."""


class ResumeError(Exception):
    """A resume that cannot be parsed. ``code`` is one of too_large, unsupported_type, broken_file, scanned, empty."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


# --------------------------------------------------------------------------------------------------------------------
# file type detection and text extraction

_OTHER_MAGIC = {
    b"\x89PNG": "PNG image",
    b"\xff\xd8\xff": "JPEG image",
    b"GIF8": "GIF image",
    b"\xd0\xcf\x11\xe0": "legacy Office (.doc) file",
    b"{\\rtf": "RTF file",
    b"\x1f\x8b": "gzip archive",
    b"Rar!": "RAR archive",
    b"7z\xbc\xaf": "7z archive",
    b"BM": None,  # bitmap: checked with a size field below
    b"II*\x00": "TIFF image",
    b"MM\x00*": "TIFF image",
    b"RIFF": "RIFF media file",
}


def detect_type(data: bytes) -> str:
    """'pdf' | 'docx' | 'text' from the bytes; raises ResumeError(unsupported_type) for anything else."""
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = set(z.namelist())
        except zipfile.BadZipFile:
            raise ResumeError("broken_file", "the file is a damaged zip/DOCX archive") from None
        if "word/document.xml" in names:
            return "docx"
        raise ResumeError("unsupported_type", "the file is a zip archive, not a DOCX resume")
    for magic, what in _OTHER_MAGIC.items():
        if data.startswith(magic) and what:
            raise ResumeError("unsupported_type", f"the file is a {what}; upload a PDF, DOCX or text resume")
    sample = data[:4096]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "text"  # UTF-16 with BOM
    if b"\x00" in sample:
        raise ResumeError("unsupported_type", "the file is binary and not a PDF, DOCX or text resume")
    ctrl = sum(1 for b in sample if b < 9 or 13 < b < 32)
    if sample and ctrl / len(sample) > 0.05:
        raise ResumeError("unsupported_type", "the file is binary and not a PDF, DOCX or text resume")
    return "text"


def _decode_text(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace")


def _pdf_text(data: bytes) -> str:
    import pypdf
    from pypdf.errors import PyPdfError

    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except Exception:
                raise ResumeError("broken_file", "the PDF is password protected") from None
        pages = list(reader.pages)
        if not pages:
            raise ResumeError("broken_file", "the PDF has no pages")
        texts, has_image = [], False
        for page in pages:
            texts.append(page.extract_text() or "")
            try:
                res = page.get("/Resources") or {}
                xobj = res.get("/XObject") if hasattr(res, "get") else None
                if xobj:
                    xobj = xobj.get_object()
                    has_image = has_image or any(
                        xobj[k].get_object().get("/Subtype") == "/Image" for k in xobj
                    )
            except Exception:
                pass
    except ResumeError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as e:
        raise ResumeError("broken_file", f"the PDF cannot be read ({type(e).__name__})") from None
    except Exception as e:  # pypdf raises assorted errors on damaged files
        raise ResumeError("broken_file", f"the PDF cannot be read ({type(e).__name__})") from None
    text = "\n".join(texts)
    if len(re.sub(r"\s", "", text)) < 20:
        if has_image or not text.strip():
            raise ResumeError(
                "scanned", "the PDF has no text layer (a scanned image); OCR is not supported, upload a text PDF or DOCX"
            )
    return text


def _docx_text(data: bytes) -> str:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as e:
        raise ResumeError("broken_file", f"the DOCX cannot be read ({type(e).__name__})") from None

    lines: list[str] = []

    def walk_table(table: Table) -> None:
        seen: set[int] = set()
        for row in table.rows:
            for cell in row.cells:
                if id(cell._tc) in seen:  # merged cells repeat
                    continue
                seen.add(id(cell._tc))
                walk_block(cell)

    def walk_block(parent) -> None:
        body = parent.element.body if hasattr(parent, "element") and hasattr(parent.element, "body") else parent._tc
        for child in body.iterchildren():
            tag = child.tag.rsplit("}", 1)[-1]
            if tag == "p":
                lines.append(Paragraph(child, parent).text)
            elif tag == "tbl":
                walk_table(Table(child, parent))

    try:
        for section in document.sections:
            for p in section.header.paragraphs:
                if p.text.strip():
                    lines.append(p.text)
        walk_block(document)
    except Exception as e:
        raise ResumeError("broken_file", f"the DOCX cannot be read ({type(e).__name__})") from None
    return "\n".join(lines)


def _normalise(text: str) -> str:
    out = []
    for ch in text:
        o = ord(ch)
        if 0xFF01 <= o <= 0xFF5E:
            ch = chr(o - 0xFEE0)
        elif ch in "\u3000\xa0\u2002\u2003\u2009":
            ch = " "
        out.append(ch)
    text = "".join(out).replace("\r\n", "\n").replace("\r", "\n").replace("\t", "  ")
    text = re.sub(r"[ ]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def extract_text(data: bytes, filename: str = "", content_type: str | None = None) -> tuple[str, str]:
    """(kind, normalised text). Raises ResumeError."""
    if not data or not data.strip():
        raise ResumeError("empty", "the file is empty")
    kind = detect_type(data)
    ext = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    if kind == "text" and ext in ("pdf", "docx"):
        raise ResumeError("broken_file", f"the file is named .{ext} but is not a valid {ext.upper()} file")
    if kind == "pdf":
        text = _pdf_text(data)
    elif kind == "docx":
        text = _docx_text(data)
    else:
        text = _decode_text(data)
    text = _normalise(text)
    if len(re.sub(r"\s", "", text)) < 10:
        raise ResumeError("empty", "the resume has no readable text")
    return kind, text
