"""The serial settings of one timer port: baud, RTS/CTS, what the timer's numbers mean.

Returns {"baud": int text, "rtscts": "on" | "off", "numbers": auto|bib|impulse};
the values are checked here (``hardware.protocols.settings.check``) so a bad
baud never reaches the port. The hardware screen remembers them for the port
(``settings.remember``) and reconnects the timer.
"""

from __future__ import annotations

from competition.tui.dialogs.form import Field, FormDialog
from competition.tui.i18n import Texts
from hardware.protocols.base import NUMBERS_MODES, Protocol
from hardware.protocols.settings import BadSerialSetting, check

ON = ("on", "1", "y", "yes", "开", "是")
OFF = ("off", "0", "n", "no", "关", "否")


def parse(values: dict[str, str]) -> tuple[int, bool, str]:
    """(baud, rtscts, numbers) from the dialog's text; BadSerialSetting (zh/en) when one is not usable."""
    baud_text = values.get("baud", "").strip()
    if not baud_text.isdigit():
        raise BadSerialSetting(f"波特率必须是数字（收到 {baud_text or '空'}）", f"The baud rate must be a number (got {baud_text!r})")
    baud = int(baud_text)
    flow = values.get("rtscts", "").strip().lower()
    if flow not in ON + OFF:
        raise BadSerialSetting(f"RTS/CTS 请填 开 或 关（收到 {flow or '空'}）", f"RTS/CTS: type on or off (got {flow!r})")
    numbers = values.get("numbers", "").strip().lower()
    check(baudrate=baud, numbers=numbers)
    return baud, flow in ON, numbers


class SerialSettingsDialog(FormDialog):
    """Baud, RTS/CTS and numbers for ``url``, starting from the settings in use."""

    def __init__(self, url: str, protocol: Protocol, tr: Texts, *, baud_choices: tuple[int, ...]) -> None:
        on, off = tr("serial.on"), tr("serial.off")
        fields = [
            Field("baud", tr("serial.baud", choices=" ".join(map(str, baud_choices))), str(protocol.baudrate)),
            Field("rtscts", tr("serial.rtscts", on=on, off=off), on if protocol.rtscts else off),
            Field("numbers", tr("serial.numbers", choices="|".join(NUMBERS_MODES)), protocol.numbers),
        ]
        super().__init__(tr("title.serial", url=url, protocol=protocol.name), tr, fields, ask_reason=False,
                         validate=self._check)

    def _check(self, values: dict[str, str]) -> str | None:
        try:
            parse(values)
        except BadSerialSetting as exc:
            return exc.message_en if self.tr.lang == "en" else exc.message_zh
        return None
