"""Run in LibreOffice's own Python (it can `import uno`; msldesk's cannot): start one headless
soffice, then convert decks on request, one JSON line in and one out per deck: to a PDF, or
each slide (hidden ones too) straight to a PNG, which costs LibreOffice about half the CPU of a
PDF export at thumbnail size.

Standard library and uno only, and no msldesk imports: this file is run as a script by a Python
that has none of msldesk's dependencies. The parent (msldesk.decks.uno_bridge) starts it through
GroupProcess, so soffice, started here, lives in the same process group and ends with it.

Usage: python uno_worker.py SOFFICE PROFILE_URL PIPE_NAME IN_FD OUT_FD
Requests: {"source": path, "pdf": path, "options": {PDF export option: value}}
  or {"source": path, "pngs": folder, "width": pixels, "options": {PNG filter option: value}}
  (slide N → folder/N.png, `width` pixels wide)
  → {"ok": true, "rss": bytes, "cpu": office CPU seconds so far,
  "seconds": {"load": s, "export": s, "close": s}} or {"error": text, ...the same}.
"""

from __future__ import annotations

import os
import sys

# Run as a script, this file's folder comes first on sys.path, and msldesk's decks package has
# modules named like the standard library's (collections.py): take it off before importing more.
if sys.path and os.path.abspath(sys.path[0] or os.curdir) == os.path.dirname(os.path.abspath(__file__)):
    del sys.path[0]

import json
import posixpath
import re
import subprocess
import time
import zipfile

CONNECT_SECONDS = 90  # soffice creating a fresh profile on a loaded machine takes a few seconds
EMPTY_GRAPHIC = 0  # com.sun.star.graphic.GraphicType.EMPTY: a picture that could not be loaded
GROUP_SHAPE = "com.sun.star.drawing.GroupShape"
# How pictures LibreOffice can decode begin (PNG, JPEG, GIF, BMP, TIFF, EMF, WMF, SVG, JPEG XR, PDF):
# a deck whose pictures all begin so, and are all inside it, has none drawn as an empty frame.
PICTURE_SIGNATURES = (
    b"\x89PNG",
    b"\xff\xd8",
    b"GIF8",
    b"BM",
    b"II*\x00",
    b"MM\x00*",
    b"\x01\x00\x00\x00",
    b"\xd7\xcd\xc6\x9a",
    b"\x01\x00\x09\x00",
    b"\x02\x00\x09\x00",
    b"<",
    b"\xef\xbb\xbf<",
    b"II\xbc",
    b"%PDF",
)
RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
ATTRIBUTE = re.compile(rb"""\b(Type|Target|TargetMode)\s*=\s*["']([^"']*)["']""")
PICTURE_SHAPES = ("com.sun.star.drawing.GraphicObjectShape", "com.sun.star.presentation.GraphicObjectShape")
FLAGS = ["--headless", "--invisible", "--norestore", "--nolockcheck", "--nodefault", "--nologo"]


# uno is imported where it is used: msldesk's own Python imports this module (to list the
# package) but cannot import uno.


def prop(name: str, value: object) -> object:
    from com.sun.star.beans import PropertyValue

    item = PropertyValue()
    item.Name = name
    item.Value = value
    return item


def start_office(soffice: str, profile_url: str, pipe: str) -> tuple[subprocess.Popen, object]:
    """Start soffice listening on a named pipe and return (process, its component context)."""
    import uno

    accept = f"pipe,name={pipe};urp;StarOffice.ComponentContext"
    office = subprocess.Popen(
        [soffice, f"-env:UserInstallation={profile_url}", *FLAGS, f"--accept={accept}"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
    )
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + CONNECT_SECONDS
    while True:
        try:
            context = resolver.resolve(f"uno:{accept}")
            break
        except Exception:  # NoConnectException until soffice listens; uno exceptions share no base
            if office.poll() is not None:
                raise RuntimeError(f"soffice exited ({office.returncode}) before it listened") from None
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)
    return office, context


def filter_data(options: dict) -> object:
    import uno

    data = tuple(prop(name, value) for name, value in options.items())
    return uno.Any("[]com.sun.star.beans.PropertyValue", data)


def export_pdf(document: object, pdf: str, options: dict) -> None:
    """The deck as one PDF with the filter `options` (the parent's, so that the batch command
    exports alike; the parent counts its pages)."""
    import uno

    store = (prop("FilterName", "impress_pdf_Export"), prop("FilterData", filter_data(options)))
    uno.invoke(document, "storeToURL", (uno.systemPathToFileUrl(pdf), store))


def may_miss_pictures(source: str) -> bool:
    """Whether the deck may hold a picture LibreOffice cannot load: one linked to a file outside
    the deck, missing from it, or not in a known picture format (or the deck is not a readable
    zip). Reading the package is cheaper than asking the office about each shape (~1 ms of its
    CPU a shape, for a rare case)."""
    try:
        with zipfile.ZipFile(source) as package:
            names = set(package.namelist())
            for rels in (n for n in names if n.startswith("ppt/") and n.endswith(".rels")):
                folder = posixpath.dirname(posixpath.dirname(rels))  # ppt/slides/_rels/x.rels: ppt/slides
                for element in RELATIONSHIP.findall(package.read(rels)):
                    found = {k.decode(): v.decode("utf-8", "replace") for k, v in ATTRIBUTE.findall(element)}
                    if not found.get("Type", "").endswith("/image"):
                        continue
                    if found.get("TargetMode") == "External":
                        return True
                    target = found.get("Target", "")
                    part = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
                    part = posixpath.normpath(part)
                    if part not in names:
                        return True
                    with package.open(part) as picture:
                        if not picture.read(16).startswith(PICTURE_SIGNATURES):
                            return True
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, RuntimeError):
        return True
    return False


