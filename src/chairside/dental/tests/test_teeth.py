"""Teeth, surfaces and areas: pure functions, no database."""

from __future__ import annotations

import pytest

from chairside.core.errors import ChairsideError
from chairside.dental.areas import Area, validate_location
from chairside.dental.errors import DentalErrorCode
from chairside.dental.surfaces import display_surfaces, parse_surfaces
from chairside.dental.teeth import (
    FDI_NUMBERS,
    TEETH,
    Notation,
    parse_tooth,
    quadrant_teeth,
    sextant_teeth,
    teeth_between,
    tooth,
    tooth_name,
)


def test_the_table_has_the_52_teeth_of_iso_3950():
    permanent = [q * 10 + p for q in (1, 2, 3, 4) for p in range(1, 9)]
    primary = [q * 10 + p for q in (5, 6, 7, 8) for p in range(1, 6)]
    assert sorted(FDI_NUMBERS) == sorted(permanent + primary)
    assert len(TEETH) == 52
    for notation in Notation:
        assert len({t.name(notation) for t in TEETH}) == 52


@pytest.mark.parametrize("notation", list(Notation))
def test_every_tooth_round_trips_through_every_notation(notation):
    for row in TEETH:
        name = tooth_name(row.fdi, notation)
        assert parse_tooth(name, notation) == row.fdi
        for other in Notation:
            assert parse_tooth(tooth_name(row.fdi, other), other) == row.fdi


@pytest.mark.parametrize(
    ("fdi", "universal", "palmer"),
    [
        (18, "1", "UR8"),
        (11, "8", "UR1"),
        (21, "9", "UL1"),
        (28, "16", "UL8"),
        (38, "17", "LL8"),
        (31, "24", "LL1"),
        (41, "25", "LR1"),
        (48, "32", "LR8"),
        (55, "A", "URE"),
        (61, "F", "ULA"),
        (65, "J", "ULE"),
        (75, "K", "LLE"),
        (71, "O", "LLA"),
        (81, "P", "LRA"),
        (85, "T", "LRE"),
    ],
)
def test_known_names(fdi, universal, palmer):
    assert tooth_name(fdi, "universal") == universal
    assert tooth_name(fdi, "palmer") == palmer
    assert tooth_name(fdi, "fdi") == str(fdi)


@pytest.mark.parametrize(
    ("text", "fdi"),
    [("8⏌", 18), ("8┘", 18), ("⎿1", 21), ("└1", 21), ("8⏋", 48), ("┌3", 33)],
)
def test_palmer_bracket_forms_are_read(text, fdi):
    assert parse_tooth(text, "palmer") == fdi


def test_input_is_forgiving_about_case_and_spaces():
    assert parse_tooth(" ur 8 ", "palmer") == 18
    assert parse_tooth("a", "universal") == 55
    assert parse_tooth(36, "fdi") == 36


@pytest.mark.parametrize(
    ("value", "notation"),
    [
        ("19", "fdi"),
        ("0", "fdi"),
        ("U", "universal"),
        ("99", "fdi"),
        ("99", "universal"),
        ("0", "universal"),
        ("33", "universal"),
        ("56", "fdi"),
        ("01", "universal"),
        ("UR9", "palmer"),
        ("URF", "palmer"),
        ("18", "palmer"),
        ("8⏌1", "palmer"),
        ("", "fdi"),
        (True, "fdi"),
    ],
)
def test_invalid_teeth_are_refused_with_a_code(value, notation):
    with pytest.raises(ChairsideError) as caught:
        parse_tooth(value, notation)
    assert caught.value.code == DentalErrorCode.INVALID_TOOTH
    assert "not a tooth" in caught.value.message


def test_an_unknown_notation_is_refused():
    with pytest.raises(ChairsideError) as caught:
        parse_tooth("11", "roman")
    assert caught.value.code == DentalErrorCode.INVALID_NOTATION


def test_quadrants_sextants_and_ranges_come_from_the_table():
    assert quadrant_teeth(1) == [11, 12, 13, 14, 15, 16, 17, 18, 51, 52, 53, 54, 55]
    assert sextant_teeth(2) == [11, 12, 13, 21, 22, 23, 51, 52, 53, 61, 62, 63]
    assert teeth_between(14, 16) == [16, 15, 14]
    assert teeth_between(12, 22) == [12, 11, 21, 22]
    assert tooth(46).is_posterior
    assert tooth(13).is_anterior
    with pytest.raises(ChairsideError):
        teeth_between(14, 44)  # two arches


@pytest.mark.parametrize(
    ("fdi", "given", "stored", "shown"),
    [
        (36, "DOM", "MOD", "MOD"),
        (36, "mod", "MOD", "MOD"),
        (11, "I", "O", "I"),
        (11, "MIF", "MOB", "MIB"),
        (11, "O", "O", "I"),  # O on an anterior tooth is its incisal edge
        (46, "BLV", "BLV", "BLV"),
        (46, "F", "B", "B"),
        (46, "", "", ""),
    ],
)
def test_surfaces_are_stored_canonically(fdi, given, stored, shown):
    assert parse_surfaces(fdi, given) == stored
    assert display_surfaces(fdi, stored) == shown


@pytest.mark.parametrize(
    ("fdi", "given"),
    [(36, "MM"), (36, "OI"), (36, "I"), (11, "BF"), (36, "X"), (36, "P"), (36, "1")],
)
def test_invalid_surfaces_are_refused(fdi, given):
    with pytest.raises(ChairsideError) as caught:
        parse_surfaces(fdi, given)
    assert caught.value.code == DentalErrorCode.INVALID_SURFACES


def test_each_area_takes_exactly_its_fields():
    assert validate_location(Area.MOUTH).as_fields()["area"] == "mouth"
    assert validate_location(Area.QUADRANT, quadrant=2).quadrant == 2
    assert validate_location(Area.SURFACE, tooth_fdi=36, surfaces="dom").surfaces == (
        "MOD"
    )
    assert validate_location(Area.TOOTH_RANGE, tooth_fdi=14, tooth_to=16).tooth_to == 16


@pytest.mark.parametrize(
    ("area", "fields", "code"),
    [
        (Area.TOOTH, {}, DentalErrorCode.WRONG_AREA),
        (Area.TOOTH, {"tooth_fdi": 36, "surfaces": "MO"}, DentalErrorCode.WRONG_AREA),
        (Area.SURFACE, {"tooth_fdi": 36}, DentalErrorCode.WRONG_AREA),
        (Area.MOUTH, {"tooth_fdi": 36}, DentalErrorCode.WRONG_AREA),
        (Area.QUADRANT, {"quadrant": 5}, DentalErrorCode.INVALID_AREA),
        (Area.SEXTANT, {"sextant": 0}, DentalErrorCode.INVALID_AREA),
        (Area.ARCH, {"quadrant": 1}, DentalErrorCode.WRONG_AREA),
        (Area.TOOTH_RANGE, {"tooth_fdi": 14}, DentalErrorCode.WRONG_AREA),
        (
            Area.TOOTH_RANGE,
            {"tooth_fdi": 14, "tooth_to": 44},
            DentalErrorCode.INVALID_TOOTH,
        ),
        ("galaxy", {}, DentalErrorCode.INVALID_AREA),
    ],
)
def test_wrong_area_is_refused(area, fields, code):
    with pytest.raises(ChairsideError) as caught:
        validate_location(area, **fields)
    assert caught.value.code == code
