"""Patient portal forms."""

from __future__ import annotations

from allauth.account.forms import SignupForm
from django import forms
from django.utils.translation import gettext_lazy as _

from chairside.core.widgets import DateInput, HiddenDateTimeInput


class PatientSignupForm(SignupForm):
    """allauth's signup with the patient's name (for their Patient record)."""

    first_name = forms.CharField(label=_("First name"), max_length=50)
    last_name = forms.CharField(label=_("Last name"), max_length=50)

    field_order = ["first_name", "last_name", "email", "password1", "password2"]


class ProfileForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=50)
    last_name = forms.CharField(label=_("Last name"), max_length=50)
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
        help_text=_(
            "Allergies, medicines you take, conditions, past operations. "
            "Only your dentists can read it."
        ),
    )


class SlotSearchForm(forms.Form):
    dentist = forms.ChoiceField(label=_("Dentist"), required=False)
    date = forms.DateField(label=_("From"), required=False, widget=DateInput())

    def __init__(self, *args: object, dentists, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dentist"].choices = [("", _("Any dentist"))] + [
            (str(d.pk), str(d)) for d in dentists
        ]


class SlotChoiceForm(forms.Form):
    dentist = forms.IntegerField(widget=forms.HiddenInput)
    start = forms.DateTimeField(
        widget=HiddenDateTimeInput, input_formats=["%Y-%m-%dT%H:%M:%S%z"]
    )
    reason = forms.CharField(
        label=_("Reason for the visit"), max_length=200, required=False
    )
