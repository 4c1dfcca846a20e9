"""Hostile and broken files through ``debarlist import``: the code before the import limits and now.

    .venv/bin/python bench/abuse_files.py [--baseline 1b8ab23] [--seconds 60] [--memory-gib 4]
                                          [--bomb-mib 820] [--only bomb,dups,...]

Method: the script writes the files of the security review (issue 15) into a scratch folder:

* ``bomb.xlsx``: a World Bank-layout workbook whose one sheet is the same row repeated until the
  sheet XML is ``--bomb-mib`` MiB; deflate makes that about 3.5 MB on disk;
* ``dups.xlsx``: the World Bank layout with one data row repeated 200,000 times, its text in the
  shared-strings table as Excel writes it (about 190 KB on disk, 29 MB uncompressed);
* ``bigcell.csv``: the EBRD layout, 2,000 distinct rows, row 1,500 with a 200 KiB name cell
  (over the csv module's 128 KiB field limit);
* ``badbyte.csv``: the same 2,000 rows with a byte that is not UTF-8 on line 1,500;
* ``deep.jsonl``: 100 entry lines, line 50 nested 100,000 brackets deep;
* ``truncated.xlsx``: the first half of a small valid workbook.

Each file is imported by the command line as a child process (``python -m service.cli import FILE
--format F --org ABUSE``) with the code of this checkout (now) and with the code of
``--baseline`` (a ``git worktree`` at /tmp/debarlist-baseline, run with the same interpreter and
``PYTHONPATH`` pointing at it), each against a fresh SQLite database migrated by that same code.
The child runs under a wall-time cap (``--seconds``, killed when over) and an address-space cap
(``RLIMIT_AS``, ``--memory-gib``) so the baseline cannot take the machine.  Printed side by side:
the child's peak resident memory (``ru_maxrss`` from ``wait4``), the time until it finished or was
killed, its exit status, how many lines it wrote to stderr, what it ended with (a one-line error,
a traceback, an import summary, or the kill) and how many entries its database holds afterwards.
The start-up of the command alone (``debarlist --help``) is printed first: a refusal "now" costs
about that.  ``--seconds 240`` lets the baseline run the bomb into the address-space cap.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
BASELINE_DIR = Path("/tmp/debarlist-baseline")
ORG = "ABUSE"

# --------------------------------------------------------------------------- files

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
_RELS = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
         'officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = ('<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
             'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
             '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                  '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                  'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
_SHARED_REL = ('<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
               'sharedStrings" Target="sharedStrings.xml"/>')
_SHARED_TYPE = ('<Override PartName="/xl/sharedStrings.xml" '
                'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
_SHEET_HEAD = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
_SHEET_TAIL = b"</sheetData></worksheet>"
WB_HEAD = [["Downloaded on: 07/01/2025 10:00"],
           ["Firm Name", "Additional Firm Info", "Address", "Country", "Ineligibility Period", "", "Grounds"],
           ["", "", "", "", "From Date", "To Date", ""]]
WB_ROW = ["ACME ABUSE TEST CONSTRUCTION LTD.", "", "1 Test Street, Almaty", "Kazakhstan", "2024-01-01",
          "2029-12-31", "Fraudulent Practices"]


def xml_row(cells: list[str]) -> bytes:
    return ("<row>" + "".join(f'<c t="inlineStr"><is><t>{escape(c)}</t></is></c>' for c in cells)
            + "</row>").encode("utf-8")


def shared_row(cells: list[str], table: list[str]) -> bytes:
    """A row whose cells point into the shared-strings ``table`` (how Excel itself writes text)."""
    out = []
    for cell in cells:
        if cell not in table:
            table.append(cell)
        out.append(f'<c t="s"><v>{table.index(cell)}</v></c>')
    return ("<row>" + "".join(out) + "</row>").encode("utf-8")


def write_xlsx(path: Path, rows: Callable[[], Iterator[bytes]], level: int = 9,
               shared: list[str] | None = None) -> None:
    """An xlsx of one sheet whose rows are the byte chunks ``rows()`` yields, streamed into the zip."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        rels, types = _WORKBOOK_RELS, _CONTENT_TYPES
        if shared is not None:
            rels = rels.replace("</Relationships>", _SHARED_REL + "</Relationships>")
            types = types.replace("</Types>", _SHARED_TYPE + "</Types>")
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", rels)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(_SHEET_HEAD)
            for chunk in rows():
                sheet.write(chunk)
            sheet.write(_SHEET_TAIL)
        if shared is not None:  # written after the sheet: the sheet's rows fill the table
            archive.writestr("xl/sharedStrings.xml", '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                             '2006/main">' + "".join(f"<si><t>{escape(t)}</t></si>" for t in shared) + "</sst>")


def make_bomb(path: Path, mib: int) -> None:
    head = b"".join(xml_row(r) for r in WB_HEAD)
    chunk = xml_row(WB_ROW) * 10_000
    target = mib * 1024 * 1024

    def rows() -> Iterator[bytes]:
        yield head
        written = len(head)
        while written < target:
            yield chunk
            written += len(chunk)
    write_xlsx(path, rows)


def make_dups(path: Path, copies: int = 200_000) -> None:
    table: list[str] = []

    def rows() -> Iterator[bytes]:
        yield b"".join(shared_row(r, table) for r in WB_HEAD)
        row = shared_row(WB_ROW, table)
        for _ in range(copies // 1000):
            yield row * 1000
    write_xlsx(path, rows, shared=table)


EBRD_HEADER = ("Firm Name,Address,Nationality,Ineligible From, Ineligible Until,Notice Effective At EBRD,"
               "Originating Institution,Prohibited Practice\r\n")


def ebrd_line(i: int, name: str | None = None) -> str:
    name = name or f"Abuse Test Construction {i:05d} LLP"
    return (f'"{name}","{i} Abay avenue, Almaty",Kazakhstan,2024-01-01,2029-12-31,2024-01-01,EBRD,'
            "Fraudulent Practice\r\n")


def make_bigcell(path: Path, rows: int = 2000, at: int = 1500) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write("\ufeff" + EBRD_HEADER)
        for i in range(1, rows + 1):
            handle.write(ebrd_line(i, "X" * 200 * 1024 if i == at else None))


def make_badbyte(path: Path, rows: int = 2000, at: int = 1500) -> None:
    with open(path, "wb") as handle:
        handle.write(("\ufeff" + EBRD_HEADER).encode("utf-8"))
        for i in range(1, rows + 1):
            line = ebrd_line(i).encode("utf-8")
            handle.write(line.replace(b"Abuse", b"Ab\xffuse") if i == at else line)


def make_deep(path: Path, lines: int = 100, at: int = 50, depth: int = 100_000) -> None:
    import json
    with open(path, "w", encoding="utf-8") as handle:
        for i in range(1, lines + 1):
            if i == at:
                handle.write('{"name": "Deep Firm", "source": ' + "[" * depth + "]" * depth + "}\n")
            else:
                handle.write(json.dumps({"name": f"Abuse Json Firm {i:04d} LLC", "country": "KZ",
                                         "grounds": ["fraud"], "starts_on": "2024-01-01"}) + "\n")


def make_truncated(path: Path) -> None:
    whole = path.with_suffix(".whole.xlsx")

    def rows() -> Iterator[bytes]:
        yield b"".join(xml_row(r) for r in WB_HEAD)
        yield b"".join(xml_row([f"ABUSE FIRM {i} LTD.", *WB_ROW[1:]]) for i in range(200))
    write_xlsx(whole, rows)
    data = whole.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    whole.unlink()


@dataclass(frozen=True)
class Probe:
    name: str
    filename: str
    fmt: str
    make: Callable[[Path], None]


def probes(bomb_mib: int) -> list[Probe]:
    return [
        Probe("bomb", "bomb.xlsx", "worldbank", lambda p: make_bomb(p, bomb_mib)),
        Probe("dups", "dups.xlsx", "worldbank", make_dups),
        Probe("bigcell", "bigcell.csv", "ebrd", make_bigcell),
        Probe("badbyte", "badbyte.csv", "ebrd", make_badbyte),
        Probe("deep", "deep.jsonl", "jsonl", make_deep),
        Probe("truncated", "truncated.xlsx", "worldbank", make_truncated),
    ]


# --------------------------------------------------------------------------- runs


@dataclass
class Run:
    code: str
    status: str  # exit status, or "killed"
    seconds: float
    peak_mib: float
    stderr_lines: int
    outcome: str
    entries: int


def ensure_baseline(ref: str) -> Path:
    if not (BASELINE_DIR / "service" / "cli.py").exists():
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(BASELINE_DIR), ref],
                       check=True, capture_output=True)
    head = subprocess.run(["git", "-C", str(BASELINE_DIR), "rev-parse", "HEAD"], check=True,
                          capture_output=True, text=True).stdout.strip()
    wanted = subprocess.run(["git", "-C", str(ROOT), "rev-parse", ref], check=True, capture_output=True,
                            text=True).stdout.strip()
    if head != wanted:
        sys.exit(f"{BASELINE_DIR} is at {head[:10]}, not {ref}; remove it (git worktree remove) and run again")
    return BASELINE_DIR


