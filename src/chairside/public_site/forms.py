from __future__ import annotations

import zoneinfo

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from tenants.validators import SUPPORTED_CURRENCIES


class ClinicSignupForm(forms.Form):
    # clinic_provision names the owner's fields without the prefix.
    error_fields = {"password": "owner_password", "email": "owner_email"}

    name = forms.CharField(label=_("Clinic name"), max_length=120)
    slug = forms.CharField(
        label=_("Clinic address"),
        max_length=40,
        help_text=_("Lowercase letters, digits and hyphens, e.g. smile-dental."),
    )
    owner_first_name = forms.CharField(label=_("Your first name"), max_length=50)
    owner_last_name = forms.CharField(label=_("Your last name"), max_length=50)
    owner_email = forms.EmailField(
        label=_("Your email"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    owner_password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
        help_text=_("At least 8 characters, not only digits, not a common word."),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=[(tz, tz) for tz in sorted(zoneinfo.available_timezones())],
        initial="UTC",
    )
    currency = forms.ChoiceField(
        label=_("Currency"),
        choices=[(c, c) for c in sorted(SUPPORTED_CURRENCIES)],
        initial="USD",
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=settings.LANGUAGES, initial="en"
    )
    plan = forms.ChoiceField(
        label=_("Plan"), choices=[], required=False, widget=forms.RadioSelect
    )

    def __init__(self, *args: object, plans: list[tuple[str, str]], **kwargs: object):
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = plans
        if plans and not self.initial.get("plan"):
            self.initial["plan"] = plans[0][0]

    def provision_arguments(self) -> dict[str, object]:
        """The valid form as tenants.services.clinic_provision's arguments
        (the public signup and the console's new clinic both call it so)."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "slug": data["slug"],
            "owner_email": data["owner_email"],
            "owner_password": data["owner_password"],
            "owner_first_name": data["owner_first_name"],
            "owner_last_name": data["owner_last_name"],
            "time_zone": data["time_zone"],
            "currency": data["currency"],
            "language": data["language"],
            "plan_code": data["plan"] or None,
        }


class FindClinicForm(forms.Form):
    email = forms.EmailField(
        label=_("Your email"),
        help_text=_("We will email you a sign-in link for each clinic you belong to."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
