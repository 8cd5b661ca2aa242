"""Reading a resume file: its type from the bytes, its text out of the PDF / DOCX / plain-text layout.

    extract_text(data, filename, content_type=None) -> (kind, text)

The file type is detected from the bytes (magic numbers); the name and content type are only hints. The text is
normalised lightly (full-width ASCII -> ASCII, CRLF -> LF, NBSP / ideographic space -> space), so what the parser
(analyzers/documents/resume_parser.py) quotes as a value's source is a substring of it. A file that cannot be read
raises :class:`ResumeError` (``code``: too_large, unpacked_too_large, text_too_long, unsupported_type, broken_file,
scanned, empty), which the parser raises too. A DOCX is judged by what it unpacks to before it is opened, and the
text by its length (analyzers/documents/document_limits.py).
"""

from __future__ import annotations

import io
import re
import zipfile

from analyzers.documents.document_limits import MAX_RESUME_BYTES, DocumentLimits, member_count, unpack_problem

__all__ = ["MAX_RESUME_BYTES", "ResumeError", "extract_text", "detect_type", "split_columns"]


class ResumeError(Exception):
    """A resume that cannot be parsed. ``code`` is one of too_large, unpacked_too_large, text_too_long,
    unsupported_type, broken_file, scanned, empty (and parse_limit where a parse runs bounded)."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message

    def __reduce__(self):  # pickles (a bounded parse hands it over from its child process)
        return ResumeError, (self.code, self.message)


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


def detect_type(data: bytes, limits: DocumentLimits | None = None) -> str:
    """'pdf' | 'docx' | 'text' from the bytes; raises ResumeError(unsupported_type) for anything else, and
    ResumeError(unpacked_too_large) for a DOCX that unpacks to more than ``limits`` allow (checked from its zip
    directory, before any of it is unpacked)."""
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        limits = limits or DocumentLimits()
        count = member_count(io.BytesIO(data))
        if count is not None and count > limits.members:
            raise ResumeError("unpacked_too_large", f"the file holds {count:,} parts; a DOCX resume holds a few dozen "
                              f"(at most {limits.members:,} are accepted)")
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                infos = z.infolist()
        except (zipfile.BadZipFile, ValueError, EOFError):
            raise ResumeError("broken_file", "the file is a damaged zip/DOCX archive") from None
        if "word/document.xml" not in {i.filename for i in infos}:
            raise ResumeError("unsupported_type", "the file is a zip archive, not a DOCX resume")
        problem = unpack_problem(infos, limits)
        if problem:
            raise ResumeError("unpacked_too_large", f"the DOCX was not read: {problem}")
        return "docx"
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


_DATE_HINT = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")


def _page_text(page) -> str:
    """A page's text in reading order. pypdf's default order is the content stream's, which is the reading order
    for most generators but interleaves the lines of two columns when a page is drawn line by line across both;
    its layout mode keeps each line's horizontal positions, so a page whose layout shows two columns (a blank
    channel down the page, text on both sides) is read left column first, then right."""
    plain = page.extract_text() or ""
    try:
        layout = page.extract_text(extraction_mode="layout") or ""
    except Exception:
        return plain
    columns = split_columns(layout)
    return columns if columns is not None else plain


def split_columns(layout: str) -> str | None:
    """The left column then the right one, when ``layout`` (text laid out with spaces) has a blank channel at
    least 3 characters wide down the lines holding text on both sides; None for a one-column page. A channel
    whose side is mostly date ranges is a date rail or right-aligned dates, not a second column."""
    lines = [ln.rstrip() for ln in layout.splitlines()]
    body = [ln for ln in lines if ln.strip()]
    if len(body) < 6:
        return None
    width = max(len(ln) for ln in body)
    best = None
    for x in range(10, width - 10):
        both = sum(1 for ln in body if ln[:x].strip() and ln[x:].strip())
        crossing = sum(1 for ln in body if ln[max(0, x - 1):x + 2].strip())
        if crossing == 0 and both >= max(4, len(body) // 4) and (best is None or both > best[1]):
            best = (x, both)
    if best is None:
        return None
    x = best[0]
    left = [ln[:x].strip() for ln in lines if ln[:x].strip()]
    right = [ln[x:].strip() for ln in lines if ln[x:].strip()]
    for side in (left, right):
        if sum(1 for t in side if _DATE_HINT.search(t) and len(t) <= 25) * 2 >= len(side):
            return None
    if min(len(left), len(right)) < 3:
        return None
    return "\n".join(left) + "\n" + "\n".join(right)


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
            texts.append(_page_text(page))
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


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def _docx_blocks(element, lines: list[str]) -> None:
    """Lines of a WordprocessingML block container in document order: paragraphs (text boxes anchored in a
    paragraph follow it), tables row by row. A row of short single-paragraph cells is one line with the cells
    joined by " | " (a table of dates / companies / titles, or of skills, stays a row); a row holding a cell of
    several paragraphs is a layout table, read cell by cell."""
    for child in element.iterchildren():
        tag = child.tag
        if tag == _W + "p":
            _docx_paragraph(child, lines)
        elif tag == _W + "tbl":
            for row in child.iterchildren(_W + "tr"):
                cells = list(row.iterchildren(_W + "tc"))
                paras = [list(c.iterchildren(_W + "p")) for c in cells]
                simple = all(len(ps) <= 1 and not list(c.iterchildren(_W + "tbl")) for c, ps in zip(cells, paras))
                if simple:
                    texts = [_docx_run_text(ps[0]).strip() if ps else "" for ps in paras]
                    texts = [t for t in texts if t]
                    if texts:
                        lines.append(" | ".join(texts))
                    for ps in paras:
                        for p in ps:
                            _docx_textboxes(p, lines)
                else:
                    for c in cells:
                        _docx_blocks(c, lines)
        elif tag in (_W + "sdt",):
            content = child.find(_W + "sdtContent")
            if content is not None:
                _docx_blocks(content, lines)


def _docx_run_text(p) -> str:
    """A paragraph's own text (tabs and breaks as spaces / newlines), without the text boxes anchored in it."""
    out = []
    for el in p.iter():
        if el.tag == _W + "txbxContent" or _inside(el, p, _W + "txbxContent") or _inside(el, p, _MC_FALLBACK):
            continue
        if el.tag == _W + "t":
            out.append(el.text or "")
        elif el.tag == _W + "tab":
            out.append("\t")
        elif el.tag in (_W + "br", _W + "cr"):
            out.append("\n")
    return "".join(out)


