"""Read the text of a State Council holiday notice (国务院办公厅关于YYYY年部分节假日安排的通知).

The notice has a fixed wording (docs/workdays.md, "Importing a notice"): a title with the year,
the 文号, numbered clauses ``一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。``
and the date of issue. :func:`parse_notice` turns it into a :class:`Notice` (days off by clause,
make-up working days), collecting every problem with its line and column; the checks against the
law and the calendar file come after (``engine.workdays.notice_check``). Full-width and ASCII
punctuation are both read (``，：（）`` or ``,:()``), and 周X as well as 星期X.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from engine.errors import LianbanError, RefusedError
from engine.i18n import _

__all__ = ["Block", "MakeUp", "Notice", "NoticeError", "Problem", "decode", "parse_notice"]

MAX_BYTES = 256 * 1024  # a notice is about 2 KB; anything this large is not one

# Full-width ASCII variants (U+FF01–FF5E) and the ideographic space -> ASCII, one character for one,
# so that a column in the normalised text is the column in the original.
_NARROW = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_NUMERALS = "一二三四五六七八九十"
_WEEKDAYS = "一二三四五六日"
DATE = re.compile(r"(?:(?P<y>\d{4})\s*年\s*)?(?:(?P<m>\d{1,2})\s*月\s*)?(?P<d>\d{1,2})\s*日(?:\s*\((?P<note>[^()]*)\))?")
_TITLE = re.compile(r"关于\s*(\d{4})\s*年\s*部分节假日安排的通知")
_NUMBER = re.compile(r"国办发(?:明电)?\s*[〔\[【(]\s*\d{4}\s*[〕\]】)]\s*\d+\s*号")
_CLAUSE = re.compile(r"\s*([一二三四五六七八九十]+)、\s*([^:]{1,30}?)\s*:\s*(.*)")
_ISSUED = re.compile(r"\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*")
# Sentence shapes, with each date replaced by "D" (see _skeleton).
_RANGE = re.compile(r"D至D放假(?:调休)?(?:,共(\d+)天)?")
_SINGLE = re.compile(r"D放假(?:调休)?(?:,共(\d+)天|(\d+)天(?:,不调休)?|,与周末连休|,(D)补休)?")
_WORK = re.compile(r"D(?:\s*[、,和及]\s*D)*\s*上班")
ALIASES = {"元旦": "元旦", "春节": "春节", "清明节": "清明节", "清明": "清明节", "劳动节": "劳动节",
           "五一劳动节": "劳动节", "端午节": "端午节", "端午": "端午节", "中秋节": "中秋节", "中秋": "中秋节",
           "国庆节": "国庆节", "国庆": "国庆节"}


class NoticeError(RefusedError):
    """A notice that was read and refused (exit 1): every problem, located and with its clause quoted."""

    def __init__(self, path: str, problems: list[Problem]) -> None:
        self.path, self.problems = path, sorted(problems, key=lambda p: (p.line, p.col))
        lines = [p.describe(path) for p in self.problems]
        lines.append(_("{path}: not imported ({n} problem(s)); nothing was written").format(
            path=path, n=len(self.problems)))
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class Problem:
    line: int
    col: int
    message: str
    quote: str  # the clause (or line) it is about, as written

    def describe(self, path: str) -> str:
        return f"{path}:{self.line}:{self.col}: {self.message}\n    | {self.quote.strip()}"


@dataclass(frozen=True)
class Block:
    """The days off one clause gives: one day or a range, with the words that checked it."""
    clause: str  # the clause's numeral: "二"
    name: str  # "春节", or "中秋节、国庆节" for a merged clause
    names: tuple[str, ...]
    first: date
    last: date
    count: int | None  # 共N天 (or 放假N天) when written
    line: int
    col: int  # of the arrangement
    name_col: int  # of the clause's holiday name


@dataclass(frozen=True)
class MakeUp:
    """A make-up working day (调休上班) and the clause that names it."""
    day: date
    name: str
    line: int
    col: int


@dataclass
class Notice:
    year: int
    title: str
    line: int  # where the title's year is (1-based)
    col: int
    number: str | None = None  # 文号: 国办发明电〔2025〕7号
    issued: date | None = None
    issued_text: str | None = None  # as written: 2025年11月4日
    blocks: list[Block] = field(default_factory=list)
    workdays: list[MakeUp] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # the text as written, for quoting
    unread: set[str] = field(default_factory=set)  # holidays whose clause had a problem already reported

    @property
    def source(self) -> str:
        """The calendar file's ``source``: title, 文号 and date of issue, as far as the text gives them."""
        text = self.title + (f"（{self.number}）" if self.number else "")
        return text + (f"，{self.issued_text}" if self.issued_text else "")


