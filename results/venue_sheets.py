"""Paper for the venue network: the spectators' QR poster and the judges' QR cards.

The poster sends phones to the live results (``/``); each judge's card, printed
on her segment's paper sheet, logs her phone in to her segment
(``/judge#t=TOKEN``: the token travels in the fragment, which browsers never
send to a server or in a Referer). The PIN under the QR code is the same token
for typing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from competition.event import Event
    from results.documents import EventInfo

POSTER_FILE = "现场二维码海报.html"


@dataclass(frozen=True, slots=True)
class JudgeCard:
    segment: str
    segment_zh: str
    segment_en: str
    pin: str
    url: str
    qr_svg: str


def qr_svg(url: str, *, scale: int = 4) -> str:
    """An inline SVG QR code (segno), dark on white, with its quiet zone."""
    import segno

    return segno.make(url, error="m").svg_inline(scale=scale, dark="#000", light="#fff")


def judge_url(base_url: str, token: str) -> str:
    return base_url.rstrip("/") + "/judge#t=" + token


def judge_cards(event: Event, base_url: str) -> dict[str, JudgeCard]:
    """A card per active judge token, by segment code (``*`` for the head referee)."""
    from competition.judges import HEAD_REFEREE, active_tokens

    names = {s.code: (s.name_zh, s.name_en) for s in event.course.all_segments()}
    names[HEAD_REFEREE] = ("裁判长（全部赛段）", "Head referee (every segment)")
    cards = {}
    for t in active_tokens(event):
        url = judge_url(base_url, t.token)
        zh, en = names.get(t.segment, (t.segment, t.segment))
        cards[t.segment] = JudgeCard(t.segment, zh, en, t.pin, url, qr_svg(url, scale=3))
    return cards


def render_poster(info: EventInfo, base_url: str) -> str:
    """One A4 page: the event, a big QR code to the live results and the address to type."""
    from results.printing import _render

    return _render("poster.html", info, url=base_url.rstrip("/") + "/", qr=qr_svg(base_url.rstrip("/") + "/", scale=10))
