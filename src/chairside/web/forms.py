"""Forms of the staff pages. They validate input shape; rules live in services."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from chairside.core.widgets import DateInput, DateTimeLocalInput, TimeInput
from chairside.payments.models import PaymentMethod
from chairside.scheduling.models import SchedulingSettings
from chairside.scheduling.rules import (
    DEFAULT_DURATION_MINUTES,
    MAX_DURATION_MINUTES,
    MIN_DURATION_MINUTES,
)

MONEY = {"max_digits": 10, "decimal_places": 2}
# An appointment's length, as scheduling bounds it.
DURATION = {"min_value": MIN_DURATION_MINUTES, "max_value": MAX_DURATION_MINUTES}


class InvoiceLineForm(forms.Form):
    description = forms.CharField(label=_("Description"), max_length=200)
    procedure_code = forms.CharField(
        label=_("Procedure code"), max_length=20, required=False
    )
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, initial=1)
    unit_price = forms.DecimalField(
        label=_("Unit price"), min_value=Decimal("0.00"), **MONEY
    )


InvoiceLineFormSet = formset_factory(InvoiceLineForm, extra=3, min_num=1)


class InvoiceMetaForm(forms.Form):
    due_date = forms.DateField(
        label=_("Due date"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty for the clinic's usual terms."),
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea)


class ManualPaymentForm(forms.Form):
    method = forms.ChoiceField(
        label=_("Method"),
        choices=[
            (PaymentMethod.CASH, PaymentMethod.CASH.label),
            (PaymentMethod.BANK_TRANSFER, PaymentMethod.BANK_TRANSFER.label),
        ],
    )
    amount = forms.DecimalField(
        label=_("Amount"),
        min_value=Decimal("0.01"),
        required=False,
        help_text=_("Leave empty for the whole balance."),
        **MONEY,
    )
    reference = forms.CharField(
        label=_("Reference"),
        max_length=100,
        required=False,
        help_text=_("Bank reference or receipt number."),
    )


class RefundForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount to refund"),
        min_value=Decimal("0.01"),
        required=False,
        help_text=_("Leave empty to refund everything not yet refunded."),
        **MONEY,
    )
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class ClinicProfileForm(forms.Form):
    name = forms.CharField(label=_("Clinic name"), max_length=120)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=[])
    currency = forms.ChoiceField(label=_("Currency"), choices=[])
    language = forms.ChoiceField(label=_("Default language"), choices=[])

    def __init__(self, *args: object, **kwargs: object) -> None:
        import zoneinfo

        from django.conf import settings

        from tenants.validators import SUPPORTED_CURRENCIES

        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [
            (tz, tz) for tz in sorted(zoneinfo.available_timezones())
        ]
        self.fields["currency"].choices = [(c, c) for c in sorted(SUPPORTED_CURRENCIES)]
        self.fields["language"].choices = settings.LANGUAGES


class NotificationSettingsForm(forms.Form):
    reminder_offsets = forms.CharField(
        label=_("Reminder times (hours before the visit)"),
        help_text=_("Up to five, separated by commas, e.g. 24, 2."),
        max_length=60,
    )
    email_reminders = forms.BooleanField(label=_("Email reminders"), required=False)
    sms_reminders = forms.BooleanField(label=_("SMS reminders"), required=False)
    overdue_invoice_emails = forms.BooleanField(
        label=_("Email patients about overdue invoices"), required=False
    )

    def clean_reminder_offsets(self) -> list[int]:
        raw = self.cleaned_data["reminder_offsets"]
        try:
            hours = [Decimal(part.strip()) for part in raw.split(",") if part.strip()]
        except ArithmeticError as exc:
            raise forms.ValidationError(_("Use numbers of hours, e.g. 24, 2.")) from exc
        if not hours:
            raise forms.ValidationError(_("Give at least one reminder time."))
        return [int(h * 60) for h in hours]


def model_bounds(model: type[models.Model], name: str) -> dict[str, int]:
    """A form field's min_value/max_value read from the model field's
    validators: the page offers exactly what the model (and the service
    that cleans it) accepts, without writing the numbers again."""
    field = model._meta.get_field(name)
    lows = [v.limit_value for v in field.validators if isinstance(v, MinValueValidator)]
    highs = [
        v.limit_value for v in field.validators if isinstance(v, MaxValueValidator)
    ]
    return {"min_value": max(lows), "max_value": min(highs)}


class SchedulingSettingsForm(forms.Form):
    """The clinic's rules for what patients book and change online
    (scheduling.models.SchedulingSettings)."""

    cancellation_window_hours = forms.IntegerField(
        label=_("Cancellation window (hours)"),
        help_text=_(
            "Patients may cancel or reschedule online until this many hours before."
        ),
        **model_bounds(SchedulingSettings, "cancellation_window_hours"),
    )
    max_online_duration_minutes = forms.IntegerField(
        label=_("Longest visit booked online (minutes)"),
        help_text=_("Longer visits are booked by the clinic."),
        **model_bounds(SchedulingSettings, "max_online_duration_minutes"),
    )
    max_future_online_bookings = forms.IntegerField(
        label=_("Upcoming visits a patient may book online"),
        **model_bounds(SchedulingSettings, "max_future_online_bookings"),
    )


class StaffInviteForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    first_name = forms.CharField(label=_("First name"), max_length=50, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=50, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=[])

    def __init__(self, *args: object, **kwargs: object) -> None:
        from chairside.accounts.models import Role

        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [
            (r.value, r.label) for r in (Role.RECEPTIONIST, Role.DENTIST, Role.ADMIN)
        ]


class StripeAccountForm(forms.Form):
    stripe_account_id = forms.CharField(
        label=_("Stripe account id"),
        max_length=64,
        required=False,
        help_text=_("From your Stripe dashboard (acct_…). Leave empty to disconnect."),
    )


class PatientForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=50)
    last_name = forms.CharField(label=_("Last name"), max_length=50)
    email = forms.EmailField(label=_("Email"), max_length=100)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=DateInput(),
    )
    address = forms.CharField(
        label=_("Address"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    medical_history = forms.CharField(
        label=_("Medical history"),
        required=False,
        widget=forms.Textarea,
        help_text=_("Allergies, medication, conditions. Every reading is logged."),
    )

    def __init__(self, *args: object, with_history: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if not with_history:
            del self.fields["medical_history"]


class BookingForm(forms.Form):
    """A booking from the calendar: times are clinic-local wall-clock times."""

    patient = forms.IntegerField(label=_("Patient"), widget=forms.HiddenInput)
    dentist = forms.IntegerField(label=_("Dentist"))
    chair = forms.IntegerField(label=_("Chair"), required=False)
    start = forms.DateTimeField(
        label=_("Start"),
        widget=DateTimeLocalInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), **DURATION, initial=DEFAULT_DURATION_MINUTES
    )
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class MoveForm(forms.Form):
    """A drag or resize: `start` is the clinic's wall-clock time."""

    start = forms.DateTimeField(
        widget=DateTimeLocalInput(),
        input_formats=["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"],
    )
    duration_minutes = forms.IntegerField(**DURATION)
    dentist = forms.IntegerField(required=False)
    chair = forms.IntegerField(required=False)


