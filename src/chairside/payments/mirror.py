"""dj-stripe's copy of the Stripe objects we see, in the clinic's schema."""

from __future__ import annotations

import logging
from typing import Any

import stripe
from django.conf import settings
from django.db import transaction
from djstripe import models as djstripe_models

from chairside.core.actors import no_actor
from tenants.models import Clinic

logger = logging.getLogger(__name__)


@no_actor(
    "a best-effort reference copy of an object Stripe sent, made by services "
    "that checked their actor; our Payment and Invoice rows are the books"
)
def djstripe_mirror(model_name: str, data: dict[str, Any], clinic: Clinic) -> None:
    """Mirror the Stripe object into dj-stripe's tables in this schema.

    Best effort, in a savepoint: dj-stripe's copy is for reference and the
    admin. The object is handed over as a StripeObject carrying the connected
    account, so dj-stripe files it under the clinic's account and fetches
    related objects from there.
    """
    obj = stripe.StripeObject.construct_from(
        data, settings.STRIPE_SECRET_KEY, stripe_account=clinic.stripe_account_id
    )
    try:
        with transaction.atomic():
            synced = getattr(djstripe_models, model_name).sync_from_stripe_data(
                obj, api_key=settings.STRIPE_SECRET_KEY
            )
            # dj-stripe 2.11 turns the object into a dict before looking for
            # its connected account and so files it under the platform's;
            # put it under the clinic's account ourselves.
            account = djstripe_models.Account._get_or_retrieve(
                id=clinic.stripe_account_id, api_key=settings.STRIPE_SECRET_KEY
            )
            if synced.djstripe_owner_account_id != account.id:
                synced.djstripe_owner_account = account
                synced.save(update_fields=["djstripe_owner_account"])
    except Exception:
        logger.exception("dj-stripe could not sync %s %s", model_name, data.get("id"))
