"""Telling a CSV's text encoding, and asking when it cannot be told.

Clerks' CSVs come from Excel: UTF-8 (with or without a BOM), "Unicode
text" (UTF-16 with a BOM) or, on a Chinese Windows, GBK. Those are read
without asking. Anything else is refused with the likely encodings and the
``--encoding NAME`` to use: GB18030 decodes almost any byte string, so a
Big5 or Shift-JIS file read as GBK comes out as plausible-looking nonsense
(陳大文 -> 朝ゅ) and must never be guessed.

The check is a confidence measure of its own, no dictionary needed: every
national standard puts its common characters in one block (GB2312's 6,763
hanzi, Big5's level-1 hanzi, JIS X 0208 level-1 kanji and kana, KS X 1001
hangul). Real text in an encoding lands almost wholly inside that block;
the same bytes read in another encoding scatter over rare characters,
symbols and kana. A file is taken as GBK only when at least 90 % of its
non-ASCII characters read as GBK fall in that block and no other encoding
comes within 10 points.
"""

from __future__ import annotations

import codecs
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from competition.registration.errors import RegistrationError

CLEAR = 0.90
"""The share of common characters above which an encoding is believed."""
MARGIN = 0.10
"""How far ahead of every other candidate the believed encoding must be."""
SAMPLE_BYTES = 256 * 1024
"""How much of the file's non-ASCII lines the measure looks at."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """An encoding a CSV might be in: its codec, the --encoding name, how it is called."""

    codec: str
    option: str
    zh: str
    en: str
    common: Callable[[int, int], bool]
    """(lead byte, trail byte) of one two-byte character -> is it in the common block."""


CANDIDATES = (
    Candidate("gb18030", "gbk", "GBK（简体中文）", "GBK (Simplified Chinese)",
              lambda b1, b2: (0xB0 <= b1 <= 0xF7 or 0xA1 <= b1 <= 0xA3) and b2 >= 0xA1),
    Candidate("big5", "big5", "Big5（繁体中文）", "Big5 (Traditional Chinese)",
              lambda b1, b2: 0xA4 <= b1 <= 0xC6 or 0xA1 <= b1 <= 0xA3),
    Candidate("shift_jis", "shift_jis", "Shift-JIS（日文）", "Shift-JIS (Japanese)",
              lambda b1, b2: 0x88 <= b1 <= 0x98 or 0x81 <= b1 <= 0x83),
    Candidate("euc_kr", "euc_kr", "EUC-KR（韩文）", "EUC-KR (Korean)",
              lambda b1, b2: (0xB0 <= b1 <= 0xC8 or 0xA1 <= b1 <= 0xA3) and b2 >= 0xA1),
)
_GBK = CANDIDATES[0]
_BINARY_BYTES = [bytes([b]) for b in range(32) if b not in (9, 10, 13)]
_NON_ASCII_LINE = re.compile(rb"[^\n]*[\x80-\xff][^\n]*\n?")
_LATIN_WORD = re.compile(r"(?<=[A-Za-z])[\u00c0-\u00ff]|[\u00c0-\u00ff](?=[A-Za-z])")


def _fail(path: Path, zh: str, en: str) -> RegistrationError:
    return RegistrationError(str(path), zh, en)


def share_common(text: str, candidate: Candidate) -> float:
    """The share of ``text``'s non-ASCII characters in the candidate's common block."""
    counts = Counter(text)
    total = common = 0
    for ch, n in counts.items():
        if ch < "\x80":
            continue
        total += n
        try:
            raw = ch.encode(candidate.codec)
        except UnicodeEncodeError:
            continue
        if len(raw) == 2 and candidate.common(raw[0], raw[1]):
            common += n
    return common / total if total else 1.0


def _sample(data: bytes) -> bytes:
    """The file's first lines holding non-ASCII bytes, about SAMPLE_BYTES of them."""
    parts: list[bytes] = []
    size = 0
    for match in _NON_ASCII_LINE.finditer(data):
        parts.append(match.group(0))
        size += len(parts[-1])
        if size >= SAMPLE_BYTES:
            break
    return b"".join(parts)


