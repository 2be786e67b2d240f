"""A drawn signature as the canvas sends it: a PNG data URL, checked to be
a real, non-blank PNG of sane size before it is stored."""

from __future__ import annotations

import base64
import binascii
import io

from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from chairside.core.errors import ChairsideError
from chairside.treatment.errors import TreatmentErrorCode
from chairside.treatment.models import MAX_SIGNATURE_BYTES

PREFIX = "data:image/png;base64,"
MAX_SIDE = 3000


def _invalid(message: str) -> ChairsideError:
    return ChairsideError(
        message,
        code=TreatmentErrorCode.SIGNATURE_INVALID,
        details={"field": "signature"},
    )


def signature_png(data_url: str) -> bytes:
    """The PNG bytes of `data_url` ("data:image/png;base64,..."), or a
    ChairsideError: not a PNG, too large, too big a canvas, or blank."""
    if not data_url.startswith(PREFIX):
        raise _invalid(_("The signature must be a PNG image."))
    encoded = data_url[len(PREFIX) :]
    if len(encoded) > MAX_SIGNATURE_BYTES * 4 // 3 + 4:
        raise _invalid(_("The signature image is too large."))
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise _invalid(_("The signature image is not readable.")) from None
    if len(raw) > MAX_SIGNATURE_BYTES:
        raise _invalid(_("The signature image is too large."))
    try:
        with Image.open(io.BytesIO(raw)) as image:
            if image.format != "PNG":
                raise _invalid(_("The signature must be a PNG image."))
            width, height = image.size
            if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
                raise _invalid(_("The signature image has an odd size."))
            image.load()
            # Blank: nothing drawn (fully transparent, or one flat colour).
            extrema = image.convert("RGBA").getextrema()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise _invalid(_("The signature image is not readable.")) from None
    alpha_high = extrema[3][1]
    flat = all(low == high for low, high in extrema)
    if alpha_high == 0 or flat:
        raise ChairsideError(
            _("Please sign in the box."),
            code=TreatmentErrorCode.SIGNATURE_REQUIRED,
            details={"field": "signature"},
        )
    return raw
