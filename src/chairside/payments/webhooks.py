"""The Stripe webhook endpoint.

One URL, on the platform's domain (`https://<BASE_DOMAIN>/stripe/webhook/`,
the Connect endpoint) and on each clinic's domain. Every request:
1. is verified against the raw body with the signing secret and Stripe's
   5-minute tolerance — nothing else is trusted, whatever DEBUG says;
2. is read through one validated shape (chairside.payments.events): a signed
   but malformed event is refused with 400 before anything is written;
3. is routed to a clinic by the event's `account` through the public-schema
   mapping (Clinic.stripe_account_id) — never by metadata; an unknown
   account, or a clinic domain receiving another clinic's account, is refused;
4. is applied in that clinic's schema, once, in one transaction, as the
   STRIPE_WEBHOOK system actor (chairside.payments.reconcile).
"""

from __future__ import annotations

import logging
from http import HTTPStatus

import stripe
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_tenants.utils import get_public_schema_name, tenant_context
from pydantic import ValidationError

from chairside.core.actors import STRIPE_WEBHOOK
from chairside.core.api import _validation_details, error_response
from chairside.payments import gateway
from chairside.payments.errors import PaymentErrorCode
from chairside.payments.events import StripeEventIn
from chairside.payments.reconcile import stripe_event_apply
from tenants.models import Clinic

logger = logging.getLogger(__name__)


def _refuse(code: str, message: str, details: object = None) -> JsonResponse:
    return error_response(HTTPStatus.BAD_REQUEST, code, message, details)


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> JsonResponse:
    signature = request.headers.get("Stripe-Signature", "")
    try:
        event = StripeEventIn.model_validate(
            gateway.webhook_event_construct(payload=request.body, signature=signature)
        )
    except (stripe.SignatureVerificationError, UnicodeDecodeError):
        logger.warning("Stripe webhook refused: bad or missing signature")
        return _refuse(
            PaymentErrorCode.WEBHOOK_SIGNATURE_INVALID,
            _("The webhook signature is missing, invalid or too old."),
        )
    except ValueError as exc:  # signed, but not JSON or not a Stripe event
        details = (
            _validation_details(exc.errors(include_input=False))
            if isinstance(exc, ValidationError)
            else None
        )
        # The errors' places only: the payload may carry a patient's details.
        logger.warning("Stripe event refused as malformed: %s", details)
        return _refuse(
            PaymentErrorCode.WEBHOOK_EVENT_MALFORMED,
            _("The event is not a well-formed Stripe event."),
            details,
        )
    account = event.account
    clinic = (
        Clinic.objects.filter(stripe_account_id=account).first() if account else None
    )
    if clinic is None:
        logger.warning("Stripe event %s for unknown account %r", event.id, account)
        return _refuse(
            PaymentErrorCode.WEBHOOK_ACCOUNT_UNKNOWN,
            _("The event's Stripe account belongs to no clinic."),
        )
    tenant = getattr(request, "tenant", None)
    on_clinic_domain = connection.schema_name != get_public_schema_name()
    if on_clinic_domain and (tenant is None or tenant.pk != clinic.pk):
        logger.warning(
            "Stripe event %s for %s arrived on %s", event.id, account, tenant
        )
        return _refuse(
            PaymentErrorCode.WEBHOOK_ACCOUNT_MISMATCH,
            _("The event belongs to another clinic's Stripe account."),
        )
    with tenant_context(clinic):
        applied = stripe_event_apply(actor=STRIPE_WEBHOOK, event=event, clinic=clinic)
    return JsonResponse({"received": True, "duplicate": not applied})
