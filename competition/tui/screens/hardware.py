"""设备 Hardware: serial ports, protocol and track, serial settings, connect/disconnect, test impulses.

The port list comes from ``hardware.ports.list_ports`` (plus the simulated
timer's pty when one runs); connecting starts a ``TimingRecorder`` (which
refuses a port another Trackside process already reads). The settings in use
are shown: port, protocol, baud, RTS/CTS, the ACK its setting needs, and what
the timer's numbers mean (auto|bib|impulse, with what the data showed so
far). ``s`` changes baud / RTS/CTS / numbers for the port: remembered
(``hardware.protocols.settings.remember``) and, when connected, the timer is
reconnected with them (``app.disconnect_timer`` + ``app.connect_timer``).
A test slap on a pad shows up in the last impulses below; rejected lines
(line types the parser does not know, garbage from a wrong baud) are listed
and the highlighted one is shown in full below them: the reason (with the
likely baud rate when the bytes look like it) and its raw bytes, escaped.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Footer, Static

from competition import timing
from competition.tui.dialogs.confirm import ConfirmDialog
from competition.tui.dialogs.serial_settings import SerialSettingsDialog, parse
from competition.tui.i18n import localize_bindings
from competition.tui.screens.base import EventScreen
from competition.tui.widgets.fitted_table import Col, FittedTable
from competition.tui.widgets.screen_tabs import ScreenTabs
from competition.tui.widgets.timer_status_bar import TimerStatusBar
from hardware.ports import PortInfo, list_ports
from hardware.protocols import PROTOCOLS
from hardware.protocols.base import Protocol
from hardware.protocols.settings import COMMON_BAUDRATES, for_port, remember

if TYPE_CHECKING:
    from competition.event import Event

MAX_TRACK = 4
PORT_COLUMNS = (Col("col.port", 20, flex=True), Col("col.description", 12, drop=1))
IMPULSE_COLUMNS = (Col("col.seq", 5), Col("col.track", 4), Col("col.channel", 6), Col("col.device", 10, drop=1),
                   Col("col.disposition", 8, flex=True))
REJECTED_COLUMNS = (Col("col.seq", 5), Col("col.what", 20, flex=True))
RAW_SHOWN = 64  # bytes of a rejected line shown in full


def escaped(raw: bytes) -> str:
    """Raw bytes as printable text: ``b' 0001 C9  ...\\r'`` (every unprintable byte as \\xNN)."""
    return repr(raw[:RAW_SHOWN]) + ("…" if len(raw) > RAW_SHOWN else "")


def numbers_seen(event: Event, track: int, protocol: str) -> str | None:
    """What the timer's numbers turned out to be on this track: 'bib', 'impulse', or None (no impulses yet)."""
    rows = event.store.query(
        "SELECT bib FROM impulses WHERE track = ? AND protocol = ? AND channel != 'split' ORDER BY seq DESC LIMIT 200",
        (track, protocol),
    )
    if not rows:
        return None
    return "bib" if any(r["bib"] is not None for r in rows) else "impulse"


