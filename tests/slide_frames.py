"""Where the shapes of a deck lie, read with python-pptx (not msldesk): placeholders without a frame of
their own take their layout's or master's, as PowerPoint shows them; tables count their grid."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Frame:
    slide: int  # 1-based
    name: str
    left: int
    top: int
    width: int
    height: int

    @property
    def right(self) -> int:
        return self.left + self.width

    @property
    def bottom(self) -> int:
        return self.top + self.height

    def inside(self, width: int, height: int, slack: int = 2) -> bool:
        """Within a slide of that size (a rounding `slack` of EMUs allowed)."""
        return (
            self.left >= -slack
            and self.top >= -slack
            and self.right <= width + slack
            and self.bottom <= height + slack
        )


def slide_size(path: Path) -> tuple[int, int]:
    import pptx

    presentation = pptx.Presentation(str(path))
    return int(presentation.slide_width or 0), int(presentation.slide_height or 0)


def frames(path: Path) -> list[list[Frame]]:
    """Per slide, the frame of each top-level shape (a group counts as one), and of each table's grid."""
    import pptx

    result = []
    for number, slide in enumerate(pptx.Presentation(str(path)).slides, start=1):
        found = []
        for shape in slide.shapes:
            if None in (shape.left, shape.top, shape.width, shape.height):
                continue  # no frame anywhere in its inheritance: PowerPoint does not show it either
            box = (int(shape.left), int(shape.top), int(shape.width), int(shape.height))
            found.append(Frame(number, shape.name, *box))
            if getattr(shape, "has_table", False):
                table = shape.table
                grid = (sum(int(c.width) for c in table.columns), sum(int(r.height) for r in table.rows))
                found.append(Frame(number, f"{shape.name} (grid)", box[0], box[1], *grid))
        result.append(found)
    return result


def outside(path: Path) -> list[Frame]:
    """Every frame that does not lie inside the deck's slide."""
    width, height = slide_size(path)
    return [frame for page in frames(path) for frame in page if not frame.inside(width, height)]
