"""Forms of the chart and catalogue pages. They shape input; dental's
services decide (areas, statuses, who may set a fee)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from chairside.dental.areas import Area
from chairside.dental.catalogue_import import MAX_DURATION
from chairside.dental.models import (
    NOTATION_CHOICES,
    Category,
    EntryKind,
    EntryStatus,
    ProcedureCode,
    ToothEffect,
)
from chairside.dental.teeth import TEETH, Notation

MONEY = {"max_digits": 10, "decimal_places": 2}
# What a person charts an entry as (completing and invalidating are actions
# of the entries list).
CHART_STATUSES = [
    (EntryStatus.PLANNED, EntryStatus.PLANNED.label),
    (EntryStatus.COMPLETED, EntryStatus.COMPLETED.label),
    (EntryStatus.EXISTING_HERE, EntryStatus.EXISTING_HERE.label),
    (EntryStatus.EXISTING_ELSEWHERE, EntryStatus.EXISTING_ELSEWHERE.label),
]
SURFACE_CHOICES = [
    ("M", _("M (mesial)")),
    ("O", _("O/I (occlusal, incisal)")),
    ("D", _("D (distal)")),
    ("B", _("B/F (buccal, facial)")),
    ("L", _("L (lingual)")),
    ("V", _("V (cervical)")),
]
ARCH_CHOICES = [("", "—"), (1, _("Upper arch")), (2, _("Lower arch"))]
QUADRANT_CHOICES = [
    ("", "—"),
    (1, _("Upper right")),
    (2, _("Upper left")),
    (3, _("Lower left")),
    (4, _("Lower right")),
]
SEXTANT_CHOICES = [("", "—")] + [(n, str(n)) for n in range(1, 7)]


def tooth_choices(notation: Notation) -> list[tuple[str | int, str]]:
    """The 52 teeth, named in the reader's notation, valued in FDI."""
    return [("", "—")] + [(t.fdi, t.name(notation)) for t in TEETH]


class ChartEntryForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Record"),
        choices=[
            (EntryKind.PROCEDURE, _("A procedure")),
            (EntryKind.CONDITION, _("A condition")),
        ],
        initial=EntryKind.PROCEDURE,
        widget=forms.RadioSelect,
    )
    tooth = forms.TypedChoiceField(
        label=_("Tooth"), coerce=int, empty_value=None, required=False, choices=[]
    )
    surfaces = forms.MultipleChoiceField(
        label=_("Surfaces"),
        choices=SURFACE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    tooth_to = forms.TypedChoiceField(
        label=_("To tooth (a bridge's span)"),
        coerce=int,
        empty_value=None,
        required=False,
        choices=[],
    )
    arch = forms.TypedChoiceField(
        label=_("Arch"), coerce=int, empty_value=None, required=False,
        choices=ARCH_CHOICES,
    )  # fmt: skip
    quadrant = forms.TypedChoiceField(
        label=_("Quadrant"), coerce=int, empty_value=None, required=False,
        choices=QUADRANT_CHOICES,
    )  # fmt: skip
    sextant = forms.TypedChoiceField(
        label=_("Sextant"), coerce=int, empty_value=None, required=False,
        choices=SEXTANT_CHOICES,
    )  # fmt: skip
    code_query = forms.CharField(
        label=_("Procedure code"),
        max_length=100,
        required=False,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "placeholder": _("Type a code or a word")}
        ),
    )
    procedure_code = forms.IntegerField(required=False, widget=forms.HiddenInput)
    condition = forms.ChoiceField(label=_("Condition"), required=False, choices=[])
    status = forms.ChoiceField(
        label=_("Status"), choices=CHART_STATUSES, initial=EntryStatus.PLANNED
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    # The service's field names -> this form's.
    error_fields = {"procedure_code": "code_query", "dentist_id": "note"}

    def __init__(
        self, *args, notation: Notation, conditions, search_url: str, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        # The type-ahead (htmx sends the input's own value as code_query).
        self.fields["code_query"].widget.attrs.update(
            {
                "hx-get": search_url,
                "hx-trigger": "input changed delay:200ms",
                "hx-target": "#code-options",
                # Not the form's outerHTML swap, which htmx would inherit.
                "hx-swap": "innerHTML",
                "role": "combobox",
                "aria-controls": "code-options",
                "aria-autocomplete": "list",
                "aria-expanded": "false",
            }
        )
        self.fields["tooth"].choices = tooth_choices(notation)
        self.fields["tooth_to"].choices = tooth_choices(notation)
        self.fields["condition"].choices = [("", "—")] + [
            (c.code, c.name) for c in conditions
        ]

    def clean(self) -> dict:
        data = super().clean()
        if data.get("kind") == EntryKind.PROCEDURE:
            if not data.get("procedure_code") and not data.get("code_query"):
                self.add_error("code_query", _("Pick a procedure code."))
        elif data.get("kind") == EntryKind.CONDITION and not data.get("condition"):
            self.add_error("condition", _("Pick a condition."))
        return data

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        procedure = data["kind"] == EntryKind.PROCEDURE
        return {
            "kind": data["kind"],
            "status": data["status"],
            "procedure_code": (data["procedure_code"] or data["code_query"].strip())
            if procedure
            else None,
            "condition": None if procedure else data["condition"],
            "tooth": data["tooth"],
            "tooth_to": data["tooth_to"],
            "notation": Notation.FDI,
            "surfaces": "".join(data["surfaces"]),
            "arch": data["arch"],
            "quadrant": data["quadrant"],
            "sextant": data["sextant"],
            "note": data["note"],
        }


class InvalidateForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class ProcedureCodeForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20)
    short_description = forms.CharField(label=_("Short description"), max_length=100)
    long_description = forms.CharField(
        label=_("Long description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    area = forms.ChoiceField(
        label=_("Treatment area"),
        choices=Area.choices,
        help_text=_("Where on the mouth it is charted: a filling on surfaces, "
                    "a crown on a tooth, a bridge on a tooth range."),
    )  # fmt: skip
    effect = forms.ChoiceField(
        label=_("Shown on the chart as"),
        choices=ToothEffect.choices,
        required=False,
        help_text=_("What the tooth shows once it is done (a crown, a missing "
                    "tooth after an extraction...)."),
    )  # fmt: skip
    default_duration_minutes = forms.IntegerField(
        label=_("Default duration (minutes)"),
        min_value=0,
        max_value=MAX_DURATION,
        initial=ProcedureCode._meta.get_field("default_duration_minutes").default,
    )
    default_fee = forms.DecimalField(
        label=_("Default fee"), min_value=Decimal("0"), initial=Decimal("0"), **MONEY
    )
    is_hygiene = forms.BooleanField(label=_("Hygiene"), required=False)
    triggers_recall = forms.BooleanField(label=_("Triggers a recall"), required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, can_set_fee: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not can_set_fee:
            # Shown, not sent: a disabled field keeps its initial value and
            # never counts as changed.
            self.fields["default_fee"].disabled = True
            self.fields["default_fee"].help_text = _("Fees are set by an admin.")


def code_initial(code: ProcedureCode) -> dict:
    return {name: getattr(code, name) for name in ProcedureCodeForm.base_fields}


class CatalogueImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class FeeScheduleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    is_standard = forms.BooleanField(
        label=_("The clinic's standard fees"),
        required=False,
        help_text=_("Used for every patient who is on no other schedule."),
    )


class FeeTableForm(forms.Form):
    """One fee field per code ("fee_<id>"); empty: the code's default fee."""

    def __init__(self, *args, codes, fees: dict[int, Decimal], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.codes = list(codes)
        for code in self.codes:
            self.fields[f"fee_{code.pk}"] = forms.DecimalField(
                label=f"{code.code} {code.short_description}",
                required=False,
                min_value=Decimal("0"),
                initial=fees.get(code.pk),
                **MONEY,
            )

    def rows(self):
        for code in self.codes:
            yield code, self[f"fee_{code.pk}"]

    def changed_fees(self) -> dict[int, Decimal | None]:
        """Only the fees the person changed (an untouched row stays as it
        is, however it was stored)."""
        return {
            int(name.removeprefix("fee_")): self.cleaned_data[name]
            for name in self.changed_data
        }


class PatientFeeScheduleForm(forms.Form):
    schedule = forms.TypedChoiceField(
        label=_("Fee schedule"), coerce=int, empty_value=None, required=False,
        choices=[],
    )  # fmt: skip

    def __init__(self, *args, schedules, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["schedule"].choices = [("", _("The clinic's standard fees"))] + [
            (s.pk, s.name) for s in schedules if not s.is_standard
        ]


class NotationForm(forms.Form):
    notation = forms.ChoiceField(label=_("Tooth notation"), choices=NOTATION_CHOICES)


class OwnNotationForm(forms.Form):
    notation = forms.ChoiceField(
        label=_("My tooth notation"),
        choices=[("", _("The clinic's default")), *NOTATION_CHOICES],
        required=False,
    )
