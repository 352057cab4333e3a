"""read_deck on small hand-built packages: content extraction and every refusal path."""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

import pytest

from msldesk.core.errors import (
    DamagedDeckError,
    DeckImportError,
    NotAPresentationError,
    PasswordProtectedError,
    TooLargeError,
)
from msldesk.decks.ooxml.opc import PackageLimits
from msldesk.decks.ooxml.package import read_deck

SLIDES = [
    ("Mechanism of action", ["Selective JAK1 inhibition", "Oral, once daily"], "Keep this under a minute."),
    ("Phase III results", "Primary endpoint met at week 16", ""),
    ("Safety summary", ["Most common adverse events", "Nasopharyngitis"], "Mention the label update."),
]

PRESENTATION_MAIN = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
TEMPLATE_MAIN = "application/vnd.openxmlformats-officedocument.presentationml.template.main+xml"
SLIDESHOW_MAIN = "application/vnd.openxmlformats-officedocument.presentationml.slideshow.main+xml"
THEME = "application/vnd.openxmlformats-officedocument.theme+xml"


@pytest.fixture
def deck(deck_factory) -> Path:
    return deck_factory.pptx("good.pptx", SLIDES)


def _with_content_type(deck_factory, source: Path, name: str, old: str, new: str) -> Path:
    with zipfile.ZipFile(source) as package:
        types = package.read("[Content_Types].xml").decode()
    assert old in types
    replaced = types.replace(old, new).encode()
    return deck_factory.rewrite(source, name, replace={"[Content_Types].xml": replaced})


# ---- content --------------------------------------------------------------------------------------


def test_reads_titles_body_and_notes(deck: Path) -> None:
    content = read_deck(deck)
    assert content.kind == "presentation"
    assert not content.macro_enabled
    assert not content.strict
    assert [s.number for s in content.slides] == [1, 2, 3]
    assert [s.title for s in content.slides] == [title for title, _, _ in SLIDES]
    assert content.slides[0].text.splitlines() == SLIDES[0][1]
    assert content.slides[1].text == SLIDES[1][1]
    assert [s.notes for s in content.slides] == [notes for _, _, notes in SLIDES]
    assert all(s.layout == "Title and Content" for s in content.slides)
    assert not any(s.warning for s in content.slides)
    assert content.warnings == ()


def test_deck_title_from_core_properties_else_first_slide_title_else_file_name(deck_factory) -> None:
    titled = deck_factory.pptx("titled.pptx", SLIDES, title="JAK1 MSL deck 2026")
    assert read_deck(titled).title == "JAK1 MSL deck 2026"
    assert read_deck(deck_factory.pptx("untitled.pptx", SLIDES)).title == "Mechanism of action"
    empty = deck_factory.pptx("My empty deck.pptx", [])
    content = read_deck(empty)
    assert content.title == "My empty deck"
    assert content.slides == ()


def test_content_hash_depends_on_slide_content_only(deck_factory) -> None:
    first = read_deck(deck_factory.pptx("a.pptx", SLIDES))
    same = read_deck(deck_factory.pptx("b.pptx", SLIDES))
    edited_slides = [SLIDES[0], ("Phase III results", "Changed", ""), SLIDES[2]]
    edited = read_deck(deck_factory.pptx("c.pptx", edited_slides))
    assert [s.content_hash for s in first.slides] == [s.content_hash for s in same.slides]
    assert first.slides[0].content_hash == edited.slides[0].content_hash
    assert first.slides[1].content_hash != edited.slides[1].content_hash
    assert len({s.content_hash for s in first.slides}) == 3


