"""The odontogram's geometry and marks: plain Python, no queries, no HTML.

`odontogram(chart, dentition=...)` turns a patient's chart (dental's
`services.patient_chart`: its entries and each tooth's state) into rows of
teeth, each with its five surface shapes, a class-V band, its roots and the
marks the chart needs at a glance: surfaces coloured by status, a crown's
ring, a root canal's line, an implant's screw, a cross over a missing or
extracted tooth, a bridge's connector. The template only loops over it, so
the page costs the same queries with 3 entries or 300.

Layout, as dental charts are read: the patient's right on the viewer's
left; upper teeth with their roots up, lower ones with their roots down;
the labels face each other between the arches. On each tooth's square the
buccal side is towards the roots' side of the row (top for upper teeth,
bottom for lower ones), the lingual side opposite, the mesial side towards
the midline, the occlusal (incisal) surface in the middle. Mixed dentition
draws four rows: permanent upper, primary upper, primary lower, permanent
lower; a primary tooth sits under the permanent tooth of its position.

Colours (the conventional scheme, in chart.css): planned red, completed
blue, existing green (elsewhere grey); a condition in its ConditionType's
colour. Declined and referred entries stay in the list, not on the teeth.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from chairside.dental.models import EntryKind, EntryStatus, ToothEffect
from chairside.dental.teeth import (
    BY_FDI,
    Arch,
    Dentition,
    Notation,
    arch_order,
    teeth_between,
)

# One tooth's cell, in SVG user units.
CELL = 44
SQUARE = 32
INSET = 10  # the occlusal square's distance from the outer square
MIDLINE_GAP = 10
ROW_HEIGHT = 100
ARCH_GAP = 14
PAD = 4
SURFACES = "MODBLV"


class Dentitions(StrEnum):
    PERMANENT = "permanent"
    PRIMARY = "primary"
    MIXED = "mixed"


def default_dentition(date_of_birth: date | None, today: date) -> Dentitions:
    """By age, when the date of birth is known: primary teeth until 6, mixed
    until 12, permanent after (a dentist switches when the mouth differs)."""
    if date_of_birth is None:
        return Dentitions.PERMANENT
    years = today.year - date_of_birth.year
    if (today.month, today.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    if years < 6:
        return Dentitions.PRIMARY
    if years < 12:
        return Dentitions.MIXED
    return Dentitions.PERMANENT


def status_class(status: str) -> str:
    """The CSS class of an entry's status on the chart ("" when not drawn)."""
    if status == EntryStatus.PLANNED:
        return "planned"
    if status == EntryStatus.COMPLETED:
        return "completed"
    if status == EntryStatus.EXISTING_HERE:
        return "existing"
    if status == EntryStatus.EXISTING_ELSEWHERE:
        return "elsewhere"
    return ""


# Which mark wins a surface several entries colour: what is to be done,
# then what is wrong, then what is there.
_PRIORITY = {"planned": 4, "condition": 3, "completed": 2, "existing": 1}


@dataclass
class Mark:
    """A status class (planned, completed, existing, elsewhere, condition)
    and, for a condition, its colour."""

    css: str
    colour: str = ""

    @property
    def rank(self) -> int:
        return _PRIORITY.get(self.css, 1)


@dataclass
class Shape:
    surface: str  # a letter of SURFACES
    label: str  # as shown: I for O and F for B on anterior teeth
    points: str  # an SVG polygon
    mark: Mark | None = None


