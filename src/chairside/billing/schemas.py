"""Invoice JSON, with the client spec's field names. Money is a decimal
string ("120.00") in the clinic's currency."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import model_validator

Money = Annotated[Decimal, Field(ge=0, max_digits=10, decimal_places=2)]


class InvoiceItemIn(Schema):
    description: str = Field(min_length=1, max_length=200)
    quantity: int = Field(default=1, ge=1, le=1000)
    unit_price: Money
    procedure_code: str = Field(default="", max_length=20)


class InvoiceItemOut(Schema):
    description: str
    quantity: int
    unit_price: Decimal
    procedure_code: str
    line_total: Decimal


class InvoiceIn(Schema):
    patient_id: int
    appointment_id: int | None = None
    items: list[InvoiceItemIn] = Field(min_length=1, max_length=100)
    due_date: datetime.date | None = None
    notes: str = Field(default="", max_length=2000)
    # Optional: when sent, it must equal the sum of the items.
    total_amount: Money | None = None

    @model_validator(mode="after")
    def total_matches_items(self) -> InvoiceIn:
        if self.total_amount is not None:
            total = sum(
                (item.unit_price * item.quantity for item in self.items), Decimal(0)
            )
            if total != self.total_amount:
                raise ValueError("total_amount must equal the sum of the items")
        return self


class InvoiceUpdate(Schema):
    status: Literal["void"] | None = None
    void_reason: str = Field(default="", max_length=200)
    due_date: datetime.date | None = None
    notes: str | None = Field(default=None, max_length=2000)


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
    patient_id: int | None = None
    appointment_id: int | None = None
    due_before: datetime.date | None = None
    due_after: datetime.date | None = None
