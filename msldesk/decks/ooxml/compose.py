"""Assemble one PowerPoint deck from slides of several source decks, faithfully, at the package level.

python-pptx cannot copy a slide between presentations, and the recipes in circulation write
duplicate part names that silently replace the target's pictures and charts. Here the parts are
copied under fresh names (part_graph), with what a slide takes from its deck's presentation part
(presentation_part, text_defaults), Strict sources translated to transitional on the way (strict,
source_deck), and the output written atomically (package_writer).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from msldesk.core.errors import InvalidInputError
from msldesk.core.progress import CancelToken, ProgressCallback, no_progress
from msldesk.decks.ooxml.package_writer import write_package
from msldesk.decks.ooxml.part_graph import PartGraph
from msldesk.decks.ooxml.presentation_part import PRESENTATION_PART, build_presentation
from msldesk.decks.ooxml.slide_size import fit_within, parse_size, size_label
from msldesk.decks.ooxml.source_deck import SourceDeck
from msldesk.decks.ooxml.text_defaults import TextDefaults, same_text_style, sizes_only


@dataclass(frozen=True)
class SourceSlide:
    """Slide `number` (1-based, as in the deck's slide list) of the deck file `package`."""

    package: Path
    number: int
    label: str = ""  # how to name it in messages, e.g. "Deck title, slide 3"


@dataclass(frozen=True)
class ComposeResult:
    path: Path
    slides: int
    parts: int
    warnings: tuple[str, ...] = field(default_factory=tuple)


def compose_deck(
    slides: Sequence[SourceSlide],
    out: Path,
    title: str = "Composed deck",
    progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
    fit_sizes: bool = True,
) -> ComposeResult:
    """Write `out` with `slides` in order, at the first slide's deck's size: slides of another size
    are scaled to fit it, centred (`fit_sizes=False` leaves them as they are, for comparison).
    Nothing is written unless the whole deck is."""
    if not slides:
        raise InvalidInputError("Pick at least one slide to build a deck.")
    composer = _Composer(slides, fit_sizes)
    try:
        composer.plan()
        for index in range(len(slides)):
            if cancel is not None:
                cancel.raise_if_cancelled()
            progress(index, len(slides), f"Copying slide {index + 1} of {len(slides)}")
            composer.copy_slide(index)
        composer.build_presentation()
        if cancel is not None:
            cancel.raise_if_cancelled()
        progress(len(slides), len(slides), "Writing the deck")
        parts = write_package(Path(out), composer.graph.parts, PRESENTATION_PART, title, len(slides))
    finally:
        composer.close()
    return ComposeResult(Path(out), len(slides), parts, composer.all_warnings())


class _Composer:
    """One compose run: the source decks opened, the picks named, then copied one by one."""

    def __init__(self, slides: Sequence[SourceSlide], fit_sizes: bool = True) -> None:
        self.picks = list(slides)
        self.fit_sizes = fit_sizes
        self.sources: dict[Path, SourceDeck] = {}
        self.warnings: list[str] = []
        self.graph = PartGraph(warn=self.warnings.append)
        self.graph.namer.reserve(PRESENTATION_PART)
        self.slide_names: list[str] = []

    def source(self, path: Path) -> SourceDeck:
        path = Path(path)
        if path not in self.sources:
            self.sources[path] = SourceDeck(path)
        return self.sources[path]

    def plan(self) -> None:
        """Open every deck, name every new slide, and decide which decks' slides are restyled or
        scaled, before anything is copied."""
        for index, pick in enumerate(self.picks):
            src = self.source(pick.package)
            if pick.label and src.name == src.path.name:
                src.name = pick.label.rsplit(", slide ", 1)[0]  # "Deck title, slide 3" -> "Deck title"
            if not 1 <= pick.number <= len(src.slides):
                raise InvalidInputError(
                    f"{pick.label or pick.package.name}: the deck has no slide {pick.number} "
                    f"(it has {len(src.slides)})."
                )
            part = src.slides[pick.number - 1]
            self.slide_names.append(self.graph.reserve_slide(src, part, index + 1))
        first = self.source(self.picks[0].package)
        for src in self.sources.values():
            theirs = src.default_text_style
            if theirs is not None and not same_text_style(theirs, first.default_text_style):
                src.restyle = TextDefaults(theirs)
        for src in self.sources.values():
            if src.slide_size and first.slide_size and src.slide_size != first.slide_size:
                self.warnings.append(self._fit(src, first))

    def _fit(self, src: SourceDeck, first: SourceDeck) -> str:
        """Scale `src`'s slides to the first deck's size (when both sizes are readable); the warning
        that says so."""
        assert src.slide_size is not None
        assert first.slide_size is not None
        theirs, ours = parse_size(src.slide_size), parse_size(first.slide_size)
        different = (
            f"{src.name} has a different slide size ({size_label(src.slide_size)}) from the "
            f"first slide's deck ({size_label(first.slide_size)})"
        )
        if theirs is None or ours is None or not self.fit_sizes:
            return f"{different}; its slides keep their layout but are not rescaled."
        src.fit = fit_within(theirs, ours)
        if src.restyle is None and src.default_text_style is not None:
            # Its text boxes' inherited sizes must be written down to be scaled with the rest; the
            # rest of its text defaults are the new deck's already.
            src.restyle = TextDefaults(sizes_only(src.default_text_style))
        done = "centred" if src.fit.sx == 1 else f"scaled to {src.fit.sx:.0%} and centred to fit"
        return f"{different}; its slides were {done}, as PowerPoint does when it reuses a slide."

    def copy_slide(self, index: int) -> None:
        pick = self.picks[index]
        src = self.source(pick.package)
        self.graph.copy_slide(src, src.slides[pick.number - 1], self.slide_names[index])

    def build_presentation(self) -> None:
        base = self.source(self.picks[0].package)
        build_presentation(self.graph, base, list(self.sources.values()), self.slide_names)

    def all_warnings(self) -> tuple[str, ...]:
        """Every warning once, in order: size changes and links left out, then each deck's repairs."""
        repairs = [r for src in self.sources.values() for r in src.repairs]
        repairs += [w for src in self.sources.values() if (w := src.unreadable_warning())]
        return tuple(dict.fromkeys([*self.warnings, *repairs]))

    def close(self) -> None:
        for src in self.sources.values():
            src.close()
