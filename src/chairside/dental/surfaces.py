"""Tooth surfaces: stored as one canonical string, in the order "MODBLV".

Stored letters: M mesial, O occlusal (incisal on anterior teeth: the same
surface, the biting one), D distal, B buccal (facial/labial on anterior
teeth), L lingual/palatal, V class V (cervical).

Input also takes I (incisal) and F (facial), in any case and order, and
stores them as O and B. The rules, decided here once:
- I on a posterior tooth is refused (a molar has no incisal edge); O on an
  anterior tooth is accepted and shown as I (many people type "MOD" out of
  habit, and it is the same surface).
- A letter given twice, directly or through its alias ("OI", "BF"), is
  refused: the input was not what the person meant.
- Anything else (P, X, digits) is refused.
Display (`display_surfaces`) shows I instead of O on anterior teeth.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from chairside.core.errors import ChairsideError
from chairside.dental.errors import DentalErrorCode
from chairside.dental.teeth import tooth

CANONICAL_ORDER = "MODBLV"
ALIASES = {"I": "O", "F": "B"}
MAX_SURFACES = len(CANONICAL_ORDER)


def _invalid(message: str, value: str) -> ChairsideError:
    return ChairsideError(
        message,
        code=DentalErrorCode.INVALID_SURFACES,
        details={"field": "surfaces", "value": value[:20]},
    )


def parse_surfaces(fdi: int, value: str) -> str:
    """The canonical string for the surfaces `value` names on tooth `fdi`."""
    row = tooth(fdi)
    raw = (value or "").strip().upper().replace(" ", "").replace(",", "")
    seen: set[str] = set()
    for letter in raw:
        if letter == "I" and row.is_posterior:
            raise _invalid(
                _("A posterior tooth has no incisal surface (I): use O."), value
            )
        canonical = ALIASES.get(letter, letter)
        if canonical not in CANONICAL_ORDER:
            raise _invalid(
                _("“%(letter)s” is not a tooth surface (use M, O, I, D, B, F, L, V).")
                % {"letter": letter},
                value,
            )
        if canonical in seen:
            raise _invalid(
                _("Surface “%(letter)s” is given twice.") % {"letter": letter}, value
            )
        seen.add(canonical)
    return "".join(letter for letter in CANONICAL_ORDER if letter in seen)


def display_surfaces(fdi: int, stored: str) -> str:
    """The stored surfaces as people read them on that tooth (I on anterior
    teeth)."""
    if not stored:
        return ""
    if tooth(fdi).is_anterior:
        return stored.replace("O", "I")
    return stored