def decode(raw: bytes, path: str) -> str:
    """The notice's text: UTF-8 (a BOM is allowed), not empty, not larger than MAX_BYTES (exit 2 if not)."""
    if len(raw) > MAX_BYTES:
        raise LianbanError(_("{path}: {size} bytes is too large for a holiday notice (at most {most} KiB)").format(
            path=path, size=len(raw), most=MAX_BYTES // 1024))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise LianbanError(_("{path}:{line}: not UTF-8 text (byte 0x{byte:02x}): save the notice as UTF-8 "
                             "(e.g. iconv -f GB18030 -t UTF-8)").format(path=path, line=line,
                                                                         byte=raw[exc.start])) from None
    if not text.strip():
        raise LianbanError(_("{path}: the file is empty: paste the text of the notice into it").format(path=path))
    return text


def parse_notice(text: str) -> tuple[Notice | None, list[Problem]]:
    """The notice in *text*, as far as it can be read, and every problem met reading it (None when the
    text is not a notice of a year the engine knows)."""
    reader = _Reader(text)
    notice = reader.read()
    return notice, reader.problems


class _Reader:
    def __init__(self, text: str) -> None:
        self.original = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        self.lines = [line.translate(_NARROW) for line in self.original]
        self.problems: list[Problem] = []
        self.year = 0

    def problem(self, line: int, col: int, message: str) -> None:
        self.problems.append(Problem(line + 1, col + 1, message, self.original[line]))

    def read(self) -> Notice | None:
        joined = "\n".join(self.lines)
        titles = list(_TITLE.finditer(joined))
        if not titles:
            first = next((i for i, line in enumerate(self.lines) if line.strip()), 0)
            self.problem(first, 0, _("no title 国务院办公厅关于YYYY年部分节假日安排的通知: "
                                     "is this the text of a State Council holiday notice?"))
            return None
        line, col = self._at(joined, titles[0].start(1))
        self.year = int(titles[0].group(1))
        for other in titles[1:]:
            if int(other.group(1)) != self.year:
                self.problem(*self._at(joined, other.start(1)), _("a second title, for {year}: import one notice "
                                                                   "at a time").format(year=other.group(1)))
        from engine.workdays.statute import FIRST_YEAR, LAST_YEAR

        if not FIRST_YEAR <= self.year <= LAST_YEAR:
            self.problem(line, col, _("a notice for {year}: the engine knows the law and the lunar calendar for "
                                      "{first}–{last} only").format(year=self.year, first=FIRST_YEAR, last=LAST_YEAR))
            return None
        notice = Notice(self.year, f"国务院办公厅关于{self.year}年部分节假日安排的通知", line + 1, col + 1,
                        lines=self.original)
        number = _NUMBER.search(joined)
        if number:
            n_line, n_col = self._at(joined, number.start())
            notice.number = number.group()
        self._clauses(notice, start=line)
        return notice

    @staticmethod
    def _at(joined: str, offset: int) -> tuple[int, int]:
        line = joined.count("\n", 0, offset)
        return line, offset - (joined.rfind("\n", 0, offset) + 1)

    def _clauses(self, notice: Notice, start: int) -> None:
        expected = 1
        seen_clause = False
        for i in range(start, len(self.lines)):
            text = self.lines[i]
            m = _CLAUSE.fullmatch(text)
            if m is None:
                issued = _ISSUED.fullmatch(text)
                if issued and seen_clause:
                    notice.issued, notice.issued_text = self._issued(i, issued), text.strip()
                elif seen_clause and DATE.search(text) and re.search("放假|上班|补休", text):
                    self.problem(i, 0, _("a line with days off or make-up days that is not a numbered clause "
                                         "(一、…：…): put it into its clause"))
                continue
            seen_clause = True
            number = _numeral(m.group(1))
            if number != expected:
                self.problem(i, m.start(1), _("clause {got} where clause {want} was expected").format(
                    got=m.group(1), want=_NUMERALS[expected - 1] if expected <= 10 else expected))
            expected = (number or expected) + 1
            self._clause(notice, i, m)

    def _issued(self, i: int, m: re.Match[str]) -> date | None:
        from engine.units import parse_date

        try:
            return parse_date(f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}")
        except LianbanError as exc:
            self.problem(i, m.start(1), _("date of issue: {reason}").format(reason=exc))
            return None

    def _clause(self, notice: Notice, i: int, m: re.Match[str]) -> None:
        from engine.suggest import closest, did_you_mean

        names: list[str] = []
        for raw in re.split(r"\s*[、,]\s*", m.group(2).strip()):
            name = ALIASES.get(raw)
            if name is None:
                guess = closest(raw, list(ALIASES))
                hint = f" ({did_you_mean(ALIASES[guess])})" if guess else ""
                self.problem(i, m.start(2), _("'{name}' is not a statutory holiday{hint}").format(name=raw, hint=hint))
                if guess:  # the holiday it was meant for: not "missing" as well
                    notice.unread.add(ALIASES[guess])
                return
            names.append(name)
        label = "、".join(names)
        offset = m.start(3)
        first_sentence = True
        for sentence in re.split(r"(?<=[。.])", m.group(3)):
            body = sentence.rstrip("。. ").strip()
            col = offset + len(sentence) - len(sentence.lstrip())
            offset += len(sentence)
            if not body:
                continue
            if first_sentence:
                self._arrangement(notice, i, col, body, (m.group(1), m.start(2)), label, tuple(names))
                first_sentence = False
            elif body.endswith("上班"):
                self._work(notice, i, col, body, label)
            # any other sentence is advice (鼓励…安排职工在除夕（2月9日）休息): it gives no day

    def _arrangement(self, notice: Notice, i: int, col: int, body: str, clause: tuple[str, int], label: str,
                     names: tuple[str, ...]) -> None:
        skeleton, dates = _skeleton(body)
        shape = _RANGE.fullmatch(skeleton) or _SINGLE.fullmatch(skeleton)
        if shape is None or not dates:
            self.problem(i, col, _("cannot read the arrangement '{text}': expected e.g. "
                                   "'1月1日至3日放假调休，共3天' or '1月1日放假，与周末连休'").format(text=body))
            notice.unread.update(names)
            return
        days = self._dates(i, col, body, dates)
        if days is None:
            notice.unread.update(names)
            return
        count = shape.group(1) or (shape.group(2) if shape.re is _SINGLE else None)
        n = int(count) if count else None
        first = days[0]
        last = days[1] if shape.re is _RANGE else days[0]
        if last < first:
            self.problem(i, col + dates[1][0], _("the range ends on {last}, before it starts ({first})").format(
                last=last, first=first))
            notice.unread.update(names)
            return
        numeral, name_col = clause
        blocks = [Block(numeral, label, names, first, last, n, i + 1, col + 1, name_col + 1)]
        if shape.re is _SINGLE and shape.group(3):  # X放假，Y补休: Y is a day off as well
            blocks.append(Block(numeral, label, names, days[1], days[1], None, i + 1, col + dates[1][0] + 1,
                                name_col + 1))
        if n is not None and n != (last - first).days + 1:
            written = re.search(r"(\d+)\s*天", body[dates[-1][1]:])
            where = col + dates[-1][1] + (written.start(1) if written else 0)
            self.problem(i, where, _("共{n}天 does not match {first}…{last}, which is {days} day(s)").format(
                n=n, first=first, last=last, days=(last - first).days + 1))
        notice.blocks.extend(blocks)

    def _work(self, notice: Notice, i: int, col: int, body: str, label: str) -> None:
        skeleton, dates = _skeleton(body)
        if not dates or _WORK.fullmatch(skeleton) is None:
            self.problem(i, col, _("cannot read the make-up working days '{text}': expected e.g. "
                                   "'2月7日（星期日）、2月20日（星期六）上班'").format(text=body))
            return
        days = self._dates(i, col, body, dates)
        for (start, _end, _m), day in zip(dates, days or [], strict=False):
            notice.workdays.append(MakeUp(day, f"{label}调休", i + 1, col + start + 1))

    def _dates(self, i: int, col: int, body: str, dates: list[tuple[int, int, re.Match[str]]]) -> list[date] | None:
        """The dates of one sentence: year and month carry forward from the date before."""
        from engine.units import parse_date

        out: list[date] = []
        year, month = self.year, None
        for start, _end, m in dates:
            explicit_year = m.group("y") is not None
            year = int(m.group("y")) if explicit_year else year
            if m.group("m"):
                if out and not explicit_year and out[-1].month == 12 and int(m.group("m")) == 1:
                    year += 1  # 12月31日至1月2日: from December into the next January
                month = int(m.group("m"))
            written = self.original[i][col + start:col + _end]
            if month is None:
                self.problem(i, col + start, _("'{text}' has no month").format(text=written))
                return None
            try:
                day = parse_date(f"{year:04d}-{month:02d}-{int(m.group('d')):02d}")
            except LianbanError as exc:
                self.problem(i, col + start, f"{written}: {exc}")
                return None
            if m.group("note") is not None:
                self._note(i, col + m.start("note"), m.group("note"), day)
            out.append(day)
        return out

    def _note(self, i: int, col: int, note: str, day: date) -> None:
        """Check a date's note: （周四）, （星期日）, （农历除夕、周二）, （农历正月初七、周二）."""
        offset = 0
        for part in re.split(r"([、,])", note):
            if part in ("、", ","):
                offset += 1
                continue
            text = part.strip()
            weekday = re.fullmatch(r"(?:星期|周|礼拜)([一二三四五六日天])", text)
            if weekday:
                want = _WEEKDAYS.index(weekday.group(1).replace("天", "日"))
                if want != day.weekday():
                    self.problem(i, col + offset, _("{day} is a {real}, not a {written} ({text})").format(
                        day=day, real=_weekday(day.weekday()), written=_weekday(want), text=text))
            elif text.startswith("农历"):
                error = _lunar_mismatch(text[2:], day)
                if error:
                    self.problem(i, col + offset, error)
            elif text:
                self.problem(i, col + offset, _("cannot read the note '{text}' (expected 周X, 星期X or 农历…)").format(
                    text=text))
            offset += len(part)