@dataclass
class ToothView:
    fdi: int
    name: str  # in the reader's notation
    x: float
    y: float
    upper: bool
    anterior: bool
    shapes: list[Shape]
    roots: list[str]  # SVG paths
    canals: list[tuple[float, float, float, float]]  # lines
    label_y: float
    presence: str = "present"  # present | missing | extracted | implant
    ring: Mark | None = None  # a crown
    canal: Mark | None = None  # a root canal
    implant: Mark | None = None
    cross: Mark | None = None  # missing / extracted, or an extraction planned
    conditions: list[Mark] = field(default_factory=list)  # whole-tooth findings
    planned: int = 0
    square: tuple[float, float] = (0.0, 0.0)  # its top-left corner, local
    row: int = 0
    col: int = 0

    @property
    def ring_box(self) -> tuple[float, float, float]:
        """x, y and side of the crown's ring, just outside the square."""
        x, y = self.square
        return x - 3, y - 3, SQUARE + 6

    @property
    def screw(self) -> str:
        """An implant's screw in place of the roots: a post and its threads."""
        top, bottom = (4, 30) if self.upper else (70, 96)
        middle = CELL / 2
        path = [f"M{middle - 4:g},{top:g} h8 v{bottom - top:g} h-8 Z"]
        for n in range(4):
            y = top + 4 + n * (bottom - top - 6) / 3
            path.append(f"M{middle - 7:g},{y + 2:g} L{middle + 7:g},{y - 2:g}")
        return " ".join(path)

    @property
    def cross_path(self) -> str:
        top, bottom = (2, 72) if self.upper else (28, 98)
        return f"M4,{top} L40,{bottom} M40,{top} L4,{bottom}"

    @property
    def dots(self) -> list[tuple[float, float, Mark]]:
        """Whole-tooth findings (fracture, watch...): dots beside the label."""
        y = self.label_y + (7 if self.upper else -15)
        shown = self.conditions[:4]
        first = CELL / 2 - 4.5 * (len(shown) - 1)
        return [(first + 9 * n, y, mark) for n, mark in enumerate(shown)]

    @property
    def patient_right(self) -> bool:
        """On the patient's right (drawn on the viewer's left)."""
        return BY_FDI[self.fdi].quadrant in (1, 4)

    @property
    def absent(self) -> bool:
        return self.presence in ("missing", "extracted")

    @property
    def summary(self) -> str:
        """What a screen reader hears besides the tooth's name."""
        parts = [self.presence] if self.presence != "present" else []
        parts += [f"{s.label} {s.mark.css}" for s in self.shapes if s.mark is not None]
        if self.ring:
            parts.append(f"crown {self.ring.css}")
        if self.canal:
            parts.append(f"root canal {self.canal.css}")
        if self.planned:
            parts.append(f"{self.planned} planned")
        return ", ".join(parts)


@dataclass
class Connector:
    """A bridge's bar from one tooth's centre to another's."""

    x1: float
    x2: float
    y: float
    mark: Mark


@dataclass
class Odontogram:
    dentition: Dentitions
    left: float
    width: float
    height: float
    teeth: list[ToothView]
    connectors: list[Connector]
    # The rows' FDI numbers, for keyboard moves (left/right, up/down).
    rows: list[list[int]]


def _tooth_x(fdi: int) -> float:
    """A tooth's left edge: by its position from the midline, so a primary
    tooth sits under the permanent one of its position."""
    row = BY_FDI[fdi]
    midline = PAD + 8 * CELL + MIDLINE_GAP / 2
    if row.quadrant in (1, 4):  # the patient's right: the viewer's left
        return midline - MIDLINE_GAP / 2 - row.position * CELL
    return midline + MIDLINE_GAP / 2 + (row.position - 1) * CELL


def _square_shapes(x0: float, y0: float, upper: bool, right_side: bool):
    """The five surfaces of a square at (x0, y0): (letter, polygon)."""
    s, i = SQUARE, INSET
    tl, tr, br, bl = (x0, y0), (x0 + s, y0), (x0 + s, y0 + s), (x0, y0 + s)
    itl, itr = (x0 + i, y0 + i), (x0 + s - i, y0 + i)
    ibr, ibl = (x0 + s - i, y0 + s - i), (x0 + i, y0 + s - i)
    top, bottom = ("B", "L") if upper else ("L", "B")
    # The midline is to the viewer's right of the patient's right side.
    left, right = ("D", "M") if right_side else ("M", "D")
    return [
        (top, (tl, tr, itr, itl)),
        (right, (tr, br, ibr, itr)),
        (bottom, (br, bl, ibl, ibr)),
        (left, (bl, tl, itl, ibl)),
        ("O", (itl, itr, ibr, ibl)),
    ]