def _env(code_dir: Path, db: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEBARLIST_")}
    env.update(PYTHONPATH=str(code_dir), DEBARLIST_DATABASE_URL=f"sqlite:///{db}", PYTHONDONTWRITEBYTECODE="1",
               COLUMNS="200")
    return env


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-c", "from service.cli import app; app()", *args]


def prepare_db(code_dir: Path, db: Path) -> None:
    env = _env(code_dir, db)
    for args in (("db", "upgrade"), ("orgs", "add", ORG, "--name", "Abuse tests", "--kind", "organisation")):
        subprocess.run(_cli(*args), env=env, cwd=code_dir, check=True, capture_output=True)


def run_capped(cmd: list[str], env: dict[str, str], cwd: Path, seconds: float, memory: int,
               out: Path, err: Path) -> tuple[str, float, float]:
    """Run ``cmd`` under the caps; (exit status or "killed", wall seconds, peak RSS MiB)."""
    def limit() -> None:
        os.setsid()
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    with open(out, "wb") as stdout, open(err, "wb") as stderr:
        started = time.monotonic()
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=stdout, stderr=stderr, preexec_fn=limit)
        killed = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - started > seconds and not killed:
                os.killpg(proc.pid, signal.SIGKILL)
                killed = True
            time.sleep(0.02)
        elapsed = time.monotonic() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
    return ("killed" if killed else str(proc.returncode)), elapsed, usage.ru_maxrss / 1024