def _skeleton(body: str) -> tuple[str, list[tuple[int, int, re.Match[str]]]]:
    """*body* with every date replaced by "D" and whitespace removed, and the dates with their spans."""
    dates = [(m.start(), m.end(), m) for m in DATE.finditer(body)]
    parts, pos = [], 0
    for start, end, _m in dates:
        parts += [body[pos:start], "D"]
        pos = end
    parts.append(body[pos:])
    return re.sub(r"\s+", "", "".join(parts)), dates


def _numeral(text: str) -> int | None:
    if text in _NUMERALS:
        return _NUMERALS.index(text) + 1
    if len(text) == 2 and text[0] == "十":
        return 10 + _NUMERALS.index(text[1]) + 1
    return None


def _weekday(i: int) -> str:
    from engine.workdays.sanity import weekday_name

    return weekday_name(i)



_LUNAR_DAY = {**{f"初{c}": i + 1 for i, c in enumerate(_NUMERALS)}, "二十": 20, "三十": 30,
              **{f"十{c}": 11 + i for i, c in enumerate(_NUMERALS[:9])},
              **{f"廿{c}": 21 + i for i, c in enumerate(_NUMERALS[:9])},
              **{f"二十{c}": 21 + i for i, c in enumerate(_NUMERALS[:9])}}


def _lunar_mismatch(text: str, day: date) -> str | None:
    """Why the lunar note (除夕, 正月初七, 腊月二十八) does not fit *day*, or None when it does."""
    from datetime import timedelta

    from engine.workdays.errors import CalendarError
    from engine.workdays.statute import SPRING, _lunar_days

    try:
        spring = _lunar_days(day.year)[SPRING]
    except CalendarError as exc:
        return str(exc)
    eve = spring - timedelta(days=1)
    if text == "除夕":
        fits = day == eve
    elif text.startswith("正月") and text[2:] in _LUNAR_DAY:
        fits = day == spring + timedelta(days=_LUNAR_DAY[text[2:]] - 1)
    elif text.startswith("腊月") and text[2:] in _LUNAR_DAY:  # 腊月 has 29 or 30 days: 除夕 is its last
        fits = any(day == eve - timedelta(days=length - _LUNAR_DAY[text[2:]]) for length in (29, 30))
    else:
        return _("cannot read the lunar date '农历{text}'").format(text=text)
    return None if fits else _("{day} is not 农历{text} (正月初一 is {spring})").format(day=day, text=text, spring=spring)