def _points(corners: Iterable[tuple[float, float]]) -> str:
    return " ".join(f"{x:g},{y:g}" for x, y in corners)


def _root_count(fdi: int) -> int:
    row = BY_FDI[fdi]
    if row.dentition == Dentition.PRIMARY:
        return 2 if row.position >= 4 else 1
    return 2 if row.position >= 6 else 1


def _roots(x0: float, upper: bool, count: int, top: float, bottom: float):
    """Root outlines between `top` and `bottom` (the crown's side is
    `bottom` for upper teeth, `top` for lower ones) and their canal lines."""
    base, apex = (bottom, top) if upper else (top, bottom)
    curve = apex + (6 if upper else -6)
    width = SQUARE - 8
    roots, canals = [], []
    for n in range(count):
        left = x0 + 4 + n * width / count
        right = left + width / count
        middle = (left + right) / 2
        roots.append(
            f"M{left + 2:g},{base:g} Q{left + 3:g},{curve:g} {middle:g},{apex:g} "
            f"Q{right - 3:g},{curve:g} {right - 2:g},{base:g} Z"
        )
        canals.append((middle, base, middle, apex + (4 if upper else -4)))
    return roots, canals


def _tooth_view(fdi: int, notation: Notation, y: float) -> ToothView:
    row = BY_FDI[fdi]
    upper = row.arch == Arch.UPPER
    x = _tooth_x(fdi)
    x0 = (CELL - SQUARE) / 2
    # Local layout (upper): roots 2-30, class V band 31-36, square 38-70,
    # label 86. Lower teeth are its mirror image.
    if upper:
        square_y, band, label_y, root_span = 38.0, (31.0, 36.0), 86.0, (2.0, 30.0)
    else:
        square_y, band, label_y, root_span = 30.0, (64.0, 69.0), 20.0, (70.0, 98.0)
    shapes = [
        Shape(letter, _label(letter, row.is_anterior), _points(corners))
        for letter, corners in _square_shapes(
            x0, square_y, upper, right_side=row.quadrant in (1, 4)
        )
    ]
    b0, b1 = band
    shapes.append(
        Shape(
            "V",
            "V",
            _points(
                (
                    (x0 + 2, b0),
                    (x0 + SQUARE - 2, b0),
                    (x0 + SQUARE - 2, b1),
                    (x0 + 2, b1),
                )
            ),
        )
    )
    roots, canals = _roots(x0, upper, _root_count(fdi), *root_span)
    return ToothView(
        fdi=fdi,
        name=row.name(notation),
        x=x,
        y=y,
        upper=upper,
        anterior=row.is_anterior,
        shapes=shapes,
        roots=roots,
        canals=canals,
        label_y=label_y,
        square=(x0, square_y),
    )


def _label(letter: str, anterior: bool) -> str:
    if anterior and letter == "O":
        return "I"
    return letter


def _rows(dentition: Dentitions) -> list[tuple[Arch, Dentition]]:
    if dentition == Dentitions.MIXED:
        return [
            (Arch.UPPER, Dentition.PERMANENT),
            (Arch.UPPER, Dentition.PRIMARY),
            (Arch.LOWER, Dentition.PRIMARY),
            (Arch.LOWER, Dentition.PERMANENT),
        ]
    kind = Dentition(dentition)
    return [(Arch.UPPER, kind), (Arch.LOWER, kind)]


def _effect(entry) -> str:
    kind_of = entry.procedure_code if entry.kind == EntryKind.PROCEDURE else None
    kind_of = kind_of or entry.condition_type
    return getattr(kind_of, "effect", "") or ""


def _mark_of(entry) -> Mark | None:
    """How an entry is drawn; None when it is not (declined, referred,
    invalidated)."""
    if entry.status == EntryStatus.INVALIDATED:
        return None
    if entry.kind == EntryKind.CONDITION and entry.condition_type is not None:
        effect = entry.condition_type.effect
        if effect in (ToothEffect.CROWN, ToothEffect.FILLING, ToothEffect.ROOT_CANAL):
            # An existing restoration found on the chart: drawn as existing.
            return Mark("existing")
        return Mark("condition", entry.condition_type.colour)
    css = status_class(entry.status)
    return Mark(css) if css else None