def likely_encodings(data: bytes) -> list[tuple[Candidate, float]]:
    """Candidates that decode the sample, best first, with their share of common characters."""
    sample = _sample(data)
    found: list[tuple[Candidate, float]] = []
    for candidate in CANDIDATES:
        try:
            text = sample.decode(candidate.codec)
        except UnicodeDecodeError:
            continue
        found.append((candidate, share_common(text, candidate)))
    found.sort(key=lambda item: -item[1])
    return found


def _western(data: bytes) -> bool:
    """Accented Latin letters inside words when read as Windows-1252 (José, Müller)."""
    text = _sample(data).decode("cp1252", "replace")
    accented = sum(1 for ch in text if "\u00c0" <= ch <= "\u00ff")
    return accented > 0 and len(_LATIN_WORD.findall(text)) >= 0.8 * accented


def _position(data: bytes, offset: int) -> tuple[int, int]:
    """(line, byte column), 1-based, of a byte offset."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, offset - line_start + 1


def decode_with(path: Path, data: bytes, name: str) -> tuple[str, str]:
    """The text of a CSV in the encoding the organizer named (``--encoding``)."""
    try:
        codec = codecs.lookup(name)
    except LookupError:
        raise _fail(path, f"不认识的编码“{name}”；常用的有 utf-8、gbk、gb18030、big5、shift_jis、utf-16",
                    f"unknown encoding '{name}'; common ones are utf-8, gbk, gb18030, big5, "
                    "shift_jis, utf-16") from None
    if codec.name in ("utf-8", "utf-16") and data.startswith(
            (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        codec = codecs.lookup("utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-16")
    try:
        return data.decode(codec.name), name
    except UnicodeDecodeError as exc:
        line, column = _position(data, exc.start)
        raise _fail(path, f"按 {name} 编码读取时，第 {line} 行第 {column} 个字节无法解码；请确认编码是否正确",
                    f"as {name}, byte {column} of line {line} cannot be decoded; check the encoding"
                    ) from None


def _ask(path: Path, data: bytes, reason_zh: str, reason_en: str) -> RegistrationError:
    likely = [(c, share) for c, share in likely_encodings(data) if share >= 0.5]
    names_zh = [c.zh for c, _ in likely]
    names_en = [c.en for c, _ in likely]
    options = [c.option for c, _ in likely]
    if _western(data):
        names_zh.append("Windows-1252（西文）")
        names_en.append("Windows-1252 (Western European)")
        options.append("cp1252")
    if not options:
        options = ["gbk", "big5"]
    listed_zh = f"，可能是：{'、'.join(names_zh)}" if names_zh else ""
    listed_en = f"; likely: {', '.join(names_en)}" if names_en else ""
    example = options[0]
    return _fail(
        path,
        f"无法确定文件的编码（{reason_zh}）{listed_zh}。为免导入乱码，没有导入任何内容；"
        f"请确认编码后加上 --encoding 指定，例如 --encoding {example}"
        f"（可用：{'、'.join(options)}），或在 Excel 中另存为 .xlsx",
        f"cannot tell the file's text encoding ({reason_en}){listed_en}. To avoid importing "
        f"garbled names nothing was imported: check it and name it with --encoding, e.g. "
        f"--encoding {example} (choices: {', '.join(options)}), or save the file as .xlsx",
    )


def _nul_parity(data: bytes) -> str | None:
    """"utf-16-le"/"utf-16-be" when NUL bytes sit on one side of each pair (UTF-16 text)."""
    head = data[:SAMPLE_BYTES]
    even, odd = head[0::2].count(0), head[1::2].count(0)
    pairs = len(head) // 2
    if pairs and odd > 0.3 * pairs and even < 0.05 * pairs:
        return "utf-16-le"
    if pairs and even > 0.3 * pairs and odd < 0.05 * pairs:
        return "utf-16-be"
    return None


def detect_and_decode(path: Path, data: bytes) -> tuple[str, str]:
    """The text of a CSV and its encoding, or a RegistrationError that asks.

    A BOM is believed (UTF-8, UTF-16). Strict UTF-8 is believed. GBK is
    believed only when the measure says so clearly. Text with NUL bytes on
    every other byte (UTF-16 without a BOM) is asked about; binary content
    (many NUL bytes) is refused; a few NUL bytes are left for the reader to
    name by row and column.
    """
    if data.startswith(codecs.BOM_UTF8):
        return _decoded(path, data, "utf-8-sig")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decoded(path, data, "utf-16")
    nuls = data.count(0)
    if nuls:
        utf16 = _nul_parity(data)
        if utf16 is not None:
            raise _fail(
                path,
                f"文件像是没有 BOM 的 UTF-16 文本；为免导入乱码，没有导入任何内容；"
                f"请加上 --encoding {utf16} 再导入，或在 Excel 中另存为 .xlsx",
                f"the file looks like UTF-16 text without a BOM; nothing was imported: "
                f"add --encoding {utf16}, or save the file as .xlsx",
            )
        head = data[:SAMPLE_BYTES]
        controls = sum(head.count(b) for b in _BINARY_BYTES)
        if controls > max(3, len(head) // 200):
            raise _fail(path, "不是表格文件（内容是二进制数据）；请导入 .xlsx 或 .csv",
                        "not a spreadsheet (binary content); import an .xlsx or .csv file")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    likely = likely_encodings(data)
    gbk_share = next((share for c, share in likely if c is _GBK), None)
    rival = max((share for c, share in likely if c is not _GBK), default=0.0)
    if gbk_share is None:
        if not likely:
            raise _fail(path, "文件编码无法识别（不是 UTF-8 也不是 GBK）；请用 --encoding 指定编码，"
                              "或在 Excel 中另存为 .xlsx",
                        "unknown text encoding (neither UTF-8 nor GBK); name it with --encoding, "
                        "or save the file as .xlsx in Excel")
        raise _ask(path, data, "不是 UTF-8，也不是 GBK", "neither UTF-8 nor GBK")
    if gbk_share < CLEAR or gbk_share - rival < MARGIN:
        raise _ask(path, data, "不是 UTF-8，读作 GBK 也不像中文" if gbk_share < CLEAR
                   else "不是 UTF-8，读作 GBK 或其他编码都说得通",
                   "not UTF-8, and read as GBK it does not look like Chinese" if gbk_share < CLEAR
                   else "not UTF-8, and more than one encoding reads plausibly")
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as exc:
        line, column = _position(data, exc.start)
        raise _fail(path, f"文件编码无法识别：按 GBK 读取时第 {line} 行第 {column} 个字节无法解码；"
                          "请用 --encoding 指定编码，或在 Excel 中另存为 .xlsx",
                    f"unknown text encoding: read as GBK, byte {column} of line {line} cannot be "
                    "decoded; name it with --encoding, or save the file as .xlsx") from None
    return text, ("gbk" if _is_gbk(data) else "gb18030")


def _decoded(path: Path, data: bytes, codec: str) -> tuple[str, str]:
    try:
        return data.decode(codec), codec
    except UnicodeDecodeError as exc:
        line, column = _position(data, exc.start)
        raise _fail(path, f"文件开头标明是 {codec}，但第 {line} 行第 {column} 个字节无法解码；文件可能已损坏",
                    f"the file starts as {codec} but byte {column} of line {line} cannot be "
                    "decoded; the file may be damaged") from None


def _is_gbk(data: bytes) -> bool:
    try:
        data.decode("gbk")
    except UnicodeDecodeError:
        return False
    return True
