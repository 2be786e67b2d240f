from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from tenants.models import Plan


class ConsoleLoginForm(AuthenticationForm):
    """Only platform admins (superusers of the public schema) get in."""

    def confirm_login_allowed(self, user) -> None:  # type: ignore[no-untyped-def]
        super().confirm_login_allowed(user)
        if not user.is_superuser:
            raise forms.ValidationError(
                _("This console is for platform administrators only."),
                code="not_platform_admin",
            )


class SuspendForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class PlanChangeForm(forms.Form):
    plan = forms.ModelChoiceField(
        label=_("Plan"), queryset=Plan.objects.filter(is_active=True), empty_label=None
    )
