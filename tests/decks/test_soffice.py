"""LibreOffice is always ended: time limits, cancel, exit and a killed msldesk, shown with a fake
soffice (a shell script that starts a child and then hangs or writes a PDF)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from msldesk.core.progress import CancelToken
from msldesk.decks import soffice, thumbnails
from msldesk.decks.thumbnails import RenderJob, SlideRenderer, ThumbnailCache

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

OK, HANGS, LATER = "a" * 64, "b" * 64, "c" * 64  # decks the fake converts, hangs on, converts


def alive(pid: int) -> bool:
    """Running, not a zombie (a dead child this container's init may never reap)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def group_members(pgid: int) -> list[int]:
    """Live processes in process group `pgid`, found by scanning /proc."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(entry.name))
    return members


def gone_within(pids: list[int], seconds: float = 2.0) -> list[int]:
    """The processes (and their groups) still alive after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        left = [p for p in pids if alive(p)] + [m for p in pids for m in group_members(p)]
        if not left or time.monotonic() > deadline:
            return sorted(set(left))
        time.sleep(0.05)


@pytest.fixture
def fake(tmp_path: Path) -> Path:
    """soffice stand-in: logs each start, starts a child (as soffice.bin is), then for each deck
    copies a one-page PDF to the output folder, or hangs on a deck named b…"""
    import pypdfium2

    pdf = tmp_path / "page.pdf"
    document = pypdfium2.PdfDocument.new()
    document.new_page(200, 150)
    document.save(str(pdf))
    document.close()
    script = tmp_path / "soffice"
    script.write_text(
        textwrap.dedent(
            f"""\
            #!/bin/sh
            echo "$$ $*" >> {tmp_path}/starts
            sleep 1000 &
            echo $! >> {tmp_path}/pids
            echo $$ >> {tmp_path}/pids
            ulimit -v > {tmp_path}/ulimit
            out=""
            while [ $# -gt 0 ]; do
              case "$1" in
                --outdir) out="$2"; shift ;;
                *.pptx) name=$(basename "$1" .pptx)
                        case "$name" in b*) while :; do sleep 1; done ;; esac
                        cp {pdf} "$out/$name.pdf" ;;
              esac
              shift
            done
            """
        )
    )
    script.chmod(0o755)
    return script


def started_pids(tmp_path: Path, count: int = 2, seconds: float = 10.0) -> list[int]:
    deadline = time.monotonic() + seconds
    pids_file = tmp_path / "pids"
    while time.monotonic() < deadline:
        if pids_file.exists() and len(pids := pids_file.read_text().split()) >= count:
            return [int(p) for p in pids]
        time.sleep(0.02)
    raise AssertionError("the fake soffice did not start")


def job(deck_factory, key: str) -> RenderJob:  # type: ignore[no-untyped-def]
    return RenderJob(key, deck_factory.pptx(f"{key}.pptx", [("Slide", "", "")]), 1)


def renderer(tmp_path: Path, fake: Path, **options: object) -> SlideRenderer:
    """The batch command's renderer (the fake is a command, not an office to keep running)."""
    cache = ThumbnailCache(tmp_path / "previews", tmp_path / "thumbs")
    options.setdefault("keep_office", False)
    return SlideRenderer(str(fake), cache, tmp_path / "work", **options)  # type: ignore[arg-type]


def test_a_hung_deck_is_stopped_once_with_its_group_and_the_rest_go_to_a_fresh_soffice(
    tmp_path: Path, fake: Path, deck_factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(thumbnails, "SECONDS_PER_SLIDE", 0.0)
    jobs = [job(deck_factory, key) for key in (OK, HANGS, LATER)]
    started = time.monotonic()
    results = {r.sha256: r for r in renderer(tmp_path, fake, timeout_seconds=0.6).render(jobs)}
    elapsed = time.monotonic() - started

    assert results[OK].ok
    assert results[LATER].ok
    assert not results[HANGS].ok
    assert "longer than" in results[HANGS].error
    starts = (tmp_path / "starts").read_text().splitlines()
    assert len(starts) == 2  # the hang recycled the process once
    assert sum(f"{HANGS}.pptx" in line for line in starts) == 1  # tried once: one time limit per deck
    assert elapsed < 3
    assert gone_within([int(line.split()[0]) for line in starts]) == []
    assert soffice.running_groups() == []


def test_cancel_kills_the_running_soffice_at_once_and_leaves_the_deck_pending(
    tmp_path: Path, fake: Path, deck_factory
) -> None:
    token = CancelToken()
    results: list[object] = []
    worker = threading.Thread(
        target=lambda: results.extend(
            renderer(tmp_path, fake, timeout_seconds=600).render([job(deck_factory, HANGS)], cancel=token)
        )
    )
    worker.start()
    pids = started_pids(tmp_path)
    token.cancel()
    cancelled = time.monotonic()
    worker.join(5)
    assert not worker.is_alive()
    assert time.monotonic() - cancelled < 1
    assert gone_within(pids) == []
    assert results == []  # nothing recorded: the deck stays pending


def test_ctrl_c_while_rendering_stops_libreoffice_at_once(tmp_path: Path, fake: Path, deck_factory) -> None:
    """An exception in the caller (here Ctrl-C in `msldesk thumbnails --wait`) does not wait out
    LibreOffice's 600 s: leaving render() stops every running soffice."""
    deck = job(deck_factory, HANGS)
    pids: list[int] = []

    def press_ctrl_c() -> None:
        try:
            pids.extend(started_pids(tmp_path))
        finally:
            os.kill(os.getpid(), signal.SIGINT)

    # A shell that starts the suite in the background (`.ci/run &`) hands Python SIGINT ignored: set
    # Python's own handler so the simulated Ctrl-C lands as it would at a terminal.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        presser = threading.Thread(target=press_ctrl_c)
        presser.start()
        started = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            list(renderer(tmp_path, fake, timeout_seconds=600).render([deck]))
        presser.join()
    finally:
        signal.signal(signal.SIGINT, previous)
    assert time.monotonic() - started < 3
    assert gone_within(pids) == []


def test_stop_all_ends_every_group_still_running(tmp_path: Path, fake: Path) -> None:
    """What runs at exit, for a worker thread still waiting on LibreOffice."""
    group = soffice.GroupProcess([str(fake), "--outdir", str(tmp_path), str(tmp_path / f"{HANGS}.pptx")])
    pids = started_pids(tmp_path)
    assert soffice.running_groups() == [group.pid]
    soffice.stop_all()
    assert soffice.running_groups() == []
    assert gone_within(pids) == []


def test_memory_limit_applies_to_libreoffice(tmp_path: Path, fake: Path, deck_factory) -> None:
    limit = 3 * 1024**3
    list(renderer(tmp_path, fake, memory_limit_bytes=limit).render([job(deck_factory, OK)]))
    assert (tmp_path / "ulimit").read_text().strip() == str(limit // 1024)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")
def test_libreoffice_gets_a_parent_death_signal_and_outlives_the_thread_that_started_it(
    tmp_path: Path,
) -> None:
    """Linux sends the signal when the starting *thread* ends: a group started by a render thread that
    has finished must keep running (LibreOffice is kept between renders), and still have the signal."""
    report = tmp_path / "pdeathsig"
    probe = (
        "import ctypes, sys, time\n"
        "value = ctypes.c_int()\n"
        "ctypes.CDLL(None).prctl(2, ctypes.byref(value), 0, 0, 0)\n"  # PR_GET_PDEATHSIG
        "open(sys.argv[1], 'w').write(str(value.value))\n"
        "time.sleep(60)\n"
    )
    started: list[soffice.GroupProcess] = []
    command = [sys.executable, "-c", probe, str(report)]
    thread = threading.Thread(target=lambda: started.append(soffice.GroupProcess(command)))
    thread.start()
    thread.join()
    (group,) = started
    try:
        deadline = time.monotonic() + 10
        while not report.exists() or not report.read_text():
            assert time.monotonic() < deadline, "the probe never reported"
            time.sleep(0.05)
        assert int(report.read_text()) == signal.SIGKILL
        time.sleep(0.3)
        assert group.process.poll() is None  # the thread that started it is gone; it still runs
    finally:
        group.stop()


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_killing_msldesk_mid_render_leaves_no_libreoffice_behind(
    tmp_path: Path, fake: Path, deck_factory, how: signal.Signals
) -> None:
    program = textwrap.dedent(
        """\
        import sys
        from pathlib import Path
        from msldesk.decks.thumbnails import RenderJob, SlideRenderer, ThumbnailCache
        work = Path(sys.argv[2])
        cache = ThumbnailCache(work / "previews", work / "thumbs")
        renderer = SlideRenderer(sys.argv[1], cache, work, timeout_seconds=600)
        list(renderer.render([RenderJob(Path(sys.argv[3]).stem, Path(sys.argv[3]), 1)]))
        """
    )
    deck = job(deck_factory, HANGS).source
    msldesk = subprocess.Popen([sys.executable, "-c", program, str(fake), str(tmp_path / "w"), str(deck)])
    try:
        pids = started_pids(tmp_path)
    finally:
        msldesk.send_signal(how)
        msldesk.wait(10)
    assert gone_within(pids) == []


def test_a_deck_listing_5000_slides_reaches_soffice_cut_to_the_limit(tmp_path: Path, deck_factory) -> None:
    """soffice is handed a copy listing only the slides that get thumbnails (a fake that reports
    what it was given and writes a page per listed slide)."""
    fake = tmp_path / "soffice"
    fake.write_text(
        textwrap.dedent(
            f"""\
            #!{sys.executable}
            import re, sys, zipfile
            from pathlib import Path
            import pypdfium2
            out = Path(sys.argv[sys.argv.index("--outdir") + 1])
            for deck in (Path(a) for a in sys.argv if a.endswith(".pptx")):
                listed = len(re.findall(rb"<p:sldId ", zipfile.ZipFile(deck).read("ppt/presentation.xml")))
                Path("{tmp_path}/listed").write_text(str(listed))
                pdf = pypdfium2.PdfDocument.new()
                for _ in range(listed):
                    pdf.new_page(200, 150)
                pdf.save(str(out / (deck.stem + ".pdf")))
            """
        )
    )
    fake.chmod(0o755)
    hostile = deck_factory.repeated_slide(f"{OK}.pptx", 5000)
    started = time.monotonic()
    (result,) = renderer(tmp_path, fake, max_slides=3).render([RenderJob(OK, hostile, 40)])
    assert time.monotonic() - started < 3
    assert (tmp_path / "listed").read_text() == "3"
    assert (result.ok, result.pages) == (True, 3)
    assert result.note.startswith("Only the first 3 of 5,000 slides were rendered")
    assert sorted(p.name for p in (tmp_path / "thumbs").rglob("*.png")) == ["1.png", "2.png", "3.png"]
