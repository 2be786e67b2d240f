"""The parts of Stripe's objects we read, as one validated shape.

A signed event is trusted to come from Stripe, not to be well formed: a
string where an object belongs, an amount of "abc" or of a trillion would
otherwise surface as a 500 deep in the services. Everything the services
read goes through these models first (webhook events, and the intents the
API returns), so a malformed object is refused before anything is written.
Unknown fields are ignored; the ones we read are strictly typed and bounded.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    model_validator,
)

# Stripe's ids (evt_…, pi_…, ch_…, acct_…) are short ASCII tokens.
StripeId = Annotated[
    str, Field(strict=True, min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_]+$")
]
# Stripe caps a charge at 99,999,999 minor units; anything above it is not
# Stripe's and would not fit our money columns either.
MAX_MINOR_UNITS = 99_999_999
MinorUnits = Annotated[int, Field(strict=True, ge=0, le=MAX_MINOR_UNITS)]
Currency = Annotated[str, Field(strict=True, pattern=r"^[A-Za-z]{3}$")]


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL: refuse it here, not in a DataError.
    if "\x00" in value:
        raise ValueError("contains a NUL character")
    return value


Text = Annotated[str, Field(strict=True, max_length=5000), AfterValidator(_no_nul)]
# Seconds since the epoch, up to the year 3000: a datetime we can store.
Timestamp = Annotated[int, Field(strict=True, ge=0, le=32_503_680_000)]


class _StripeModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Metadata(_StripeModel):
    # Set by card_checkout_start; Stripe keeps metadata values as strings.
    chairside_payment_id: (
        Annotated[str, Field(strict=True, pattern=r"^[0-9]{1,18}$")] | None
    ) = None
    # The invoice number: finds the invoice when the payment row is gone.
    chairside_invoice: Annotated[str, Field(strict=True, max_length=32)] | None = None


class ChargeRef(_StripeModel):
    id: StripeId


class PaymentError(_StripeModel):
    message: Text | None = None


class PaymentIntentData(_StripeModel):
    id: StripeId
    status: Annotated[str, Field(strict=True, max_length=50)]
    amount: MinorUnits
    amount_received: MinorUnits | None = None
    currency: Currency | None = None
    latest_charge: StripeId | ChargeRef | None = None
    metadata: Metadata = Metadata()
    last_payment_error: PaymentError | None = None

    @property
    def received(self) -> int:
        """What Stripe took (older API versions and fakes omit the field)."""
        return self.amount if self.amount_received is None else self.amount_received

    @property
    def charge_id(self) -> str:
        if isinstance(self.latest_charge, ChargeRef):
            return self.latest_charge.id
        return self.latest_charge or ""

    @model_validator(mode="after")
    def _succeeded_took_money(self) -> PaymentIntentData:
        if self.status == "succeeded" and self.received <= 0:
            raise ValueError("a succeeded PaymentIntent received nothing")
        return self


class ChargeData(_StripeModel):
    id: StripeId
    payment_intent: StripeId | None = None
    status: Annotated[str, Field(strict=True, max_length=50)]
    captured: StrictBool = True
    amount: MinorUnits
    amount_captured: MinorUnits | None = None
    amount_refunded: MinorUnits = 0
    currency: Currency | None = None
    failure_message: Text | None = None
    metadata: Metadata = Metadata()

    @property
    def received(self) -> int:
        return self.amount if self.amount_captured is None else self.amount_captured

    @model_validator(mode="after")
    def _refund_within_charge(self) -> ChargeData:
        if self.amount_refunded > self.amount:
            raise ValueError("more refunded than charged")
        if self.status == "succeeded" and self.captured and self.received <= 0:
            raise ValueError("a captured charge received nothing")
        return self


PAYMENT_INTENT_EVENTS = frozenset(
    {
        "payment_intent.succeeded",
        "payment_intent.payment_failed",
        "payment_intent.canceled",
    }
)
# charge.refund.updated carries a Refund, not a Charge: it is recorded but
# not applied (charge.refunded reports the cumulative refunded amount).
CHARGE_EVENTS = frozenset({"charge.succeeded", "charge.failed", "charge.refunded"})


class EventData(_StripeModel):
    # Every Stripe event carries an object; only the kinds we apply are read.
    object: dict[str, Any]


class StripeEventIn(_StripeModel):
    id: StripeId
    type: Annotated[
        str, Field(strict=True, min_length=1, max_length=100), AfterValidator(_no_nul)
    ]
    # Stamped by Stripe on Connect events; routing refuses an event without.
    account: StripeId | None = None
    created: Timestamp
    data: EventData
    intent: PaymentIntentData | None = None
    charge: ChargeData | None = None

    @model_validator(mode="before")
    @classmethod
    def _parse_object(cls, value: Any) -> Any:
        """Validate data.object as the kind of object the event type names."""
        if not isinstance(value, dict):
            return value
        data = value.get("data")
        obj = data.get("object") if isinstance(data, dict) else None
        event_type = value.get("type")
        return {
            **value,
            "intent": obj if event_type in PAYMENT_INTENT_EVENTS else None,
            "charge": obj if event_type in CHARGE_EVENTS else None,
        }

    @model_validator(mode="after")
    def _object_present(self) -> StripeEventIn:
        if self.type in PAYMENT_INTENT_EVENTS and self.intent is None:
            raise ValueError("a payment_intent event without its PaymentIntent")
        if self.type in CHARGE_EVENTS and self.charge is None:
            raise ValueError("a charge event without its Charge")
        return self