class AppointmentEditForm(forms.Form):
    """The appointment's edit page: move it (time, length, dentist, chair)
    and annotate it (reason, clinic notes) in one save. `start` is the
    clinic's wall-clock time."""

    start = forms.DateTimeField(
        label=_("Start"),
        widget=DateTimeLocalInput(attrs={"step": 300}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), **DURATION)
    dentist = forms.TypedChoiceField(label=_("Dentist"), coerce=int, choices=[])
    chair = forms.TypedChoiceField(label=_("Chair"), coerce=int, choices=[])
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)
    notes = forms.CharField(
        label=_("Clinic notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For the clinic's staff; patients never see them."),
    )

    def __init__(
        self, *args: object, dentists, chairs, with_notes: bool, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dentist"].choices = [(d.pk, str(d)) for d in dentists]
        self.fields["chair"].choices = [(c.pk, c.name) for c in chairs]
        if not with_notes:
            del self.fields["notes"]


WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class DentistForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=50)
    last_name = forms.CharField(label=_("Last name"), max_length=50)
    email = forms.EmailField(label=_("Email"), max_length=100)
    specialty = forms.CharField(label=_("Specialty"), max_length=100, required=False)
    license_number = forms.CharField(
        label=_("License number"), max_length=50, required=False
    )


class ShiftForm(forms.Form):
    """One weekday's hours; leave both times empty for a day off every week."""

    weekday = forms.TypedChoiceField(
        label=_("Day"), choices=WEEKDAYS, coerce=int, widget=forms.HiddenInput
    )
    start_time = forms.TimeField(label=_("From"), required=False, widget=TimeInput())
    end_time = forms.TimeField(label=_("To"), required=False, widget=TimeInput())

    def clean(self) -> dict:
        data = super().clean()
        if bool(data.get("start_time")) != bool(data.get("end_time")):
            raise forms.ValidationError(_("Give both times, or neither."))
        if data.get("start_time") and data["start_time"] >= data["end_time"]:
            raise forms.ValidationError(_("The day must end after it starts."))
        return data


ShiftFormSet = formset_factory(ShiftForm, extra=0)


def shift_initial(hours) -> list[dict]:
    """One row per weekday (the first shift of the day; split shifts stay as
    they are unless the row is edited)."""
    by_day = {}
    for h in hours:
        by_day.setdefault(h.weekday, h)
    return [
        {
            "weekday": day,
            "start_time": by_day[day].start_time if day in by_day else None,
            "end_time": by_day[day].end_time if day in by_day else None,
        }
        for day, _label in WEEKDAYS
    ]


class ChairForm(forms.Form):
    name = forms.CharField(label=_("Chair name"), max_length=50)


class AuditFilterForm(forms.Form):
    action = forms.CharField(label=_("Action"), required=False, max_length=64)
    model = forms.CharField(label=_("Record type"), required=False, max_length=64)
    object_id = forms.CharField(label=_("Record id"), required=False, max_length=32)
    actor = forms.EmailField(label=_("By (email)"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())
