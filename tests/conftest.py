"""Shared fixtures: an isolated data folder, the dev corpus, a fresh App, and small deck builders."""

from __future__ import annotations

import datetime as dt
import io
import os
import sys
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

# Qt aborts without a display unless the platform is chosen before its first import (UI tests).
# Nothing above imports Qt.
os.environ["QT_QPA_PLATFORM"] = "offscreen"

REPO_ROOT = Path(__file__).resolve().parents[1]


def _find_corpus() -> Path:
    """$MSLDESK_CORPUS, else the nearest shared/corpus beside the checkout or one of its parents."""
    override = os.environ.get("MSLDESK_CORPUS")
    if override:
        return Path(override)
    for folder in REPO_ROOT.parents:
        candidate = folder / "shared" / "corpus"
        if candidate.is_dir():
            return candidate
    return REPO_ROOT.parent / "shared" / "corpus"


CORPUS_DIR = _find_corpus()
TODAY = dt.date(2026, 11, 22)


@pytest.fixture(scope="session", autouse=True)
def _session_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Session fixtures run before the per-test one: they must not see the real data folder either."""
    folder = tmp_path_factory.mktemp("session-data-dir")
    previous = os.environ.get("MSLDESK_DATA_DIR")
    os.environ["MSLDESK_DATA_DIR"] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop("MSLDESK_DATA_DIR", None)
    else:
        os.environ["MSLDESK_DATA_DIR"] = previous


@pytest.fixture(autouse=True)
def isolated_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test may read or write the user's real library folder."""
    folder = tmp_path / "default-data-dir"
    monkeypatch.setenv("MSLDESK_DATA_DIR", str(folder))
    return folder


@pytest.fixture(autouse=True)
def _no_libreoffice_left_running() -> Iterator[None]:
    """A test that leaves a LibreOffice process group running fails (and the group is ended)."""
    yield
    soffice = sys.modules.get("msldesk.decks.soffice")  # only tests that rendered loaded it
    if soffice is not None and (left := soffice.running_groups()):
        soffice.stop_all()
        pytest.fail(f"LibreOffice process groups left running: {left}")


_KEYRING_ENV = {  # for `python -m msldesk` started by tests: the same test keyring, never the real one
    "PYTHON_KEYRING_BACKEND": "msldesk_test_keyring.FileKeyring",
    "PYTHONPATH": os.pathsep.join(p for p in (str(REPO_ROOT / "tests"), os.environ.get("PYTHONPATH")) if p),
}
_UNSET = ("MSLDESK_PASSPHRASE", "MSLDESK_BACKUP_PASSPHRASE", "MSLDESK_ENCRYPTION")