class HardwareScreen(EventScreen):
    """Timer connection and diagnostics."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,c", "connect", "key.connect", id="hardware.connect", key_display="Enter"),
        Binding("x", "disconnect", "key.disconnect", id="hardware.disconnect"),
        Binding("p", "next_protocol", "key.protocol", id="hardware.protocol"),
        Binding("t", "next_track", "key.track", id="hardware.track"),
        Binding("r", "rescan", "key.rescan", id="hardware.rescan"),
        Binding("s", "serial_settings", "key.serial_settings", id="hardware.serial_settings"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.ports: list[PortInfo] = []
        self.protocol = "alge"
        self.track = 1

    def compose(self) -> ComposeResult:
        app = self.trackside
        tr = app.tr
        localize_bindings(self, tr)
        self.track = app.track
        if app.recorder is not None:
            self.protocol = app.recorder.protocol.name
        yield TimerStatusBar(tr, id="status")
        yield ScreenTabs(tr, "hardware", id="tabs")
        with Horizontal(id="hardware-main"):
            with Vertical(id="ports-box"):
                yield Static(tr("hardware.ports"), classes="heading")
                yield FittedTable(app.tr, PORT_COLUMNS, id="ports", cursor_type="row")
                yield Static("", id="hardware-settings")
                yield Static(tr("hardware.test_hint"), id="hardware-hint")
            with Vertical(id="impulses-box"):
                yield Static(tr("hardware.impulses"), classes="heading")
                yield FittedTable(app.tr, IMPULSE_COLUMNS, id="impulses", cursor_type="row", zebra_stripes=True)
                yield Static(tr("hardware.rejected"), classes="heading")
                yield FittedTable(app.tr, REJECTED_COLUMNS, id="rejected", cursor_type="row")
                yield Static("", id="rejected-detail")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        ports = self.query_one("#ports", DataTable)
        self.action_rescan()
        ports.focus()

    def update_status(self) -> None:
        super().update_status()
        if self.is_mounted:
            self._show_settings()

    def on_key(self, event: events.Key) -> None:
        self.explain_key(event)

    # -- data ---------------------------------------------------------------------------------

    def refresh_data(self) -> None:
        app = self.trackside
        self.generation = app.generation
        tr = app.tr
        table = self.query_one("#impulses", FittedTable)
        table.clear()
        for imp in app.run_query(lambda: timing.impulses(app.event, limit=30)) or []:
            manual = f" {tr('timing.manual')}" if imp["manual"] else ""
            table.add_full_row(str(imp["seq"]), str(imp["track"]), tr(f"channel.{imp['channel']}") + manual,
                               imp["device"], tr(f"disposition.{imp['disposition']}"))
        rejected = self.query_one("#rejected", FittedTable)
        rejected.clear()
        self.rejected_rows = app.run_query(lambda: timing.rejected_frames(app.event, limit=20)) or []
        for r in self.rejected_rows:
            raw = base64.b64decode(r["b64"])[:24]
            reason = r["reason_en"] if app.lang == "en" else r["reason_zh"]
            rejected.add_full_row(str(r["seq"]), Text(f"{reason}  {raw!r}"))
        self._show_rejected(0)
        self._show_settings()

    def _show_rejected(self, row: int) -> None:
        """The rejected line at ``row`` in full: why, and its raw bytes escaped."""
        detail = self.query_one("#rejected-detail", Static)
        rows = getattr(self, "rejected_rows", [])
        if not 0 <= row < len(rows):
            detail.display = False
            return
        r = rows[row]
        reason = r["reason_en"] if self.trackside.lang == "en" else r["reason_zh"]
        detail.update(Text(self.trackside.tr("hardware.rejected_detail", seq=r["seq"], reason=reason,
                                             raw=escaped(base64.b64decode(r["b64"])))))
        detail.display = True

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "rejected":
            self._show_rejected(event.cursor_row)

    def _show_settings(self) -> None:
        app = self.trackside
        tr = app.tr
        text = tr("hardware.settings", protocol=self.protocol, track=self.track)
        rec = app.recorder
        if rec is not None:
            text += "\n" + tr("hardware.connected", url=rec.url, protocol=rec.protocol.name, track=rec.track)
        # The serial settings in use (or those the selected port will open with).
        proto = self.settings_protocol()
        if proto is not None:
            text += "\n" + self.settings_words(proto, rec.track if rec is not None else self.track)
        # Second timing laptops forwarding to this event through the venue server (trackside serve).
        from competition.venue_status import satellite_states

        for sat in satellite_states(app.event.path):
            text += "\n" + tr("hardware.satellite", name=sat["satellite"], track=sat["track"],
                               state=tr("status.online") if sat["online"] else tr("status.offline"),
                               backlog=sat.get("backlog", 0), last=sat.get("last_impulse") or "—")
        self.query_one("#hardware-settings", Static).update(text)

    def settings_protocol(self) -> Protocol | None:
        """The protocol with the settings in use (connected), else those the selected port would open with."""
        rec = self.trackside.recorder
        if rec is not None:
            return rec.protocol
        proto = PROTOCOLS.get(self.protocol)
        url = self.selected_port() if self.is_mounted else None
        return for_port(url, proto) if proto is not None and url else proto

    def settings_words(self, proto: Protocol, track: int) -> str:
        app = self.trackside
        tr = app.tr
        seen = app.run_query(lambda: numbers_seen(app.event, track, proto.name))
        detected = tr(f"serial.seen.{seen}") if seen else tr("serial.seen.none")
        factory = PROTOCOLS[proto.name].baudrate if proto.name in PROTOCOLS else proto.baudrate
        return tr("hardware.serial", baud=proto.baudrate, factory=factory,
                  rtscts=tr("serial.on") if proto.rtscts else tr("serial.off"),
                  ack=tr("serial.ack_on") if proto.ack_after_frames() else tr("serial.ack_off"),
                  numbers=proto.numbers, detected=detected)

    def baud_choices(self, proto: Protocol) -> tuple[int, ...]:
        factory = PROTOCOLS[proto.name] if proto.name in PROTOCOLS else proto
        rates = {factory.baudrate, proto.baudrate, *factory.other_baudrates}
        return tuple(sorted(rates)) if factory.other_baudrates else COMMON_BAUDRATES

    def action_serial_settings(self) -> None:
        app = self.trackside
        rec = app.recorder
        url = rec.url if rec is not None else self.selected_port()
        proto = self.settings_protocol()
        if url is None or proto is None:
            return
        name, track = proto.name, rec.track if rec is not None else self.track
        factory = PROTOCOLS[name].baudrate if name in PROTOCOLS else None
        tr = app.tr

        def answer(values: dict[str, str] | None) -> None:
            if not values:
                return
            baud, rtscts, numbers = parse(values)
            # The factory baud is remembered as "default", so another protocol on this port keeps its own.
            remember(url, baudrate=None if baud == factory else baud, rtscts=rtscts, numbers=numbers)
            words = tr("hardware.serial_changed", url=url, baud=baud,
                       rtscts=tr("serial.on") if rtscts else tr("serial.off"), numbers=numbers)
            if app.recorder is not None:
                app.disconnect_timer()
                if not app.connect_timer(url, name, track):
                    self._show_settings()
                    self.refresh_bindings()
                    return
                words += " " + tr("hardware.reconnected")
            app.notify(words, timeout=4)
            self._show_settings()
            self.refresh_bindings()

        app.push_screen(SerialSettingsDialog(url, proto, tr, baud_choices=self.baud_choices(proto)), answer)

    def action_rescan(self) -> None:
        app = self.trackside
        ports = list_ports()
        simulator: Any = app.simulator
        if simulator is not None:
            ports.insert(0, PortInfo(simulator.path, app.tr("hardware.simulated"), "pty"))
        self.ports = ports
        table = self.query_one("#ports", FittedTable)
        table.clear()
        for p in ports:
            table.add_full_row(p.device, "" if p.description in ("n/a", "") else p.description)  # pyserial's "n/a"
        if not ports:
            table.add_full_row(app.tr("hardware.no_ports"), "")

    # -- keys ----------------------------------------------------------------------------------

    def selected_port(self) -> str | None:
        table = self.query_one("#ports", DataTable)
        if not self.ports or not 0 <= table.cursor_row < len(self.ports):
            return None
        return self.ports[table.cursor_row].device

    def why_not(self, action: str, parameters: tuple[object, ...]) -> str | None:
        app = self.trackside
        tr = app.tr
        if action == "connect":
            if app.recorder is not None:
                return tr("why.already_connected")
            return None if self.ports else tr("why.no_port")
        if action == "disconnect":
            return None if app.recorder is not None else tr("why.not_connected")
        if action in ("next_protocol", "next_track") and app.recorder is not None:
            return tr("why.already_connected")
        if action == "serial_settings" and app.recorder is None and not self.ports:
            return tr("why.no_port")
        return None

    def action_connect(self) -> None:
        app = self.trackside
        url = self.selected_port()
        if url is None:
            return
        if app.connect_timer(url, self.protocol, self.track):
            app.notify(app.tr("hardware.connected", url=url, protocol=self.protocol, track=self.track), timeout=3)
            app.data_changed()
        self.refresh_bindings()

    def action_disconnect(self) -> None:
        app = self.trackside
        rec = app.recorder
        if rec is None:
            return

        def answer(yes: bool | None) -> None:
            if yes:
                app.disconnect_timer()
                app.notify(app.tr("hardware.disconnected"), timeout=3)
                self._show_settings()
                self.refresh_bindings()

        app.push_screen(ConfirmDialog(app.tr("title.disconnect", url=rec.url), app.tr), answer)

    def action_next_protocol(self) -> None:
        names = list(PROTOCOLS)
        self.protocol = names[(names.index(self.protocol) + 1) % len(names)] if self.protocol in names else names[0]
        self._show_settings()

    def action_next_track(self) -> None:
        self.track = self.track % MAX_TRACK + 1
        self._show_settings()
