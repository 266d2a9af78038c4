"""Results people share: one PDF per document for one print job, PNGs for the WeChat groups.

The renderer is headless Chromium (Debian's ``chromium`` package): the same
engine the print tests check the pages with, full CSS paged media (A4, page
breaks, one certificate per page) and the CJK fonts installed on the machine.
WeasyPrint was the other candidate; it has no PNG output any more and lays out
CJK line breaks differently from what the print tests see. Chromium is run as
a program (``--print-to-pdf``, ``--screenshot``) with no network and a
throw-away profile; without it the HTML documents are still written and the
message says how to install it.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from competition.errors import TracksideError

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--force-device-scale-factor=1")
SHARE_WIDTH = 1080  # px: what WeChat shows full width on a phone


class RendererMissing(TracksideError):
    pass


def chromium_binary() -> str:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser"),
                      shutil.which("google-chrome")):
        if candidate and Path(candidate).exists():
            return candidate
    raise RendererMissing(
        "生成 PDF/图片需要 Chromium：sudo apt-get install chromium fonts-noto-cjk（HTML 文件已照常生成）。",
        "PDFs and images need Chromium: sudo apt-get install chromium fonts-noto-cjk (the HTML files are written).",
    )


def _run(*args: str) -> None:
    with tempfile.TemporaryDirectory(prefix="trackside-chromium-") as profile:
        done = subprocess.run([chromium_binary(), *FLAGS, f"--user-data-dir={profile}", *args],
                              capture_output=True, timeout=180, check=False)
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        raise TracksideError(f"Chromium 渲染失败：{tail[0]}", f"Chromium failed to render: {tail[0]}")


def html_to_pdf(html: Path, pdf: Path) -> Path:
    """Print an HTML document to PDF (A4 as its CSS says), written beside it atomically."""
    tmp = pdf.with_name(f".{pdf.name}.tmp")
    _run("--no-pdf-header-footer", f"--print-to-pdf={tmp}", html.resolve().as_uri())
    if not tmp.exists() or not tmp.read_bytes()[:4] == b"%PDF":
        raise TracksideError(f"Chromium 没有生成 {pdf.name}。", f"Chromium wrote no {pdf.name}.")
    tmp.replace(pdf)
    return pdf


def html_to_png(html: Path, png: Path, *, width: int, height: int) -> Path:
    """A screenshot of an HTML page at exactly width × height CSS pixels."""
    tmp = png.with_name(f".{png.stem}.tmp.png")
    _run(f"--screenshot={tmp}", f"--window-size={width},{height}", html.resolve().as_uri())
    if not tmp.exists() or not tmp.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n":
        raise TracksideError(f"Chromium 没有生成 {png.name}。", f"Chromium wrote no {png.name}.")
    tmp.replace(png)
    return png


def png_size(png: Path) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk."""
    data = png.read_bytes()[:24]
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