def _inside(el, top, tag: str) -> bool:
    parent = el.getparent()
    while parent is not None and parent is not top:
        if parent.tag == tag:
            return True
        parent = parent.getparent()
    return False


def _docx_paragraph(p, lines: list[str]) -> None:
    lines.append(_docx_run_text(p))
    _docx_textboxes(p, lines)


def _docx_textboxes(p, lines: list[str]) -> None:
    for box in p.iter(_W + "txbxContent"):
        if _inside(box, p, _MC_FALLBACK) or _inside(box, p, _W + "txbxContent"):
            continue  # the VML copy of a DrawingML text box, or a box inside a box (read with its parent)
        _docx_blocks(box, lines)


def _docx_text(data: bytes) -> str:
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as e:
        raise ResumeError("broken_file", f"the DOCX cannot be read ({type(e).__name__})") from None

    lines: list[str] = []
    try:
        seen: set[str] = set()
        heads: list[str] = []
        feet: list[str] = []
        for section in document.sections:  # page headers first, footers last: contact details often live there
            for part, out in ((section.first_page_header, heads), (section.header, heads),
                              (section.even_page_header, heads), (section.footer, feet),
                              (section.first_page_footer, feet), (section.even_page_footer, feet)):
                try:
                    if part.is_linked_to_previous:
                        continue
                    block: list[str] = []
                    _docx_blocks(part._element, block)
                except Exception:
                    continue
                for ln in block:
                    if ln.strip() and ln not in seen:
                        seen.add(ln)
                        out.append(ln)
        lines.extend(heads)
        _docx_blocks(document.element.body, lines)
        lines.extend(feet)
    except Exception as e:
        raise ResumeError("broken_file", f"the DOCX cannot be read ({type(e).__name__})") from None
    return "\n".join(lines)


def _normalise(text: str) -> str:
    out = []
    for ch in text.replace("\x00", ""):  # NUL is no character of a resume (and PostgreSQL stores no text with it)
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


def extract_text(data: bytes, filename: str = "", content_type: str | None = None,
                 limits: DocumentLimits | None = None) -> tuple[str, str]:
    """(kind, normalised text). Raises ResumeError."""
    limits = limits or DocumentLimits()
    if not data or not data.strip():
        raise ResumeError("empty", "the file is empty")
    kind = detect_type(data, limits)
    ext = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    if kind == "text" and ext in ("pdf", "docx"):
        raise ResumeError("broken_file", f"the file is named .{ext} but is not a valid {ext.upper()} file")
    if kind == "pdf":
        text = _pdf_text(data)
    elif kind == "docx":
        text = _docx_text(data)
    else:
        text = _decode_text(data)
    if len(text) > 2 * limits.text_chars:  # far too long: refused before normalising it character by character
        raise _too_long(len(text), limits)
    text = _normalise(text)
    if len(text) > limits.text_chars:
        raise _too_long(len(text), limits)
    if len(re.sub(r"\s", "", text)) < 10:
        raise ResumeError("empty", "the resume has no readable text")
    return kind, text


def _too_long(chars: int, limits: DocumentLimits) -> ResumeError:
    return ResumeError("text_too_long", f"the resume's text is {chars:,} characters long; at most "
                       f"{limits.text_chars:,} (about {limits.text_chars // 3000} pages) are accepted")
