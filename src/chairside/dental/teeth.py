"""Teeth: stored in FDI / ISO 3950, shown and typed in FDI, Universal or
Palmer.

One table (`TEETH`, 52 rows: 32 permanent, 20 primary) says everything
about a tooth; every conversion reads it, so the notations cannot disagree.

- FDI: two digits, quadrant then position from the midline. Permanent
  quadrants 1 (upper right) 2 (upper left) 3 (lower left) 4 (lower right),
  positions 1-8; primary quadrants 5-8, positions 1-5. "11", "85".
- Universal (ADA): permanent 1-32 from the upper right third molar round to
  the lower right one; primary A-T the same way round.
- Palmer: the quadrant then the position, in ASCII as Chairside writes it:
  "UR8" (18), "UL1" (21), "LL3" (33), "LR6" (46); primary teeth by letter,
  "URE" (55), "ULA" (61). Input also takes the bracket forms: "8⏌" / "8┘"
  (upper right), "⎿1" / "└1" (upper left), "8⏋" / "8┐" (lower right),
  "⎾3" / "┌3" (lower left), and "UR 8", "ur8".

"Right" and "left" are the patient's. A supernumerary tooth has no FDI
number: a chart entry marks it with `supernumerary=True` on its neighbour.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum, StrEnum

from django.utils.translation import gettext as _

from chairside.core.errors import ChairsideError
from chairside.dental.errors import DentalErrorCode


class Notation(StrEnum):
    FDI = "fdi"
    UNIVERSAL = "universal"
    PALMER = "palmer"


class Dentition(StrEnum):
    PERMANENT = "permanent"
    PRIMARY = "primary"


class Arch(IntEnum):
    UPPER = 1
    LOWER = 2


@dataclass(frozen=True, slots=True)
class Tooth:
    fdi: int
    universal: str
    palmer: str
    dentition: Dentition
    arch: Arch
    # 1 upper right, 2 upper left, 3 lower left, 4 lower right (for primary
    # teeth too: FDI's 5-8 are the same four quadrants).
    quadrant: int
    # From the midline: 1 central incisor ... 8 third molar (primary: 1-5).
    position: int
    # 1-6: upper right posterior, upper anterior, upper left posterior,
    # lower left posterior, lower anterior, lower right posterior.
    sextant: int

    @property
    def is_anterior(self) -> bool:
        """Incisors and canines (positions 1-3): incisal edge, no occlusal."""
        return self.position <= 3

    @property
    def is_posterior(self) -> bool:
        return not self.is_anterior

    def name(self, notation: Notation | str) -> str:
        notation = _notation(notation)
        if notation == Notation.FDI:
            return str(self.fdi)
        if notation == Notation.UNIVERSAL:
            return self.universal
        return self.palmer


PALMER_QUADRANTS = {1: "UR", 2: "UL", 3: "LL", 4: "LR"}
PRIMARY_LETTERS = "ABCDE"  # Palmer's primary positions 1-5
UNIVERSAL_PRIMARY = "ABCDEFGHIJKLMNOPQRST"


def _universal(quadrant: int, position: int, dentition: Dentition) -> str:
    """Universal numbers run round the mouth from the upper right."""
    if dentition == Dentition.PERMANENT:
        number = {1: 9 - position, 2: 8 + position, 3: 25 - position}.get(
            quadrant, 24 + position
        )
        return str(number)
    index = {1: 5 - position, 2: 4 + position, 3: 15 - position}.get(
        quadrant, 14 + position
    )
    return UNIVERSAL_PRIMARY[index]


def _sextant(quadrant: int, position: int) -> int:
    if position <= 3:
        return 2 if quadrant in (1, 2) else 5
    return {1: 1, 2: 3, 3: 4, 4: 6}[quadrant]


def _build() -> tuple[Tooth, ...]:
    rows = []
    for dentition, first_quadrant, positions in (
        (Dentition.PERMANENT, 1, 8),
        (Dentition.PRIMARY, 5, 5),
    ):
        for offset in range(4):
            quadrant = offset + 1
            for position in range(1, positions + 1):
                palmer_position = (
                    str(position)
                    if dentition == Dentition.PERMANENT
                    else PRIMARY_LETTERS[position - 1]
                )
                rows.append(
                    Tooth(
                        fdi=(first_quadrant + offset) * 10 + position,
                        universal=_universal(quadrant, position, dentition),
                        palmer=PALMER_QUADRANTS[quadrant] + palmer_position,
                        dentition=dentition,
                        arch=Arch.UPPER if quadrant in (1, 2) else Arch.LOWER,
                        quadrant=quadrant,
                        position=position,
                        sextant=_sextant(quadrant, position),
                    )
                )
    return tuple(rows)


TEETH: tuple[Tooth, ...] = _build()
BY_FDI: dict[int, Tooth] = {t.fdi: t for t in TEETH}
FDI_NUMBERS: tuple[int, ...] = tuple(sorted(BY_FDI))
_BY_NAME: dict[Notation, dict[str, Tooth]] = {
    Notation.FDI: {str(t.fdi): t for t in TEETH},
    Notation.UNIVERSAL: {t.universal: t for t in TEETH},
    Notation.PALMER: {t.palmer: t for t in TEETH},
}
QUADRANTS = (1, 2, 3, 4)
SEXTANTS = (1, 2, 3, 4, 5, 6)
ARCHES = (Arch.UPPER, Arch.LOWER)

# Palmer's bracket forms: the symbol and which side of it the number sits.
_BRACKETS = {
    "⏌": ("UR", "before"),
    "┘": ("UR", "before"),
    "⎿": ("UL", "after"),
    "└": ("UL", "after"),
    "⏋": ("LR", "before"),
    "┐": ("LR", "before"),
    "⎾": ("LL", "after"),
    "┌": ("LL", "after"),
}
_PALMER_ASCII = re.compile(r"^(UR|UL|LL|LR)\s*([1-8A-E])$")


def _notation(value: Notation | str) -> Notation:
    try:
        return Notation(str(value).lower())
    except ValueError:
        raise ChairsideError(
            _("Unknown tooth notation: use fdi, universal or palmer."),
            code=DentalErrorCode.INVALID_NOTATION,
            details={"field": "notation", "value": str(value)[:20]},
        ) from None


def _invalid(value: object, notation: Notation) -> ChairsideError:
    return ChairsideError(
        _("“%(value)s” is not a tooth in %(notation)s notation.")
        % {"value": str(value)[:20], "notation": notation.value},
        code=DentalErrorCode.INVALID_TOOTH,
        details={"field": "tooth", "value": str(value)[:20], "notation": notation},
    )


def _palmer_key(raw: str) -> str:
    text = raw.upper().replace(" ", "")
    for symbol, (quadrant, side) in _BRACKETS.items():
        if symbol in text:
            before, _sym, after = text.partition(symbol)
            position = before if side == "before" else after
            other = after if side == "before" else before
            return "" if other else quadrant + position
    match = _PALMER_ASCII.match(text)
    return match.group(1) + match.group(2) if match else ""


def parse_tooth(value: int | str, notation: Notation | str = Notation.FDI) -> int:
    """The FDI number of `value` written in `notation`; a ChairsideError
    (dental_invalid_tooth) for anything that is not one of the 52 teeth."""
    notation = _notation(notation)
    raw = str(value).strip()
    if notation == Notation.PALMER:
        tooth = _BY_NAME[notation].get(_palmer_key(raw))
    elif notation == Notation.UNIVERSAL:
        # Letters are primary teeth (either case); numbers as written, so
        # "01" is not 1.
        tooth = _BY_NAME[notation].get(raw.upper())
    else:
        tooth = _BY_NAME[notation].get(raw)
    if tooth is None or isinstance(value, bool):
        raise _invalid(value, notation)
    return tooth.fdi


def tooth(fdi: int) -> Tooth:
    """The table row of an FDI number (a ChairsideError for any other)."""
    row = BY_FDI.get(fdi) if isinstance(fdi, int) else None
    if row is None:
        raise _invalid(fdi, Notation.FDI)
    return row


# Every tooth's name in every notation, built once: a chart of hundreds of
# entries names each of their teeth (see tooth_name).
NAMES: dict[Notation, dict[int, str]] = {
    n: {t.fdi: t.name(n) for t in TEETH} for n in Notation
}


def tooth_name(fdi: int, notation: Notation | str = Notation.FDI) -> str:
    """`fdi`'s name in `notation`; a ChairsideError for anything that is not
    one of the 52 teeth or the three notations."""
    name = NAMES.get(notation, {}).get(fdi)  # type: ignore[call-overload]
    if name is None:
        return tooth(fdi).name(notation)  # raises the error it deserves
    return name


def arch_order(arch: Arch | int, dentition: Dentition) -> list[int]:
    """The teeth of an arch from the patient's right to their left."""
    rows = [t for t in TEETH if t.arch == arch and t.dentition == dentition]
    right = sorted((t for t in rows if t.quadrant in (1, 4)), key=lambda t: -t.position)
    left = sorted((t for t in rows if t.quadrant in (2, 3)), key=lambda t: t.position)
    return [t.fdi for t in (*right, *left)]


def teeth_between(first: int, last: int) -> list[int]:
    """The teeth from `first` to `last` along their arch, both included (a
    bridge's span). Both must be of one arch and one dentition."""
    a, b = tooth(first), tooth(last)
    if a.arch != b.arch or a.dentition != b.dentition or a.fdi == b.fdi:
        raise ChairsideError(
            _("A tooth range runs between two different teeth of one arch."),
            code=DentalErrorCode.INVALID_TOOTH,
            details={"field": "tooth_to", "value": last},
        )
    order = arch_order(a.arch, a.dentition)
    i, j = sorted((order.index(a.fdi), order.index(b.fdi)))
    return order[i : j + 1]


def quadrant_teeth(quadrant: int) -> list[int]:
    return [t.fdi for t in TEETH if t.quadrant == quadrant]


def sextant_teeth(sextant: int) -> list[int]:
    return [t.fdi for t in TEETH if t.sextant == sextant]
