"""Run in LibreOffice's own Python (it can `import uno`; msldesk's cannot): start one headless
soffice, then convert decks to PDF on request, one JSON line in and one out per deck.

Standard library and uno only, and no msldesk imports: this file is run as a script by a Python
that has none of msldesk's dependencies. The parent (msldesk.decks.uno_bridge) starts it through
GroupProcess, so soffice, started here, lives in the same process group and ends with it.

Usage: python uno_worker.py SOFFICE PROFILE_URL PIPE_NAME IN_FD OUT_FD
Requests: {"source": path, "pdf": path} → {"ok": true, "rss": bytes} or {"error": text}.
"""

from __future__ import annotations

import os
import sys

# Run as a script, this file's folder comes first on sys.path, and msldesk's decks package has
# modules named like the standard library's (collections.py): take it off before importing more.
if sys.path and os.path.abspath(sys.path[0] or os.curdir) == os.path.dirname(os.path.abspath(__file__)):
    del sys.path[0]

import json  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402

CONNECT_SECONDS = 90  # soffice creating a fresh profile on a loaded machine takes a few seconds
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
    """Start soffice listening on a named pipe and return (process, its Desktop)."""
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
            time.sleep(0.05)
    desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
    return office, desktop


def convert(desktop: object, source: str, pdf: str) -> str:
    """Load a deck hidden, export every slide (hidden ones too) to PDF, close it; "" or an error."""
    import uno

    load = (prop("Hidden", True), prop("ReadOnly", True))
    document = desktop.loadComponentFromURL(uno.systemPathToFileUrl(source), "_blank", 0, load)  # type: ignore[attr-defined]
    if document is None:
        return "LibreOffice could not open this deck."
    try:
        filter_data = uno.Any("[]com.sun.star.beans.PropertyValue", (prop("ExportHiddenSlides", True),))
        store = (prop("FilterName", "impress_pdf_Export"), prop("FilterData", filter_data))
        uno.invoke(document, "storeToURL", (uno.systemPathToFileUrl(pdf), store))
    finally:
        document.close(True)
    return ""


def office_rss(office: subprocess.Popen) -> int:
    """Resident bytes of soffice.bin (the launcher's children), so the parent can recycle a
    grown office; 0 where /proc cannot tell."""
    try:
        with open(f"/proc/{office.pid}/task/{office.pid}/children") as handle:
            pids = [office.pid, *map(int, handle.read().split())]
        total = 0
        for pid in pids:
            with open(f"/proc/{pid}/statm") as handle:
                total += int(handle.read().split()[1])
        return total * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def main(argv: list[str]) -> int:
    soffice, profile_url, pipe, in_fd, out_fd = argv
    requests = os.fdopen(int(in_fd), "r", encoding="utf-8")
    replies = os.fdopen(int(out_fd), "w", encoding="utf-8")

    def reply(**message: object) -> None:
        replies.write(json.dumps(message) + "\n")
        replies.flush()

    try:
        office, desktop = start_office(soffice, profile_url, pipe)
    except Exception as exc:  # reported to the parent, which falls back to the batch CLI
        reply(error=f"LibreOffice could not be started: {exc}")
        return 1
    reply(ready=True)
    for line in requests:
        request = json.loads(line)
        if request.get("quit"):
            break
        try:
            error = convert(desktop, request["source"], request["pdf"])
        except Exception as exc:  # a deck LibreOffice refuses: reported, the next one goes on
            if office.poll() is not None:
                reply(error=f"LibreOffice ended ({office.returncode}) on this deck: {exc}", fatal=True)
                return 1
            error, detail = "LibreOffice could not open or convert this deck.", str(exc)[:300]
        else:
            detail = ""
        if error:
            reply(error=error, detail=detail)
        else:
            reply(ok=True, rss=office_rss(office))
    try:
        desktop.terminate()  # type: ignore[attr-defined]
        office.wait(10)
    except Exception as exc:  # the parent kills the whole process group next anyway
        print(f"LibreOffice did not end cleanly: {exc}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