def test_table_group_and_hidden_slide(deck_factory, tmp_path: Path) -> None:
    import pptx
    from pptx.util import Inches

    presentation = pptx.Presentation()
    slide = presentation.slides.add_slide(presentation.slide_layouts[5])  # Title Only
    slide.shapes.title.text = "Dosing table"
    table = slide.shapes.add_table(2, 2, Inches(1), Inches(2), Inches(4), Inches(1)).table
    table.cell(0, 0).text = "Dose"
    table.cell(1, 1).text = "15 mg once daily"
    group = slide.shapes.add_group_shape()
    box = group.shapes.add_textbox(Inches(1), Inches(4), Inches(2), Inches(1))
    box.text_frame.text = "Grouped footnote"
    hidden = presentation.slides.add_slide(presentation.slide_layouts[5])
    hidden.shapes.title.text = "Backup slide"
    hidden._element.set("show", "0")
    path = tmp_path / "table.pptx"
    presentation.save(str(path))

    first, second = read_deck(path).slides
    assert first.title == "Dosing table"
    assert first.has_table
    assert "15 mg once daily" in first.text
    assert "Dose" in first.text
    assert "Grouped footnote" in first.text
    assert "Dosing table" not in first.text  # the title is not repeated in the body
    assert not first.hidden
    assert second.hidden
    assert second.title == "Backup slide"


@pytest.mark.parametrize(
    ("content_type", "kind"),
    [(TEMPLATE_MAIN, "template"), (SLIDESHOW_MAIN, "slideshow")],
)
def test_templates_and_slideshows_are_presentations(deck_factory, deck: Path, content_type, kind) -> None:
    path = _with_content_type(deck_factory, deck, f"{kind}.bin", PRESENTATION_MAIN, content_type)
    content = read_deck(path)
    assert content.kind == kind
    assert [s.title for s in content.slides] == [title for title, _, _ in SLIDES]


# ---- damaged parts cost only what they hold --------------------------------------------------------


