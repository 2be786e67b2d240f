"""Invoice JSON, with the client spec's field names. Money is a decimal
string ("120.00") in the clinic's currency."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema
from pydantic import model_validator

from chairside.core.types import MONEY_MAX, Id, Money, Quantity, SaneDate, Text


class InvoiceItemIn(Schema):
    description: Text(200, min_length=1)
    quantity: Quantity = 1
    unit_price: Money
    procedure_code: Text(20) = ""

    @model_validator(mode="after")
    def line_total_fits(self) -> InvoiceItemIn:
        # 99 999 999.99 x 1000 would overflow the line_total column (a 500).
        if self.unit_price * self.quantity > MONEY_MAX:
            raise ValueError(f"The line total may not exceed {MONEY_MAX}.")
        return self


class InvoiceItemOut(Schema):
    description: str
    quantity: int
    unit_price: Decimal
    procedure_code: str
    tooth: str
    surfaces: str
    chart_entry_id: int | None
    line_total: Decimal


class InvoiceIn(Schema):
    patient_id: Id
    appointment_id: Id | None = None
    items: list[InvoiceItemIn] = Field(min_length=1, max_length=100)
    due_date: SaneDate | None = None
    notes: Text(2000) = ""
    # Optional: when sent, it must equal the sum of the items.
    total_amount: Money | None = None

    @model_validator(mode="after")
    def total_matches_items(self) -> InvoiceIn:
        total = sum(
            (item.unit_price * item.quantity for item in self.items), Decimal(0)
        )
        # The invoice's total_amount column holds what one line can.
        if total > MONEY_MAX:
            raise ValueError(f"The invoice total may not exceed {MONEY_MAX}.")
        if self.total_amount is not None and total != self.total_amount:
            raise ValueError("total_amount must equal the sum of the items")
        return self


class InvoiceUpdate(Schema):
    status: Literal["void"] | None = None
    void_reason: Text(200) = ""
    due_date: SaneDate | None = None
    notes: Text(2000) | None = None


class InvoiceOut(Schema):
    id: int
    number: str
    patient_id: int
    appointment_id: int | None
    items: list[InvoiceItemOut]
    currency: str
    total_amount: Decimal
    amount_paid: Decimal
    balance: Decimal
    status: str
    issue_date: datetime.date
    due_date: datetime.date
    notes: str
    void_reason: str
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_items(obj) -> list:
        return list(obj.items.all())


class InvoiceFilter(Schema):
    status: Literal["pending", "partially_paid", "paid", "overdue", "void"] | None = (
        None
    )
    patient_id: Id | None = None
    appointment_id: Id | None = None
    due_before: SaneDate | None = None
    due_after: SaneDate | None = None


class VisitInvoiceIn(Schema):
    due_date: SaneDate | None = None
    notes: Text(2000) = ""
