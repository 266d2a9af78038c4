"""Every string the trackside app shows, in Chinese (default) and English.

``Texts(lang)`` looks a key up and formats it: ``tr("no_rider_on_course")``.
A key missing here is a bug, and ``tests/ui`` checks both languages have every
key. Binding descriptions are keys too: screens translate them when mounted.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from competition import glossary as g


def _words(table: dict[str, g.Term], code: str) -> tuple[str, str]:
    """A glossary word as an i18n pair: statuses, states and columns are the glossary's."""
    return table[code].zh, table[code].en


STRINGS: dict[str, tuple[str, str]] = {
    # -- screens ---------------------------------------------------------------
    "screen.timing": ("计时", "Timing"),
    "screen.checkin": ("签到", "Check-in"),
    "screen.standings": ("成绩", "Standings"),
    "screen.journal": ("记录", "Journal"),
    "screen.hardware": ("设备", "Hardware"),
    "screen.help": ("帮助", "Help"),
    # -- app bindings ------------------------------------------------------------
    "key.timing": ("计时", "Timing"),
    "key.checkin": ("签到", "Check-in"),
    "key.standings": ("成绩", "Standings"),
    "key.journal": ("记录", "Journal"),
    "key.hardware": ("设备", "Hardware"),
    "key.help": ("帮助", "Help"),
    "key.palette": ("命令", "Commands"),
    "key.quit": ("退出", "Quit"),
    "key.silence": ("消除警报", "Silence alarm"),
    # -- timing screen bindings --------------------------------------------------
    "key.arm": ("赛段", "Segment"),
    "key.disarm": ("取消赛段", "Disarm"),
    "key.undo_penalty": ("撤销判罚", "Undo penalty"),
    "key.select_prev": ("上一位", "Previous rider"),
    "key.select_next": ("下一位", "Next rider"),
    "key.manual_start": ("手动出发", "Manual start"),
    "key.manual_finish": ("手动到达", "Manual finish"),
    "key.dnf": _words(g.STATUSES, "DNF"),
    "key.dsq": _words(g.STATUSES, "DSQ"),
    "key.skip": ("顺延", "Skip"),
    "key.dns": _words(g.STATUSES, "DNS"),
    "key.rerun": ("重赛", "Rerun"),
    "key.confirm": ("确认成绩", "Confirm run"),
    "key.undo_start": ("撤销出发", "Undo start"),
    "key.undo_finish": ("撤销到达", "Undo finish"),
    "key.assign": ("指定脉冲", "Assign impulse"),
    "key.discard": ("搁置脉冲", "Set impulse aside"),
    "key.withdraw_rider": ("退赛", "Withdraw rider"),
    "title.withdraw_rider": ("{bib} 号 {name} 退赛（保留记录，移出出发队列）", "Bib {bib} {name} withdraws (kept on file, off the queue)"),
    "checkin.withdrawn": ("{bib} 号 {name} 已退赛", "Bib {bib} {name} withdrawn"),
    # -- the rider a key acts on (issue 12) -------------------------------------
    "rider": ("{bib}\u00a0号\u00a0{name}", "bib\u00a0{bib}\u00a0{name}"),
    "timing.target": ("判罚对象：{rider}（{why}）", "Calls go to: {rider} ({why})"),
    "timing.target_now": ("现在是 {rider}", "now {rider}"),
    "timing.target_moved": ("判罚对象已改变：{before} 不再可判罚，{now}", "The target moved: {before} is no longer eligible; {now}"),
    "target.picked": ("手选", "chosen"),
    "target.oldest": ("赛道上最早出发", "first on course"),
    "target.nearest": ("最接近「{segment}」", "nearest {segment}"),
    "target.grace": ("刚到达，还可补判 {s} 秒", "just finished, late calls for {s} s"),
    "target.nobody": ("无", "nobody"),
    "why.armed": ("赛段已选中：字母键只用于判罚（Esc 取消）", "A segment is armed: letters call infractions (Esc cancels)"),
    "refuse.dnf_has_time": ("{rider} 已到达，成绩 {time}：DNF 只用于赛道上的选手（更改状态请到 F4 记录）",
                            "{rider} finished in {time}: DNF is for a rider on course (change a status on F4)"),
    "refuse.dnf_finished": ("{rider} 已不在赛道上（{status}）：DNF 只用于赛道上的选手",
                            "{rider} is no longer on course ({status}): DNF is for a rider on course"),
    "refuse.not_on_course": ("{rider} 已不在赛道上：此键只用于赛道上的选手", "{rider} is not on course: this key is for a rider on course"),
    "refuse.still_on_course": ("{rider} 仍在赛道上：此键只用于已到达的选手", "{rider} is still on course: this key is for a finisher"),
    "refuse.confirmed": ("{rider} 的成绩已确认（✔），不能再改动；更正须裁判长在 F4 记录写明原因",
                         "{rider}'s run is confirmed (✔): no more changes here; the head referee corrects it on F4 with a reason"),
    "refuse.already_confirmed": ("{rider} 的成绩已经确认过了", "{rider}'s run is already confirmed"),
    "refuse.already_dsq": ("{rider} 已是 DSQ", "{rider} is already DSQ"),
    "refuse.rerun_granted": ("{rider} 已准予重赛，该成绩不再计入", "{rider} already has a rerun; this run no longer counts"),
    "refuse.no_finish": ("{rider} 没有终点时间可撤销", "{rider} has no finish to undo"),
    "refuse.no_target": ("没有可操作的选手", "No rider to act on"),
    "done.dnf": ("{rider}：已记为 DNF", "{rider}: DNF recorded"),
    "done.dsq": ("{rider}：已记为 DSQ", "{rider}: DSQ recorded"),
    "done.rerun": ("{rider}：已准予重赛，回到队首", "{rider}: rerun granted, back at the front"),
    "done.undo_start": ("{rider}：已撤销出发，回到队首", "{rider}: start undone, back at the front"),
    "done.undo_finish": ("{rider}：已撤销到达，回到赛道上", "{rider}: finish undone, back on course"),
    "timing.finish_ignored": ("手动到达没有计给 {rider}：{why}", "The manual finish did not time {rider}: {why}"),
    "timing.assigned": ("脉冲 #{seq} 已指定：{what}", "Impulse #{seq} assigned: {what}"),
    "timing.discarded": ("脉冲 #{seq} 已搁置（保留记录）", "Impulse #{seq} set aside (kept on file)"),
    "assign.device_time": ("计时器时间 {time}", "timer clock {time}"),
    "assign.seconds": ("{s} 秒", "{s} s"),
    "assign.age": ("{age} 前收到", "received {age} ago"),
    "assign.replayed": ("来自计时器内存回放", "replayed from the timer's memory"),
    "assign.type_bib": ("输入号码后显示结果", "Type a bib to see the result"),
    "assign.type_run": ("输入成绩编号后显示结果", "Type a run number to see the result"),
    "assign.no_such_run": ("没有这个成绩编号", "No such run"),
    "assign.start_unknown": ("指定后 {bib} 号从此脉冲开始计时（本机时钟无法换算已用时间）",
                             "Bib {bib}'s clock starts at this impulse (elapsed unknown on this host clock)"),
    "assign.start_result": ("指定后 {bib} 号的计时从 {time} 开始走", "Bib {bib}'s clock would start at {time}"),
    "assign.start_over": ("该脉冲已是 {time} 前：计时会立即超过限时", "That impulse is {time} old: the clock would be over the limit at once"),
    "assign.finish_result": ("记录后 {bib} 号 {name} 的用时为 {time}", "Bib {bib} {name}'s raw time would be {time}"),
    "assign.replaces": ("（代替现在的 {time}）", "(replacing {time})"),
    "assign.below_min": ("用时 {time} 短于最短用时 {limit}", "Raw time {time} is below the minimum run {limit}"),
    "assign.over_limit": ("用时 {time} 超过限时 {limit}（将记为 DNF）", "Raw time {time} is over the time limit {limit} (DNF)"),
    "assign.confirm_outside": ("{why}。确定要记录请再按一次 Enter（原因记入日志）", "{why}. Press Enter again to record it anyway (the reason is journaled)"),
    "assign.summary_start": ("{bib} 号出发", "bib {bib} started"),
    "assign.summary_finish": ("{bib} 号用时 {time}", "bib {bib} raw {time}"),
    "flag.below_min": ("短于最短用时", "below min run"),
    "flag.over_limit": ("超过限时", "over limit"),
    "flag.far_from_field": ("与其他选手相差悬殊", "far from the field"),
    # -- the timer's own checks (issue #11: net times, rider numbers) ---------------
    "col.timer": ("计时器", "Timer"),
    "flag.timer_disagrees": ("与计时器不符 {time}", "timer says {time}"),
    "flag.timer_kept": ("保留本机时间", "kept own time"),
    "timer.disagreement": ("成绩 {run} · {bib} 号 {name}：本机 {trackside}，计时器 {timer}",
                           "run {run} · bib {bib} {name}: Trackside {trackside}, timer {timer}"),
    "timer.mismatch_queue": ("#{seq} {channel}：队列下一位是 {queue_bib} 号 {queue_name}，计时器号码是 {bib} 号 {name}"
                             "（按计时器：{what}）",
                             "#{seq} {channel}: the queue expected bib {queue_bib} {queue_name}, the timer's number is"
                             " bib {bib} {name} (went by the timer: {what})"),
    "timer.mismatch_note": ("#{seq} {channel}：{note}", "#{seq} {channel}: {note}"),
    "timer.disagreements": ("与计时器用时不符", "Differs from the timer's own time"),
    "timer.decide_hint": ("按\u00a0t\u00a0处理", "t to decide"),
    "timer.mismatches": ("计时器号码与队列不符", "Timer number ≠ queue"),
    "timer.mismatch_hint": ("m\u00a0知悉，w\u00a0交换终点", "m to acknowledge, w to swap finishes"),
    "timer.more": ("……另有 {n} 条", "… {n} more"),
    "timer.choices": ("1 = 采用计时器时间 {timer}；2 = 保留本机时间 {trackside}",
                      "1 = use the timer's time {timer}; 2 = keep Trackside's {trackside}"),
    "timer.choose_1_2": ("请输入 1 或 2", "Type 1 or 2"),
    "timer.used_timer": ("{rider} 的用时已改为计时器的 {time}", "{rider}'s time set to the timer's {time}"),
    "timer.kept": ("{rider} 保留本机时间 {time}（理由已记录）", "{rider} keeps Trackside's time {time} (reason journaled)"),
    "alarm.timer_disagrees": ("⚠ {n} 个成绩与计时器自己的用时不符！按 t 处理，m 消除警报",
                              "⚠ {n} run(s) differ from the timer's own time! t to decide, m to silence"),
    "alarm.number_mismatch": ("⚠ 计时器号码与队列不符 {n} 次：成绩已按计时器号码记录，m 知悉",
                              "⚠ The timer's number differed from the queue {n}×: runs went by the timer's number;"
                              " m to acknowledge"),
    "why.no_disagreement": ("没有与计时器不符的成绩", "No run differs from the timer"),
    "key.timer_check": ("计时器核对", "Timer check"),
    "key.swap": ("交换终点", "Swap finishes"),
    "title.timer_check": ("成绩 {run}（{bib} 号 {name}）与计时器不符", "Run {run} (bib {bib} {name}) differs from the timer"),
    "title.swap": ("交换两次成绩的终点时间（后出发者超车）", "Swap two runs' finishes (rider B overtook rider A)"),
    "swap.run_a": ("成绩编号 A（{hint}）", "Run A ({hint})"),
    "swap.run_b": ("成绩编号 B", "Run B"),
    "swap.two_runs": ("请填写两个成绩编号", "Type two run numbers"),
    "swap.done": ("成绩 #{a} 与 #{b} 的终点时间已交换", "Finishes of runs #{a} and #{b} swapped"),
    # -- check-in bindings -------------------------------------------------------
    "key.checkin_selected": ("签到", "Check in"),
    "key.search": ("搜索", "Search"),
    "key.move_up": ("上移", "Move up"),
    "key.move_down": ("下移", "Move down"),
    "key.scratch": ("取消出发", "Scratch"),
    "key.next_track": ("换赛道", "Next track"),
    "key.focus_queue": ("队列", "Queue"),
    # -- standings bindings ------------------------------------------------------
    "key.platform": ("平台筛选", "Platform filter"),
    # -- journal bindings --------------------------------------------------------
    "key.filter": ("筛选", "Filter"),
    "key.correct_time": ("更正时间", "Correct time"),
    "key.set_status": ("更改状态", "Set status"),
    "key.withdraw": ("撤销该判罚", "Withdraw penalty"),
    "key.edit_rider": ("修改选手", "Edit rider"),
    # -- hardware bindings -------------------------------------------------------
    "key.connect": ("连接", "Connect"),
    "key.disconnect": ("断开", "Disconnect"),
    "key.protocol": ("协议", "Protocol"),
    "key.track": ("赛道", "Track"),
    "key.rescan": ("刷新串口", "Rescan ports"),
    # -- dialogs -----------------------------------------------------------------
    "key.ok": ("确定", "OK"),
    "key.cancel": ("取消", "Cancel"),
    "key.yes": ("是", "Yes"),
    "key.no": ("否", "No"),
    "dialog.reason": ("原因", "Reason"),
    "dialog.reason_placeholder": ("必须写明原因（记入日志）", "A reason is required (journaled)"),
    "dialog.operator": ("操作人（裁判长姓名）", "Operator (head referee's name)"),
    "dialog.operator_placeholder": ("本次会话只问一次", "Asked once per session"),
    "dialog.need_reason": ("请写明原因。", "Please give a reason."),
    "dialog.need_operator": ("此更正须由具名裁判作出：请填写操作人。", "A correction needs a named operator: fill in who you are."),
    "dialog.time": ("新的用时（秒，例如 62.34 或 1:02.34）", "New raw time (seconds, e.g. 62.34 or 1:02.34)"),
    "dialog.status": ("新的状态：" + " / ".join(f"{c}（{t.zh}）" for c, t in g.STATUSES.items()),
                      "New status: " + " / ".join(g.STATUSES)),
    "dialog.bib": ("选手号码", "Bib"),
    "dialog.run": ("成绩编号", "Run"),
    "dialog.name": ("姓名", "Name"),
    "dialog.phone": ("手机号", "Phone"),
    "dialog.platform": ("平台", "Platform"),
    "dialog.confirm_title": ("请确认", "Please confirm"),
    "dialog.yes_no": ("[b]y[/b]\u00a0是   [b]n[/b]\u00a0否", "[b]y[/b]\u00a0yes   [b]n[/b]\u00a0no"),
    # -- titles of the reason dialogs --------------------------------------------
    "title.dnf": ("{bib} 号 {name}：记为" + g.STATUSES["DNF"].meaning_zh, "Bib {bib} {name}: DNF (did not finish)"),
    "title.dsq": ("{bib} 号 {name}：" + g.STATUSES["DSQ"].meaning_zh, "Bib {bib} {name}: disqualify the run (DSQ)"),
    "title.rerun": ("{bib} 号 {name}：准予重赛", "Bib {bib} {name}: grant a rerun"),
    "title.undo_start": ("{bib} 号 {name}：撤销出发（回到队首）", "Bib {bib} {name}: undo the start (back to the front)"),
    "title.undo_finish": ("{bib} 号 {name}：撤销到达（回到赛道上）", "Bib {bib} {name}: undo the finish (back on course)"),
    "title.confirm": ("{bib} 号 {name}：确认成绩", "Bib {bib} {name}: confirm the run"),
    "title.scratch": ("{bib} 号 {name}：取消出发（记为" + g.STATUSES["DNS"].zh + "）？",
                      "Bib {bib} {name}: scratch from the queue (DNS)?"),
    "title.correct_time": ("更正成绩 {run}（{bib} 号 {name}）", "Correct run {run} (bib {bib} {name})"),
    "title.set_status": ("更改成绩 {run} 的状态（{bib} 号 {name}）", "Set the status of run {run} (bib {bib} {name})"),
    "title.withdraw": ("撤销判罚 #{penalty}（{bib} 号）", "Withdraw penalty #{penalty} (bib {bib})"),
    "title.edit_rider": ("修改 {bib} 号选手信息", "Edit rider {bib}"),
    "title.assign": ("指定脉冲 #{seq}（{track} 道 {channel}）", "Assign impulse #{seq} (track {track} {channel})"),
    "title.discard": ("搁置脉冲 #{seq}（{track} 道 {channel}）：保留记录，不用于计时",
                      "Set impulse #{seq} aside (track {track} {channel}): kept, never used"),
    # Explicit line breaks: a wrapped CJK line must not split a number from its word.
    "title.quit": ("{n}\u00a0名选手仍在赛道上。\n退出后成绩继续有效，重新打开即可接着计时。\n确定退出？",
                   "{n} riders are on course.\nTheir runs stay open; reopen to carry on.\nQuit?"),
    "title.disconnect": ("断开计时器 {url}？断开期间的脉冲会留在计时器内存里。",
                         "Disconnect the timer {url}? Impulses meanwhile stay in the timer's memory."),
    "assign.start_hint": ("出发脉冲：输入要出发的选手号码（须在队列中）。", "Start impulse: type the bib of the rider who started (queued)."),
    "assign.finish_hint": ("到达脉冲：选择成绩编号（赛道上的选手或手动到达的成绩）。",
                           "Finish impulse: choose the run (a rider on course, or a hand-keyed finish)."),
    "assign.candidate_hint": ("计时器内存回放的到达时间：选它代替手动到达时间。",
                              "A finish replayed from the timer's memory: choose it over the hand-keyed one."),
    "assign.default_reason": ("计时器回放的真实到达时间", "real finish from the timer's memory"),
    "discard.default_reason": ("试踩计时垫", "test slap on the pad"),
    # -- timing screen -----------------------------------------------------------
    "timing.on_course": ("赛道上", "On course"),
    "timing.nobody_on_course": ("赛道上没有选手。按 s 手动出发，或等待出发信号。",
                                "Nobody on course. Press s for a manual start, or wait for the start pad."),
    "timing.queue": ("下一位（{track} 道）", "Next up (track {track})"),
    "timing.queue_empty": ("队列为空：到 F2 签到。", "Queue empty: check riders in with F2."),
    "timing.finishers": ("最近到达", "Last finishers"),
    "timing.penalties": ("判罚", "Penalties"),
    "timing.segments_hint": ("按赛段数字键，再按违规字母：", "Press a segment digit, then an infraction letter:"),
    "timing.armed": ("赛段 [{key}] {name}：按字母判罚，Esc 取消", "Segment [{key}] {name}: press a letter, Esc to cancel"),
    "timing.no_target": ("判罚对象：无", "Penalty goes to: nobody"),
    "timing.orphans": ("待处理脉冲（按 a 指定）", "Impulses to decide (press a to assign)"),
    "timing.over_limit": ("超时", "over limit"),
    "timing.manual": ("手动", "manual"),
    "timing.penalty_called": ("{rider}：{segment}·{name} {what}", "{rider}: {segment}·{name} {what}"),
    "timing.penalty_undone": ("已撤销 {rider} 的判罚 #{penalty}", "Withdrew penalty #{penalty} of {rider}"),
    "timing.started": ("{bib} 号 {name} 出发", "Bib {bib} {name} started"),
    "timing.finished": ("{rider} 手动到达 {time}", "{rider} finished by hand {time}"),
    "timing.skipped": ("{bib} 号 {name} 顺延到队尾", "Bib {bib} {name} moved to the back"),
    "timing.scratched": ("{bib} 号 {name} 取消出发（记为" + g.STATUSES["DNS"].zh + "）", "Bib {bib} {name} scratched (DNS)"),
    "timing.done": ("已记录。", "Recorded."),
    "timing.confirmed": ("{rider} 的成绩已确认 ✔", "{rider}'s run confirmed ✔"),
    "col.bib": _words(g.COLUMNS, "bib"),
    "col.name": _words(g.COLUMNS, "name"),
    "col.platform": _words(g.COLUMNS, "platform"),
    "col.station": _words(g.COLUMNS, "station"),
    "col.phone": _words(g.COLUMNS, "phone"),
    "col.raw": _words(g.COLUMNS, "raw"),
    "col.penalty": _words(g.COLUMNS, "penalty"),
    "col.adjusted": _words(g.COLUMNS, "adjusted"),
    "col.status": _words(g.COLUMNS, "status"),
    "col.rank": _words(g.COLUMNS, "rank"),
    "col.mark": _words(g.COLUMNS, "note"),
    "col.track": _words(g.COLUMNS, "track"),
    "col.seq": _words(g.COLUMNS, "seq"),
    "col.time": _words(g.COLUMNS, "time"),
    "col.kind": _words(g.COLUMNS, "kind"),
    "col.operator": _words(g.COLUMNS, "operator"),
    "col.terminal": _words(g.COLUMNS, "terminal"),
    "col.what": _words(g.COLUMNS, "what"),
    "col.channel": _words(g.COLUMNS, "channel"),
    "col.disposition": _words(g.COLUMNS, "disposition"),
    "col.device": _words(g.COLUMNS, "device"),
    "col.description": ("描述", "Description"),
    "col.port": ("串口", "Port"),
    "col.queue_pos": ("序", "#"),
    # -- alarm ------------------------------------------------------------------------
    "alarm.offline": ("⚠ 计时器断开！{url}：{error}　按 s 手动出发 / f 手动到达",
                      "⚠ TIMER OFFLINE! {url}: {error}   s = manual start, f = manual finish"),
    "alarm.orphan": ("⚠ 有 {n} 个无主脉冲！按 a 指定给选手，m 消除警报",
                     "⚠ {n} ORPHAN IMPULSE(S)! Press a to assign, m to silence"),
    "alarm.candidate": ("⚠ 计时器回放了真实到达时间：按 a 选用，m 消除警报",
                        "⚠ The timer replayed a real finish: press a to choose it, m to silence"),
    # -- status bar -------------------------------------------------------------
    "status.no_timer": ("未连接计时器", "No timer"),
    "status.online": ("在线", "ONLINE"),
    "status.offline": ("离线", "OFFLINE"),
    "status.connecting": ("连接中", "connecting"),
    "status.last_impulse": ("上次脉冲 {age} 前", "last impulse {age} ago"),
    "status.no_impulse": ("尚无脉冲", "no impulse yet"),
    "status.rejected": ("无法识别 {n} 行", "{n} rejected lines"),
    "status.track": ("{track} 道", "track {track}"),
    "status.withdrawn": _words(g.RUN_STATES, "withdrawn"),
    "status.on_course": _words(g.RUN_STATES, "on_course"),
    "status.rode": _words(g.RUN_STATES, "rode"),
    "status.operator": ("操作人 {name}", "operator {name}"),
    "status.serving": ("现场服务 {url}", "serving {url}"),
    "hardware.satellite": ("副机 {name}（{track} 道）：{state}，待转发 {backlog}，上次脉冲 {last}",
                           "satellite {name} (track {track}): {state}, backlog {backlog}, last impulse {last}"),
    # -- why a key does nothing now -------------------------------------------------
    "why.no_rider": ("没有选手在赛道上", "No rider is on course"),
    "why.no_target": ("没有可判罚的选手（赛道上无人，也没有刚到达的选手）",
                      "Nobody to penalise (no rider on course and no recent finisher)"),
    "why.queue_empty": ("出发队列为空", "The start queue is empty"),
    "why.not_armed": ("先按赛段数字键", "Press a segment digit first"),
    "why.no_segment": ("没有快捷键为 {key} 的赛段", "No segment has the key {key}"),
    "why.no_infraction": ("赛段「{segment}」没有字母 {key} 的违规（可用：{keys}）",
                          "Segment {segment} has no infraction on {key} (keys: {keys})"),
    "why.no_finisher": ("选中的选手还没有到达", "The selected rider has not finished"),
    "why.no_orphan": ("没有待处理的脉冲", "No impulse waiting for a decision"),
    "why.no_alarm": ("没有警报", "No alarm"),
    "why.no_selection": ("先选择一行", "Select a row first"),
    "why.no_run_row": ("这一行不涉及成绩", "This row is not about a run"),
    "why.no_penalty_row": ("这一行不是判罚", "This row is not a penalty call"),
    "why.no_rider_row": ("这一行不涉及选手", "This row is not about a rider"),
    "why.not_connected": ("没有连接计时器", "No timer is connected"),
    "why.already_connected": ("已经连接计时器：先断开", "A timer is already connected: disconnect first"),
    "why.no_port": ("没有选择串口", "No port selected"),
    "why.no_result": ("没有找到选手", "No rider found"),
    "why.screen_only": ("此键只在{screen}屏幕可用", "This key works on the {screen} screen"),
    "why.error": ("操作失败，没有任何改动：{error}", "The action failed; nothing changed: {error}"),
    # -- check-in ---------------------------------------------------------------
    "checkin.search_placeholder": ("号码 / 手机尾号 / 姓名 / 拼音首字母，回车签到",
                                   "bib / phone tail / name / pinyin initials, Enter checks in"),
    "checkin.results": ("查找结果", "Matches"),
    "checkin.queue": ("{track} 道出发队列（{n} 人）", "Track {track} start queue ({n})"),
    "checkin.checked_in": ("{bib} 号 {name} 已签到：{track} 道第 {pos} 位", "Bib {bib} {name} checked in: track {track}, #{pos}"),
    "checkin.track": ("签到赛道：{track} 道", "Checking in to track {track}"),
    "checkin.moved": ("{bib} 号已移动", "Bib {bib} moved"),
    # -- standings --------------------------------------------------------------
    "standings.title": ("{round} 成绩（{n} 人，{done} 人已完成）", "{round} standings ({n} riders, {done} done)"),
    "standings.filter": ("平台：{platform}", "Platform: {platform}"),
    "standings.all": ("全部", "all"),
    "standings.cut": ("晋级线：前 {cut} 名", "Cut: top {cut}"),
    "standings.qualified": _words(g.RUN_STATES, "qualified"),
    "standings.cut_line": ("── 晋级线 ──", "── cut ──"),
    "standings.on_course": _words(g.RUN_STATES, "on_course"),
    "standings.no_penalty": ("无判罚", "no penalties"),
    "standings.detail": ("{bib} 号 {name}（{platform}）：{lines}", "Bib {bib} {name} ({platform}): {lines}"),
    "standings.tie": ("并列：{what}", "Tie: {what}"),
    # -- journal ----------------------------------------------------------------
    "journal.filter_placeholder": ("号码（如 12）或类型（如 判罚），回车筛选",
                                   "bib (e.g. 12) or kind (e.g. penalty), Enter filters"),
    "journal.title": ("日志（最新在上，{n} 行）", "Journal (newest first, {n} rows)"),
    "journal.filtered": ("筛选：{what}", "Filter: {what}"),
    "journal.run": ("成绩 {run}", "run {run}"),
    "journal.attempt": ("第 {n} 次", "attempt {n}"),
    "journal.impulse": ("脉冲 #{seq}", "impulse #{seq}"),
    "journal.penalty": ("判罚 #{penalty}", "penalty #{penalty}"),
    "journal.device_seq": ("计时器序号 {seq}", "timer no. {seq}"),
    "journal.front": ("（队首）", "(front)"),
    "journal.round": ("开始{round}：{n} 人", "{round} opened: {n} riders"),
    "journal.unknown_infraction": ("（赛道文件中没有的违规）", "(an infraction not in the course file)"),
    "rider_bib": ("{bib}\u00a0号", "bib\u00a0{bib}"),
    "journal.corrected": ("已记录更正（新的日志行）", "Correction recorded (a new journal row)"),
    # -- hardware ---------------------------------------------------------------
    "hardware.ports": ("串口", "Serial ports"),
    "hardware.no_ports": ("没有发现串口。请插上计时器的 USB 串口线，按 r 刷新。",
                          "No serial ports found. Plug in the timer's USB-serial cable and press r."),
    "hardware.simulated": ("模拟计时器", "simulated timer"),
    "hardware.settings": ("协议：{protocol}　赛道：{track}\n（p\u00a0换协议，t\u00a0换赛道）",
                          "Protocol: {protocol}   Track: {track}\n(p\u00a0protocol, t\u00a0track)"),
    "hardware.connected": ("已连接 {url}（{protocol}，{track} 道）", "Connected {url} ({protocol}, track {track})"),
    "hardware.disconnected": ("已断开计时器", "Timer disconnected"),
    "hardware.test_hint": ("测试：拍一下出发和到达踏板，下面的脉冲列表会出现两条（无人出发时为无主脉冲）",
                           "Test: slap the start and finish pads; two impulses appear below (orphans when nobody is queued)."),
    "hardware.impulses": ("最近脉冲", "Last impulses"),
    "hardware.rejected": ("无法识别的数据行", "Rejected lines"),
    "hardware.status": ("状态：{status}", "Status: {status}"),
    # -- help -------------------------------------------------------------------
    "help.title": ("按键一览（Esc 关闭）", "Keys (Esc closes)"),
    "help.global": ("所有屏幕", "Every screen"),
    "help.penalty": ("判罚：先按赛段数字，再按违规字母（赛段选中时字母只用于判罚）",
                     "Penalties: a segment digit, then an infraction letter (while armed, letters only call penalties)"),
    "help.targets": ("↑/↓ 或 Tab 选择判罚对象（赛道上的选手或刚到达的选手）",
                     "Up/Down or Tab choose who a call goes to (a rider on course or a recent finisher)"),
    # -- launch -----------------------------------------------------------------
    "launch.simulating": ("模拟计时器（{protocol}）：{path}", "Simulated timer ({protocol}): {path}"),
    "app.title": ("Trackside 计时", "Trackside timing"),
    "app.error": ("出错了（没有记录任何改动）：{error}", "Something went wrong (nothing was recorded): {error}"),
    "palette.penalty": ("判罚 {segment}·{name}（{keys}）", "Penalty {segment}·{name} ({keys})"),
    "palette.penalty_help": ("对当前选中的选手判罚", "Call it on the selected rider"),
    "palette.placeholder": ("搜索命令…", "Search for commands…"),
    "palette.no_matches": ("没有匹配的命令", "No matches found"),
    "palette.goto": ("切换到{screen}屏幕", "Go to the {screen} screen"),
    # -- the glossary's status words, for screens showing a run's status ----------
    **{f"run_status.{code}": (term.zh, term.en) for code, term in g.STATUSES.items()},
}
# Channels and impulse outcomes: the glossary's words, one place for every screen.
STRINGS.update({f"channel.{code}": _words(g.CHANNELS, code) for code in g.CHANNELS})
STRINGS.update({f"disposition.{code}": _words(g.DISPOSITIONS, code) for code in g.DISPOSITIONS})


class Texts:
    """Looks up a UI string in one language and fills its ``{placeholders}``."""

    def __init__(self, lang: str) -> None:
        self.lang = "en" if lang == "en" else "zh"
        self._index = 1 if self.lang == "en" else 0

    def __call__(self, name: str, /, **values: Any) -> str:
        text = STRINGS[name][self._index]
        return text.format(**values) if values else text

    def pick(self, zh: str, en: str) -> str:
        """Choose between two texts that come from data (course names, error messages)."""
        return en if self.lang == "en" else zh


def localize_bindings(node: Any, tr: Texts) -> None:
    """Replace each binding's description key (``key.*``) with its text in ``tr``'s language.

    Bindings are declared once per class with i18n keys as descriptions; the
    language is only known when the app starts, so each screen translates its
    own copy of the bindings map when it is created.
    """
    for key, bindings in node._bindings.key_to_bindings.items():
        node._bindings.key_to_bindings[key] = [
            replace(b, description=tr(b.description), tooltip=tr(b.description))
            if b.description in STRINGS else b
            for b in bindings
        ]
