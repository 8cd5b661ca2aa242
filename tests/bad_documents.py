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