@pytest.fixture(scope="session", autouse=True)
def _session_keyring(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Tests never touch the real keyring: a file keyring in a temp folder, in this process and in the
    msldesk processes tests start. Session fixtures (a library built once) use this one."""
    import keyring
    from msldesk_test_keyring import ENV, FileKeyring

    saved = {k: os.environ.get(k) for k in (*_KEYRING_ENV, ENV, *_UNSET)}
    os.environ.update(_KEYRING_ENV)
    os.environ[ENV] = str(tmp_path_factory.mktemp("keyring") / "keyring.json")
    for name in _UNSET:  # the developer's own settings must not change what tests see
        os.environ.pop(name, None)
    keyring.set_keyring(FileKeyring())
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(autouse=True)
def _isolated_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh test keyring for each test (a file, so `python -m msldesk` children share it); keys of
    libraries made by module- or session-scoped fixtures are still found in the session's."""
    from msldesk_test_keyring import ENV

    path = tmp_path / "test-keyring.json"
    session = os.environ[ENV].split(os.pathsep)[-1]  # libraries built by wider-scoped fixtures
    monkeypatch.setenv(ENV, f"{path}{os.pathsep}{session}")
    return path


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The shared PPTX/people corpus next to the repository (read only, never copied in)."""
    if not (CORPUS_DIR / "pptx").is_dir():
        pytest.skip(f"the shared corpus is not available at {CORPUS_DIR}")
    return CORPUS_DIR


@pytest.fixture
def app(tmp_path: Path) -> Iterator[object]:
    from msldesk.app.services import App

    instance = App(tmp_path / "lib", today=TODAY)
    yield instance
    instance.close()


# ---- deck builders --------------------------------------------------------------------------------

SlideSpec = tuple[str, str | Sequence[str], str]  # (title, body line(s), notes)


class DeckFactory:
    """Builds small real packages in a folder: python-pptx decks and hand-made zips."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def path(self, name: str | Path) -> Path:
        path = Path(name)
        path = path if path.is_absolute() else self.folder / path
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def pptx(self, name: str | Path, slides: Sequence[SlideSpec], title: str = "") -> Path:
        """A deck with a 'Title and Content' slide per spec (python-pptx's default template)."""
        import pptx

        presentation = pptx.Presentation()
        if title:
            presentation.core_properties.title = title
        layout = presentation.slide_layouts[1]
        for slide_title, body, notes in slides:
            slide = presentation.slides.add_slide(layout)
            slide.shapes.title.text = slide_title
            lines = [body] if isinstance(body, str) else list(body)
            frame = slide.placeholders[1].text_frame
            frame.text = lines[0] if lines else ""
            for line in lines[1:]:
                frame.add_paragraph().text = line
            if notes:
                slide.notes_slide.notes_text_frame.text = notes
        path = self.path(name)
        presentation.save(str(path))
        return path

    def pictures(self, name: str | Path, pictures: Sequence[str]) -> Path:
        """A deck with one blank slide and a picture per item side by side (2.5 in wide, 1 in
        from the left, 0.5 in apart, 1 in from the top, 3 in high): a colour name is an embedded
        picture of that colour, a URL a picture linked to that file (PowerPoint's "Link to File")."""
        import pptx
        from PIL import Image
        from pptx.opc.constants import RELATIONSHIP_TYPE
        from pptx.oxml.ns import qn
        from pptx.util import Inches

        presentation = pptx.Presentation()
        slide = presentation.slides.add_slide(presentation.slide_layouts[6])
        for index, picture in enumerate(pictures):
            colour = picture if "://" not in picture else "black"
            image = io.BytesIO()
            Image.new("RGB", (40, 48), colour).save(image, format="PNG")
            image.seek(0)
            shape = slide.shapes.add_picture(image, Inches(1 + 3 * index), Inches(1), Inches(2.5), Inches(3))
            if "://" in picture:
                blip = shape._element.blipFill.find(qn("a:blip"))
                del blip.attrib[qn("r:embed")]
                blip.set(
                    qn("r:link"), slide.part.relate_to(picture, RELATIONSHIP_TYPE.IMAGE, is_external=True)
                )
        path = self.path(name)
        presentation.save(str(path))
        return path

    def rewrite(
        self,
        source: Path,
        name: str | Path,
        replace: dict[str, bytes] | None = None,
        drop: Sequence[str] = (),
    ) -> Path:
        """Copy a zip package, replacing or dropping some parts (names as in the zip)."""
        replace = dict(replace or {})
        buffer = io.BytesIO()
        with zipfile.ZipFile(source) as src, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
            for info in src.infolist():
                if info.filename in drop:
                    continue
                data = replace.pop(info.filename, None)
                out.writestr(info.filename, data if data is not None else src.read(info))
            for part, data in replace.items():
                out.writestr(part, data)
        path = self.path(name)
        path.write_bytes(buffer.getvalue())
        return path

    def zip(self, name: str | Path, parts: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> Path:
        path = self.path(name)
        with zipfile.ZipFile(path, "w", compression) as out:
            for part, data in parts.items():
                out.writestr(part, data)
        return path

    def docx(self, name: str | Path) -> Path:
        """A minimal but valid Word document, built by hand."""
        return self.zip(
            name,
            {
                "[Content_Types].xml": (
                    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                    b'<Default Extension="rels" '
                    b'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                    b'<Default Extension="xml" ContentType="application/xml"/>'
                    b'<Override PartName="/word/document.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
                    b"</Types>"
                ),
                "_rels/.rels": (
                    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
                    b'2006/relationships/officeDocument" Target="word/document.xml"/>'
                    b"</Relationships>"
                ),
                "word/document.xml": (
                    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                    b"<w:body><w:p><w:r><w:t>Not a slide deck</w:t></w:r></w:p></w:body></w:document>"
                ),
            },
        )

    def zip_bomb(self, name: str | Path, source: Path, megabytes: int = 24) -> Path:
        """A real deck plus one huge, highly compressible part (zeros deflate ~1000:1)."""
        path = self.path(name)
        path.write_bytes(source.read_bytes())
        with (
            zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as out,
            out.open("ppt/media/padding.bin", "w", force_zip64=True) as handle,
        ):
            chunk = bytes(1024 * 1024)
            for _ in range(megabytes):
                handle.write(chunk)
        return path

    def many_entries(self, name: str | Path, source: Path, extra: int) -> Path:
        path = self.path(name)
        path.write_bytes(source.read_bytes())
        with zipfile.ZipFile(path, "a", zipfile.ZIP_STORED) as out:
            for n in range(extra):
                out.writestr(f"customXml/item{n}.xml", b"<a/>")
        return path

    def repeated_slide(self, name: str | Path, times: int, source: Path | None = None) -> Path:
        """A hostile deck whose slide list names its first slide `times` times (a few KB on disk;
        the field saw 15,000 in a 71 KB file)."""
        import re

        source = source or self.pptx(f"one-slide-for-{Path(name).stem}.pptx", [("Same slide", "again", "")])
        with zipfile.ZipFile(source) as package:
            xml = package.read("ppt/presentation.xml").decode("utf-8")
        slide_list = re.search(r"<p:sldIdLst>(.*?)</p:sldIdLst>", xml, re.S)
        first = re.search(r'r:id="([^"]+)"', slide_list.group(1)) if slide_list else None
        assert slide_list, "the source deck should have a slide"
        assert first, "the source deck should have a slide"
        entries = "".join(f'<p:sldId id="{256 + n}" r:id="{first.group(1)}"/>' for n in range(times))
        xml = xml.replace(slide_list.group(1), entries)
        return self.rewrite(source, name, replace={"ppt/presentation.xml": xml.encode("utf-8")})

    def truncated(self, name: str | Path, source: Path, fraction: float = 0.5) -> Path:
        data = Path(source).read_bytes()
        path = self.path(name)
        path.write_bytes(data[: int(len(data) * fraction)])
        return path


@pytest.fixture
def deck_factory(tmp_path: Path) -> DeckFactory:
    return DeckFactory(tmp_path / "decks-in")


# The corpus library and row-counting fixtures live in their own module; importing them here makes them
# available to every test folder.
from tests.library_fixtures import (  # noqa: E402
    corpus_files,
    corpus_library,
    make_renderer,
    pptx_reference,
    row_counts,
)

__all__ = ["corpus_files", "corpus_library", "make_renderer", "pptx_reference", "row_counts"]