def outcome(status: str, stdout: str, stderr: str, seconds: float) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    if status == "killed":
        return f"killed at the {seconds:.0f} s cap"
    if "Traceback (most recent call last)" in stderr:
        return "traceback: " + (lines[-1] if lines else "")
    if status != "0":
        errors = [line for line in lines if line.startswith("error:")] or lines or ["(no message)"]
        return "error: " + errors[0].removeprefix("error: ")
    summary = next((line for line in stdout.splitlines() if " rows, " in line), stdout.strip()[:120])
    return summary.split(": ", 1)[-1]


def count_entries(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("select count(*) from entries").fetchone()[0])


def measure(code: str, code_dir: Path, probe: Probe, path: Path, work: Path, seconds: float, memory: int) -> Run:
    db = work / f"{probe.name}-{code}.db"
    prepare_db(code_dir, db)
    out, err = work / f"{probe.name}-{code}.out", work / f"{probe.name}-{code}.err"
    status, elapsed, peak = run_capped(_cli("import", str(path), "--format", probe.fmt, "--org", ORG),
                                       _env(code_dir, db), code_dir, seconds, memory, out, err)
    stdout, stderr = out.read_text(errors="replace"), err.read_text(errors="replace")
    return Run(code, status, elapsed, peak, len([x for x in stderr.splitlines() if x.strip()]),
               outcome(status, stdout, stderr, seconds), count_entries(db))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", default="1b8ab23", help="commit before the import limits")
    parser.add_argument("--seconds", type=float, default=60.0, help="wall-time cap of each import")
    parser.add_argument("--memory-gib", type=float, default=4.0, help="address-space cap of each import")
    parser.add_argument("--bomb-mib", type=int, default=820, help="uncompressed size of the bomb's sheet")
    parser.add_argument("--only", default="", help="comma-separated probe names")
    args = parser.parse_args()
    baseline = ensure_baseline(args.baseline)
    memory = int(args.memory_gib * 1024**3)
    chosen = [p for p in probes(args.bomb_mib) if not args.only or p.name in args.only.split(",")]
    print(f"now: {ROOT} ({_head(ROOT)}, uncommitted changes included)  baseline: {baseline} ({args.baseline})")
    print(f"caps per import: {args.seconds:g} s wall time, RLIMIT_AS {args.memory_gib:g} GiB; "
          f"python {sys.version.split()[0]}\n")
    with tempfile.TemporaryDirectory(prefix="debarlist-abuse-") as tmp:
        work = Path(tmp)
        for code, code_dir in (("baseline", baseline), ("now", ROOT)):
            _, startup, peak = run_capped(_cli("--help"), _env(code_dir, work / "none.db"), code_dir, args.seconds,
                                          memory, work / "help.out", work / "help.err")
            print(f"{code:8} start-up alone (debarlist --help): {startup:.1f} s, peak {peak:.0f} MiB")
        print()
        for probe in chosen:
            path = work / probe.filename
            started = time.monotonic()
            probe.make(path)
            print(f"{probe.name}: {probe.filename}, {path.stat().st_size:,} bytes on disk"
                  f"{_expanded(path)}, built in {time.monotonic() - started:.1f} s")
            for code, code_dir in (("baseline", baseline), ("now", ROOT)):
                run = measure(code, code_dir, probe, path, work, args.seconds, memory)
                print(f"  {run.code:8} exit {run.status:6} {run.seconds:7.1f} s  peak {run.peak_mib:7.0f} MiB  "
                      f"stderr {run.stderr_lines:3} lines  entries {run.entries:6}")
                print(f"           {run.outcome}")
            path.unlink()
            print()


def _expanded(path: Path) -> str:
    if path.suffix != ".xlsx":
        return ""
    try:
        with zipfile.ZipFile(path) as archive:
            return f" ({sum(i.file_size for i in archive.infolist()):,} uncompressed)"
    except zipfile.BadZipFile:
        return " (not a readable zip)"


def _head(root: Path) -> str:
    result = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return re.sub(r"\s+", "", result.stdout) or "?"


if __name__ == "__main__":
    main()