def _keep(current: Mark | None, new: Mark) -> Mark:
    return new if current is None or new.rank > current.rank else current


def _apply(view: ToothView, entry, mark: Mark, effect: str) -> None:
    if entry.surfaces:
        for shape in view.shapes:
            if shape.surface in entry.surfaces:
                shape.mark = _keep(shape.mark, mark)
        return
    if effect in (ToothEffect.CROWN, ToothEffect.BRIDGE):
        view.ring = _keep(view.ring, mark)
    elif effect == ToothEffect.ROOT_CANAL:
        view.canal = _keep(view.canal, mark)
    elif effect == ToothEffect.IMPLANT:
        view.implant = _keep(view.implant, mark)
    elif effect in (ToothEffect.MISSING, ToothEffect.EXTRACTED):
        view.cross = _keep(view.cross, mark)
    elif effect == ToothEffect.FILLING:
        for shape in view.shapes:
            if shape.surface == "O":
                shape.mark = _keep(shape.mark, mark)
    elif mark.css == "condition" and mark not in view.conditions:
        view.conditions.append(mark)


def _draw_entries(entries, views: dict[int, ToothView]) -> list[Connector]:
    """Mark each entry on the teeth drawn; a bridge's connectors."""
    connectors: list[Connector] = []
    for entry in entries:
        mark = _mark_of(entry)
        if mark is None or entry.tooth is None or entry.supernumerary:
            continue
        effect = _effect(entry)
        span = [entry.tooth]
        if entry.tooth_to is not None:
            span = teeth_between(entry.tooth, entry.tooth_to)
        drawn = [views[fdi] for fdi in span if fdi in views]
        for view in drawn:
            _apply(view, entry, mark, effect)
        if effect == ToothEffect.BRIDGE and len(drawn) > 1:
            first, last = drawn[0], drawn[-1]
            connectors.append(
                Connector(
                    x1=min(first.x, last.x) + CELL / 2,
                    x2=max(first.x, last.x) + CELL / 2,
                    # Square-high, drawn under the teeth: it shows in the
                    # gaps between them, joining the crowns.
                    y=first.y + first.square[1] + SQUARE / 2,
                    mark=mark,
                )
            )
    return connectors


def odontogram(
    chart, *, dentition: Dentitions | str = Dentitions.PERMANENT
) -> Odontogram:
    """The drawing of `chart` (dental's services.Chart) in `dentition`."""
    dentition = Dentitions(dentition)
    views: dict[int, ToothView] = {}
    rows: list[list[int]] = []
    y = PAD
    for index, (arch, kind) in enumerate(_rows(dentition)):
        if index and arch == Arch.LOWER and _rows(dentition)[index - 1][0] != arch:
            y += ARCH_GAP
        order = arch_order(arch, kind)
        rows.append(order)
        for col, fdi in enumerate(order):
            views[fdi] = _tooth_view(fdi, chart.notation, y)
            views[fdi].row, views[fdi].col = index, col
        y += ROW_HEIGHT
    for fdi, view in views.items():
        state = chart.teeth.get(fdi)
        if state is not None:
            view.presence = state.presence
            view.planned = state.planned
    connectors = _draw_entries(chart.entries, views)
    for view in views.values():
        if view.absent and view.cross is None:
            view.cross = Mark("existing")
        if view.presence == "implant" and view.implant is None:
            view.implant = Mark("existing")
    # The drawing's box: the teeth drawn and a margin (a primary chart is
    # narrower than a permanent one, and fills the same width on screen).
    left = min(view.x for view in views.values()) - PAD
    width = max(view.x for view in views.values()) + CELL + PAD - left
    return Odontogram(
        dentition=dentition,
        left=left,
        width=width,
        height=y + PAD,
        teeth=list(views.values()),
        connectors=connectors,
        rows=rows,
    )
