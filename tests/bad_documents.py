"""Resume files the parser must refuse, shared by the parser's, the bulk import's and the browser tests."""

from __future__ import annotations

import io

BROKEN_PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage garbage\n"


def scanned_pdf() -> bytes:
    """A PDF whose only page is an image (a few black lines, as a scan of text): no text layer."""
    from PIL import Image
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    img = Image.new("RGB", (200, 280), "white")
    for x in range(20, 180):
        for y in (30, 31, 50, 51, 70, 71):
            img.putpixel((x, y), (0, 0, 0))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.drawImage(ImageReader(img), 50, 100, width=400, height=560)
    c.showPage()
    c.save()
    return buf.getvalue()


def docx_with_body(body_bytes: int, *, varied: bool = False) -> bytes:
    """A DOCX (python-docx's own template) whose document.xml holds about ``body_bytes`` of paragraphs. Repeated
    paragraphs compress hundreds of times (a decompression bomb: a small file, a huge inside); ``varied`` numbers
    each paragraph, so it packs like ordinary text."""
    import re
    import zipfile

    import docx

    base = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("Jane Example")
    document.add_paragraph("jane@example.com  +1 555 0100")
    document.save(base)
    para = ('<w:p><w:r><w:t xml:space="preserve">Led a team of 8 engineers building payment services; cut '
            'latency by 40%% and costs by 25%% in 2021-2023 (entry %d).</w:t></w:r></w:p>')
    count = max(1, body_bytes // len(para % 0))
    paras = "".join(para % (i if varied else 0) for i in range(count))
    out = io.BytesIO()
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                data = re.sub(rb"(<w:body>)", lambda m: m.group(1) + paras.encode(), data, count=1)
            dst.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return out.getvalue()
