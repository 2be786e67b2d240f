"""The clinic's own procedure catalogue from a CSV file.

Licensed code sets (the ADA's CDT and the like) are not shipped: a clinic
imports the list it holds a licence for, or its own. The header, in this
order (docs/clinical.md):

    code,short_description,long_description,category,area,duration_minutes,
    fee,is_hygiene,triggers_recall,active

- code: up to 20 letters, digits, "-", "_" or "."; matched case-insensitively,
  so re-importing a file updates its codes (descriptions, fees...) and never
  duplicates them. Codes not in the file are left as they are.
- category: diagnostic, preventive, restorative, endodontic, periodontic,
  prosthodontic, oral_surgery, orthodontic, other. area: mouth, arch,
  quadrant, sextant, tooth, surface, tooth_range.
- duration_minutes: 0-480 (blank: 30). fee: 0-99999999.99, a dot for
  decimals (blank: 0). Booleans: true/false, yes/no, 1/0 (blank: false; for
  active, true).

All or nothing: one invalid row and nothing is imported, and the error lists
every row's problems (row number as in the file, the header being row 1).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from http import HTTPStatus
from typing import Any

from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from chairside.accounts.policies import ensure
from chairside.core.errors import ChairsideError
from chairside.core.types import MONEY_MAX
from chairside.dental import policies
from chairside.dental.areas import Area
from chairside.dental.errors import DentalErrorCode
from chairside.dental.models import Category, ProcedureCode

HEADER = (
    "code",
    "short_description",
    "long_description",
    "category",
    "area",
    "duration_minutes",
    "fee",
    "is_hygiene",
    "triggers_recall",
    "active",
)
MAX_BYTES = 1024 * 1024
MAX_ROWS = 2000
MAX_DURATION = 480
_CODE = re.compile(r"^[A-Za-z0-9._-]{1,20}$")
_TRUE = {"true", "yes", "1", "y"}
_FALSE = {"false", "no", "0", "n", ""}


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


def _too_large(message: str) -> ChairsideError:
    return ChairsideError(
        message,
        code=DentalErrorCode.IMPORT_TOO_LARGE,
        status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
        details={"max_bytes": MAX_BYTES, "max_rows": MAX_ROWS},
    )


def _bool(value: str, default: bool) -> bool | None:
    value = value.strip().lower()
    if not value:
        return default
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    return None


def _row_fields(row: dict[str, str]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    errors: list[tuple[str, str]] = []
    fields: dict[str, Any] = {}
    code = row["code"].strip()
    if not _CODE.match(code):
        errors.append(("code", _("Use 1-20 letters, digits, “-”, “_” or “.”.")))
    fields["code"] = code.upper()
    short = row["short_description"].strip()
    if not short or len(short) > 100:
        errors.append(("short_description", _("Required, at most 100 characters.")))
    fields["short_description"] = short
    long = row["long_description"].strip()
    if len(long) > 2000:
        errors.append(("long_description", _("At most 2000 characters.")))
    fields["long_description"] = long
    category = row["category"].strip().lower()
    if category not in Category.values:
        errors.append(("category", _("Unknown category.")))
    fields["category"] = category
    area = row["area"].strip().lower()
    if area not in Area.values:
        errors.append(("area", _("Unknown treatment area.")))
    fields["area"] = area
    duration = row["duration_minutes"].strip() or "30"
    if not duration.isdigit() or int(duration) > MAX_DURATION:
        errors.append(
            (
                "duration_minutes",
                _("A whole number of minutes, 0-%(max)s.") % {"max": MAX_DURATION},
            )
        )
    else:
        fields["default_duration_minutes"] = int(duration)
    try:
        fee = Decimal(row["fee"].strip() or "0")
        if (
            not fee.is_finite()
            or fee < 0
            or fee > MONEY_MAX
            or fee != fee.quantize(Decimal("0.01"))
        ):
            raise InvalidOperation
        fields["default_fee"] = fee.quantize(Decimal("0.01"))
    except InvalidOperation:
        errors.append(("fee", _("An amount like 120.00, not negative.")))
    for column, name, default in (
        ("is_hygiene", "is_hygiene", False),
        ("triggers_recall", "triggers_recall", False),
        ("active", "is_active", True),
    ):
        value = _bool(row[column], default)
        if value is None:
            errors.append((column, _("Use true or false.")))
        fields[name] = value
    return fields, errors


def _read(content: bytes) -> list[dict[str, str]]:
    if len(content) > MAX_BYTES:
        raise _too_large(_("The file is larger than 1 MB."))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ChairsideError(
            _("The file must be UTF-8 text."),
            code=DentalErrorCode.IMPORT_INVALID,
            status=HTTPStatus.UNPROCESSABLE_ENTITY,
            details={"rows": []},
        ) from None
    if "\x00" in text:
        raise ChairsideError(
            _("The file is not a CSV file."),
            code=DentalErrorCode.IMPORT_INVALID,
            status=HTTPStatus.UNPROCESSABLE_ENTITY,
            details={"rows": []},
        )
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(reader, [])]
    if tuple(header) != HEADER:
        raise ChairsideError(
            _("The first line must be the header: %(header)s.")
            % {"header": ",".join(HEADER)},
            code=DentalErrorCode.IMPORT_INVALID,
            status=HTTPStatus.UNPROCESSABLE_ENTITY,
            details={"rows": [{"row": 1, "field": "header", "message": ""}]},
        )
    rows = []
    for values in reader:
        if len(rows) >= MAX_ROWS:
            raise _too_large(
                _("The file has more than %(max)s rows.") % {"max": MAX_ROWS}
            )
        rows.append(values)
    return [
        dict(zip(HEADER, values, strict=False)) | {"_width": str(len(values))}
        for values in rows
    ]


@transaction.atomic
def procedure_codes_import(*, actor: Any, content: bytes) -> ImportResult:
    """Create or update the catalogue from a CSV file (see the module's
    docstring). Changing fees this way is the admin's, as everywhere."""
    ensure(policies.can_manage_catalogue(actor))
    rows = _read(content)
    errors: list[dict[str, Any]] = []
    parsed: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        if row.pop("_width") != str(len(HEADER)):
            errors.append(
                {
                    "row": number,
                    "field": "",
                    "message": _("Expected %(n)s columns.") % {"n": len(HEADER)},
                }
            )
            continue
        fields, problems = _row_fields(row)
        key = fields["code"].lower()
        if key in seen:
            problems.append(("code", _("Also on row %(row)s.") % {"row": seen[key]}))
        seen.setdefault(key, number)
        errors.extend(
            {"row": number, "field": f, "message": str(m)} for f, m in problems
        )
        parsed.append(fields)
    if errors:
        raise ChairsideError(
            _("The file has errors; nothing was imported."),
            code=DentalErrorCode.IMPORT_INVALID,
            status=HTTPStatus.UNPROCESSABLE_ENTITY,
            details={"rows": errors},
        )
    existing = {
        code.lower_code: code
        for code in ProcedureCode.objects.annotate(lower_code=Lower("code"))
        .select_for_update()
        .filter(lower_code__in=list(seen))
    }
    created = updated = unchanged = 0
    fee_changed = False
    for fields in parsed:
        current = existing.get(fields["code"].lower())
        if current is None:
            fee_changed |= fields["default_fee"] != 0
            ProcedureCode.objects.create(**fields)
            created += 1
            continue
        fields.pop("code")  # the clinic's spelling stays
        changed = [k for k, v in fields.items() if getattr(current, k) != v]
        fee_changed |= "default_fee" in changed
        if changed:
            for name in changed:
                setattr(current, name, fields[name])
            current.save(update_fields=[*changed, "updated_at"])
            updated += 1
        else:
            unchanged += 1
    if fee_changed:
        ensure(policies.can_change_fees(actor), _("Only admins set fees."))
    return ImportResult(created=created, updated=updated, unchanged=unchanged)