def hide_missing_pictures(shapes: object) -> int:
    """Hide the pictures (in groups too) whose graphic could not be loaded, such as a link to a
    file that is not there: drawn to a PNG they show LibreOffice's empty frame with the link's
    name, which its PDF export leaves out. How many were hidden (the deck is not saved)."""
    hidden = 0
    for index in range(shapes.Count):  # type: ignore[attr-defined]
        shape = shapes.getByIndex(index)  # type: ignore[attr-defined]
        kind = shape.ShapeType
        if kind == GROUP_SHAPE:
            hidden += hide_missing_pictures(shape)
        elif kind in PICTURE_SHAPES:
            graphic = shape.Graphic
            if graphic is None or graphic.GraphicType == EMPTY_GRAPHIC:
                shape.Visible = False
                hidden += 1
    return hidden


def export_pngs(
    context: object, document: object, source: str, folder: str, width: int, options: dict
) -> None:
    """Each slide of the deck `source`, hidden ones too, as folder/<n>.png `width` pixels wide,
    without the pictures LibreOffice could not load (as in its PDF). The parent counts them."""
    import uno

    missing = may_miss_pictures(source)
    if missing:
        masters = document.MasterPages  # type: ignore[attr-defined]
        for index in range(masters.Count):
            hide_missing_pictures(masters.getByIndex(index))
    exporter = context.ServiceManager.createInstanceWithContext(  # type: ignore[attr-defined]
        "com.sun.star.drawing.GraphicExportFilter", context
    )
    pages = document.DrawPages  # type: ignore[attr-defined]
    for index in range(pages.Count):
        page = pages.getByIndex(index)
        if missing:
            hide_missing_pictures(page)
        height = max(1, round(width * page.Height / max(page.Width, 1)))
        exporter.setSourceDocument(page)
        data = filter_data({"PixelWidth": width, "PixelHeight": height, **options})
        url = uno.systemPathToFileUrl(os.path.join(folder, f"{index + 1}.png"))
        arguments = (prop("URL", url), prop("MediaType", "image/png"), prop("FilterData", data))
        uno.invoke(exporter, "filter", (arguments,))


def convert(context: object, desktop: object, request: dict, seconds: dict) -> str:
    """Load a deck hidden, export it as the request asks (a PDF, or a PNG per slide), close it;
    "" or an error. `seconds` gets each step's time."""
    import uno

    started = time.perf_counter()
    load = (prop("Hidden", True), prop("ReadOnly", True))
    url = uno.systemPathToFileUrl(request["source"])
    document = desktop.loadComponentFromURL(url, "_blank", 0, load)  # type: ignore[attr-defined]
    if document is None:
        return "LibreOffice could not open this deck."
    loaded = time.perf_counter()
    seconds["load"] = loaded - started
    options = request.get("options", {})
    try:
        if "pngs" in request:
            export_pngs(context, document, request["source"], request["pngs"], int(request["width"]), options)
        else:
            export_pdf(document, request["pdf"], options)
    finally:
        exported = time.perf_counter()
        seconds["export"] = exported - loaded
        document.close(True)
        seconds["close"] = time.perf_counter() - exported
    return ""


def office_usage(office: subprocess.Popen) -> tuple[int, float]:
    """Resident bytes and CPU seconds so far of the office's processes (the launcher and
    soffice.bin, which a second thread of the launcher starts), so the parent can recycle a grown
    office and tell where the time went; (0, 0.0) where /proc cannot tell."""
    try:
        pages, ticks, todo = 0, 0, [office.pid]
        while todo:
            pid = todo.pop()
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as handle:
                    todo += map(int, handle.read().split())
            with open(f"/proc/{pid}/statm") as handle:
                pages += int(handle.read().split()[1])
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rpartition(")")[2].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        return pages * os.sysconf("SC_PAGE_SIZE"), ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0, 0.0


def main(argv: list[str]) -> int:
    soffice, profile_url, pipe, in_fd, out_fd = argv
    requests = os.fdopen(int(in_fd), "r", encoding="utf-8")
    replies = os.fdopen(int(out_fd), "w", encoding="utf-8")

    def reply(**message: object) -> None:
        replies.write(json.dumps(message) + "\n")
        replies.flush()

    try:
        office, context = start_office(soffice, profile_url, pipe)
        manager = context.ServiceManager  # type: ignore[attr-defined]
        desktop = manager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which falls back to the batch CLI
        reply(error=f"LibreOffice could not be started: {exc}")
        return 1
    reply(ready=True, cpu=office_usage(office)[1])
    for line in requests:
        request = json.loads(line)
        if request.get("quit"):
            break
        seconds: dict = {}
        try:
            error = convert(context, desktop, request, seconds)
        except Exception as exc:  # noqa: BLE001 - a deck LibreOffice refuses: reported, the next one goes on
            if office.poll() is not None:
                reply(error=f"LibreOffice ended ({office.returncode}) on this deck: {exc}", fatal=True)
                return 1
            error, detail = "LibreOffice could not open or convert this deck.", str(exc)[:300]
        else:
            detail = ""
        rss, cpu = office_usage(office)
        if error:
            reply(error=error, detail=detail, rss=rss, cpu=cpu, seconds=seconds)
        else:
            reply(ok=True, rss=rss, cpu=cpu, seconds=seconds)
    try:
        desktop.terminate()
        office.wait(10)
    except Exception as exc:  # noqa: BLE001 - the parent kills the whole process group next anyway
        print(f"LibreOffice did not end cleanly: {exc}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
