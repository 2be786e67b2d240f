"""Treatment areas: where on the mouth a chart entry sits.

Each procedure code declares the area it needs (a crown a tooth, a filling
surfaces, scaling a quadrant, a bridge a tooth range, an exam the mouth);
`validate_location` checks an entry's location fields against it and
answers them normalised. Exactly the fields the area needs are given:

    mouth       nothing
    arch        arch (1 upper, 2 lower)
    quadrant    quadrant (1-4: UR, UL, LL, LR)
    sextant     sextant (1-6)
    tooth       tooth
    surface     tooth + surfaces (at least one)
    tooth_range tooth + tooth_to (two teeth of one arch: a bridge's span)
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chairside.core.errors import ChairsideError
from chairside.dental.errors import DentalErrorCode
from chairside.dental.surfaces import parse_surfaces
from chairside.dental.teeth import ARCHES, QUADRANTS, SEXTANTS, teeth_between, tooth


class Area(models.TextChoices):
    MOUTH = "mouth", gettext_lazy("Whole mouth")
    ARCH = "arch", gettext_lazy("Arch")
    QUADRANT = "quadrant", gettext_lazy("Quadrant")
    SEXTANT = "sextant", gettext_lazy("Sextant")
    TOOTH = "tooth", gettext_lazy("Tooth")
    SURFACE = "surface", gettext_lazy("Surfaces")
    TOOTH_RANGE = "tooth_range", gettext_lazy("Tooth range")


# The location fields each area needs (the others must be empty).
AREA_FIELDS: dict[str, frozenset[str]] = {
    Area.MOUTH: frozenset(),
    Area.ARCH: frozenset({"arch"}),
    Area.QUADRANT: frozenset({"quadrant"}),
    Area.SEXTANT: frozenset({"sextant"}),
    Area.TOOTH: frozenset({"tooth"}),
    Area.SURFACE: frozenset({"tooth", "surfaces"}),
    Area.TOOTH_RANGE: frozenset({"tooth", "tooth_to"}),
}
LOCATION_FIELDS = ("tooth", "tooth_to", "surfaces", "arch", "quadrant", "sextant")
_RANGES = {"arch": ARCHES, "quadrant": QUADRANTS, "sextant": SEXTANTS}


@dataclass(frozen=True, slots=True)
class Location:
    area: str
    tooth: int | None = None
    tooth_to: int | None = None
    surfaces: str = ""
    arch: int | None = None
    quadrant: int | None = None
    sextant: int | None = None

    def as_fields(self) -> dict[str, object]:
        return {
            "area": self.area,
            **{name: getattr(self, name) for name in LOCATION_FIELDS},
        }


def _wrong(message: str, field: str, area: str) -> ChairsideError:
    return ChairsideError(
        message,
        code=DentalErrorCode.WRONG_AREA,
        details={"field": field, "area": area},
    )


def validate_location(
    area: str,
    *,
    tooth_fdi: int | None = None,
    tooth_to: int | None = None,
    surfaces: str = "",
    arch: int | None = None,
    quadrant: int | None = None,
    sextant: int | None = None,
) -> Location:
    """The location, checked against `area` (teeth already in FDI)."""
    if area not in AREA_FIELDS:
        raise ChairsideError(
            _("Unknown treatment area."),
            code=DentalErrorCode.INVALID_AREA,
            details={"field": "area", "value": str(area)[:20]},
        )
    given = {
        "tooth": tooth_fdi,
        "tooth_to": tooth_to,
        "surfaces": surfaces or None,
        "arch": arch,
        "quadrant": quadrant,
        "sextant": sextant,
    }
    needed = AREA_FIELDS[area]
    for name, value in given.items():
        if name in needed and value is None:
            raise _wrong(
                _("This treatment area (%(area)s) needs “%(field)s”.")
                % {"area": area, "field": name},
                name,
                area,
            )
        if name not in needed and value is not None:
            raise _wrong(
                _("“%(field)s” does not belong to this treatment area (%(area)s).")
                % {"area": area, "field": name},
                name,
                area,
            )
    for name, allowed in _RANGES.items():
        value = given[name]
        if value is not None and value not in allowed:
            raise ChairsideError(
                _("There is no %(field)s %(value)s.") % {"field": name, "value": value},
                code=DentalErrorCode.INVALID_AREA,
                details={"field": name, "value": value},
            )
    if tooth_fdi is not None:
        tooth(tooth_fdi)
    if tooth_to is not None:
        teeth_between(tooth_fdi, tooth_to)  # type: ignore[arg-type]
    canonical = parse_surfaces(tooth_fdi, surfaces) if surfaces else ""
    if area == Area.SURFACE and not canonical:
        raise _wrong(_("Name at least one surface."), "surfaces", area)
    return Location(
        area=area,
        tooth=tooth_fdi,
        tooth_to=tooth_to,
        surfaces=canonical,
        arch=arch,
        quadrant=quadrant,
        sextant=sextant,
    )


def location_teeth(location: Location) -> list[int]:
    """The teeth an entry covers when it sits on teeth (tooth, surfaces, a
    range); empty for mouth, arch, quadrant and sextant entries."""
    if location.tooth is None:
        return []
    if location.tooth_to is not None:
        return teeth_between(location.tooth, location.tooth_to)
    return [location.tooth]
