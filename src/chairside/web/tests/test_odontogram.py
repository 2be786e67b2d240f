"""The odontogram's geometry, without a database: where each surface is
drawn, which dentition a patient's age opens on, and the drawing's box."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from chairside.dental.teeth import Notation
from chairside.web.odontogram import (
    CELL,
    Dentitions,
    default_dentition,
    odontogram,
)


def drawing(dentition: str = "permanent", notation: str = "fdi"):
    chart = SimpleNamespace(entries=[], teeth={}, notation=Notation(notation))
    return odontogram(chart, dentition=dentition)


def _centre(points: str) -> tuple[float, float]:
    pairs = [tuple(map(float, p.split(","))) for p in points.split()]
    return (
        sum(x for x, _y in pairs) / len(pairs),
        sum(y for _x, y in pairs) / len(pairs),
    )


def _where(tooth, surface: str) -> tuple[float, float]:
    shape = next(s for s in tooth.shapes if s.surface == surface)
    return _centre(shape.points)


@pytest.mark.parametrize(
    ("born", "expected"),
    [
        (None, Dentitions.PERMANENT),
        (date(2023, 6, 1), Dentitions.PRIMARY),
        (date(2018, 6, 1), Dentitions.MIXED),
        (date(2014, 6, 2), Dentitions.MIXED),  # 12 tomorrow
        (date(2014, 6, 1), Dentitions.PERMANENT),
    ],
)
def test_a_chart_opens_on_the_dentition_of_the_patients_age(born, expected):
    assert default_dentition(born, date(2026, 6, 1)) == expected


def test_mesial_faces_the_midline_and_buccal_the_roots():
    teeth = {t.fdi: t for t in drawing().teeth}
    # 16 is left of the midline on screen: its mesial side is on its right.
    assert _where(teeth[16], "M")[0] > _where(teeth[16], "D")[0]
    assert _where(teeth[26], "M")[0] < _where(teeth[26], "D")[0]
    assert _where(teeth[46], "M")[0] > _where(teeth[46], "D")[0]
    # Upper teeth have their roots (and buccal side) up, lower ones down.
    assert _where(teeth[16], "B")[1] < _where(teeth[16], "L")[1]
    assert _where(teeth[36], "B")[1] > _where(teeth[36], "L")[1]
    assert teeth[16].x < teeth[11].x < teeth[21].x < teeth[28].x


def test_anterior_teeth_show_incisal_for_occlusal():
    teeth = {t.fdi: t for t in drawing().teeth}
    assert {s.label for s in teeth[11].shapes if s.surface == "O"} == {"I"}
    assert {s.label for s in teeth[16].shapes if s.surface == "O"} == {"O"}


def test_rows_and_labels_of_each_dentition():
    mixed = drawing("mixed", "palmer")
    primary = drawing("primary", "universal")

    assert [len(row) for row in mixed.rows] == [16, 10, 10, 16]
    assert [len(row) for row in primary.rows] == [10, 10]
    assert {t.name for t in primary.teeth} >= {"A", "J", "K", "T"}
    # A primary tooth sits under the permanent tooth of its position.
    by_fdi = {t.fdi: t for t in mixed.teeth}
    assert by_fdi[55].x == by_fdi[15].x
    # A primary chart's box holds only its ten teeth a row.
    assert primary.width == 10 * CELL + 10 + 8