def test_malformed_slide_xml_keeps_the_slide_with_a_warning(deck_factory, deck: Path) -> None:
    with zipfile.ZipFile(deck) as package:
        good = package.read("ppt/slides/slide2.xml")
    half = good[: len(good) // 2]
    broken = deck_factory.rewrite(deck, "broken.pptx", replace={"ppt/slides/slide2.xml": half})

    content = read_deck(broken)
    assert len(content.slides) == 3
    first, second, third = content.slides
    assert second.warning
    assert "Slide 2" in second.warning
    assert any("Slide 2" in w for w in content.warnings)
    assert (first.title, third.title) == (SLIDES[0][0], SLIDES[2][0])
    assert "Nasopharyngitis" in third.text
    assert not first.warning
    assert not third.warning


def test_malformed_layout_keeps_its_slides(deck_factory, deck: Path) -> None:
    with zipfile.ZipFile(deck) as package:
        layout = package.read("ppt/slideLayouts/slideLayout2.xml")
    bad_name = layout.replace(b"<p:cSld", b"<:cSld", 1)  # not well-formed: empty prefix
    part = "ppt/slideLayouts/slideLayout2.xml"
    broken = deck_factory.rewrite(deck, "layout.pptx", replace={part: bad_name})
    content = read_deck(broken)
    assert [s.title for s in content.slides] == [title for title, _, _ in SLIDES]
    assert any("slideLayout2" in w for w in content.warnings)


def test_missing_slide_part_keeps_the_others(deck_factory, deck: Path) -> None:
    broken = deck_factory.rewrite(deck, "missing.pptx", drop=["ppt/slides/slide2.xml"])
    content = read_deck(broken)
    assert [s.title for s in content.slides] == [SLIDES[0][0], "", SLIDES[2][0]]
    assert content.slides[1].warning


# ---- refusals ---------------------------------------------------------------------------------------


def test_word_document_renamed_pptx_is_not_a_presentation(deck_factory) -> None:
    with pytest.raises(NotAPresentationError, match="Word") as caught:
        read_deck(deck_factory.docx("report.pptx"))
    assert caught.value.kind == "not-a-presentation"


def test_theme_package_is_not_a_presentation(deck_factory, deck: Path) -> None:
    theme = _with_content_type(deck_factory, deck, "theme.thmx", PRESENTATION_MAIN, THEME)
    with pytest.raises(NotAPresentationError):
        read_deck(theme)


def test_empty_zip_is_not_a_presentation(deck_factory) -> None:
    with pytest.raises(NotAPresentationError, match="empty"):
        read_deck(deck_factory.zip("empty.pptx", {}))


def test_zip_without_package_relationships_is_not_a_presentation(deck_factory) -> None:
    with pytest.raises(NotAPresentationError):
        read_deck(deck_factory.zip("photos.pptx", {"a.jpg": b"\xff\xd8\xff"}))


def test_missing_content_types_is_damaged(deck_factory, deck: Path) -> None:
    with pytest.raises(DamagedDeckError):
        read_deck(deck_factory.rewrite(deck, "no-types.pptx", drop=["[Content_Types].xml"]))


def test_missing_presentation_part_is_damaged(deck_factory, deck: Path) -> None:
    with pytest.raises(DamagedDeckError):
        read_deck(deck_factory.rewrite(deck, "no-main.pptx", drop=["ppt/presentation.xml"]))


@pytest.mark.parametrize("fraction", [0.0, 0.1, 0.5, 0.9, 0.99])
def test_truncated_deck_is_damaged(deck_factory, deck: Path, fraction: float) -> None:
    with pytest.raises(DamagedDeckError) as caught:
        read_deck(deck_factory.truncated(f"cut-{fraction}.pptx", deck, fraction))
    assert caught.value.kind == "damaged"
    # zipfile's own words ("Bad magic number for central directory") are the details, not the message
    assert caught.value.details
    assert caught.value.details not in caught.value.user_message


def test_plain_text_renamed_pptx_is_damaged(tmp_path: Path) -> None:
    path = tmp_path / "notes.pptx"
    path.write_text("not a zip at all\n" * 100)
    with pytest.raises(DamagedDeckError) as caught:
        read_deck(path)
    assert caught.value.user_message == (
        "The file is damaged: it is not a readable zip package, it may be truncated or corrupt."
    )
    assert caught.value.details == "File is not a zip file"


def _ole2(payload: bytes) -> bytes:
    # Enough of a compound file for a magic-number check: header signature, then directory names.
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + payload + bytes(1024)


def test_encrypted_ooxml_is_password_protected(tmp_path: Path) -> None:
    path = tmp_path / "secret.pptx"
    path.write_bytes(_ole2("EncryptionInfo".encode("utf-16-le") + "EncryptedPackage".encode("utf-16-le")))
    with pytest.raises(PasswordProtectedError) as caught:
        read_deck(path)
    assert caught.value.kind == "password-protected"


def test_encrypted_package_name_split_across_read_chunks(tmp_path: Path) -> None:
    needle = "EncryptedPackage".encode("utf-16-le")
    data = bytearray(_ole2(b"") + bytes(3 * 1024 * 1024))
    start = 1024 * 1024 - 7  # straddles the 1 MiB chunk boundary of the scanner
    data[start : start + len(needle)] = needle
    path = tmp_path / "secret.pptx"
    path.write_bytes(bytes(data))
    with pytest.raises(PasswordProtectedError):
        read_deck(path)


def test_legacy_binary_ppt_is_not_a_presentation(tmp_path: Path) -> None:
    path = tmp_path / "old.pptx"
    path.write_bytes(_ole2("PowerPoint Document".encode("utf-16-le")))
    with pytest.raises(NotAPresentationError, match=r"\.ppt"):
        read_deck(path)


# ---- limits -----------------------------------------------------------------------------------------


def test_zip_bomb_entry_is_too_large(deck_factory, deck: Path) -> None:
    bomb = deck_factory.zip_bomb("bomb.pptx", deck, megabytes=4)
    small = PackageLimits(ratio_floor_bytes=1024 * 1024, max_ratio=50)
    with pytest.raises(TooLargeError) as caught:
        read_deck(bomb, small)
    assert caught.value.kind == "too-large"
    # Under the default limits (16 MB floor) the same 4 MB part is harmless.
    assert len(read_deck(bomb).slides) == 3


def test_zip_bomb_under_default_limits(deck_factory, deck: Path) -> None:
    with pytest.raises(TooLargeError):
        read_deck(deck_factory.zip_bomb("bomb.pptx", deck, megabytes=24))


def test_too_many_entries_is_too_large(deck_factory, deck: Path) -> None:
    crowded = deck_factory.many_entries("crowded.pptx", deck, extra=300)
    with pytest.raises(TooLargeError, match="parts"):
        read_deck(crowded, PackageLimits(max_entries=200))
    assert len(read_deck(crowded).slides) == 3


def test_total_uncompressed_size_limit(deck: Path) -> None:
    total = sum(i.file_size for i in zipfile.ZipFile(deck).infolist())
    with pytest.raises(TooLargeError):
        read_deck(deck, PackageLimits(max_uncompressed_bytes=total - 1))
    read_deck(deck, PackageLimits(max_uncompressed_bytes=total))


def test_file_size_limit(deck: Path) -> None:
    with pytest.raises(TooLargeError):
        read_deck(deck, PackageLimits(max_file_bytes=deck.stat().st_size - 1))


def test_oversized_xml_part(deck_factory, deck: Path) -> None:
    with zipfile.ZipFile(deck) as package:
        presentation_xml = package.read("ppt/presentation.xml")
    with pytest.raises(TooLargeError):
        read_deck(deck, PackageLimits(max_xml_part_bytes=len(presentation_xml) - 1))


def test_xml_entities_are_not_expanded(deck_factory, deck: Path) -> None:
    with zipfile.ZipFile(deck) as package:
        slide = package.read("ppt/slides/slide1.xml").decode()
    laughs = '<!DOCTYPE p:sld [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    body = slide.replace("<p:sld ", laughs + "<p:sld ", 1).replace("Mechanism of action", "&b;")
    evil = deck_factory.rewrite(deck, "laughs.pptx", replace={"ppt/slides/slide1.xml": body.encode()})
    content = read_deck(evil)
    assert len(content.slides) == 3
    assert "hahaha" not in content.slides[0].title


# ---- robustness ---------------------------------------------------------------------------------------


def test_bit_rot_only_ever_raises_typed_errors(deck: Path, tmp_path: Path) -> None:
    """Randomly damaged copies either read or fail with a DeckImportError, never anything else
    (an untyped exception would stop an import batch)."""
    original = deck.read_bytes()
    rng = random.Random(20261122)
    kinds: set[str] = set()
    for n in range(600):
        data = bytearray(original)
        if n % 3 == 0:
            data = data[: rng.randrange(len(data))]
        else:
            # Aim at the central directory half the time: that is where zipfile is most fragile.
            lo = len(data) - 600 if n % 3 == 1 else 0
            for _ in range(rng.randint(1, 12)):
                data[rng.randrange(lo, len(data))] = rng.randrange(256)
        path = tmp_path / f"rot-{n}.pptx"
        path.write_bytes(bytes(data))
        try:
            read_deck(path)
            kinds.add("ok")
        except DeckImportError as exc:
            kinds.add(exc.kind)
        path.unlink()
    assert kinds <= {"ok", "damaged", "not-a-presentation", "too-large"}
    assert {"ok", "damaged"} <= kinds


def test_write_first_slides_cuts_only_the_slide_list(deck_factory, deck: Path, tmp_path: Path) -> None:
    from msldesk.decks.ooxml.package import write_first_slides

    cut = tmp_path / "cut.pptx"
    assert write_first_slides(deck, cut, keep=3) == 3
    assert not cut.exists()  # nothing to cut
    assert write_first_slides(deck, cut, keep=2) == 3
    assert [s.title for s in read_deck(cut).slides] == [title for title, _, _ in SLIDES[:2]]
    with zipfile.ZipFile(deck) as original, zipfile.ZipFile(cut) as copy:
        assert original.namelist() == copy.namelist()
        changed = [n for n in original.namelist() if original.read(n) != copy.read(n)]
    assert changed == ["ppt/presentation.xml"]
    hostile = deck_factory.repeated_slide("hostile.pptx", 5000)
    assert write_first_slides(hostile, cut, keep=4) == 5000
    assert len(read_deck(cut).slides) == 4
