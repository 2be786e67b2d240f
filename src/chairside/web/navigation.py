"""Role-aware navigation: what a person sees in the header is what they may open."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from chairside.accounts import policies


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool


def _staff_not_admin(user) -> bool:
    """Admins reach the catalogue from Settings; other staff from the header."""
    return policies.is_staff_member(user) and not policies.is_clinic_admin(user)


# (url name, label, who may see it). Order is the tab order of the header.
STAFF_NAV = [
    ("web:dashboard", _("Dashboard"), policies.is_staff_member),
    ("web:calendar", _("Calendar"), policies.is_staff_member),
    ("web:patients", _("Patients"), policies.is_staff_member),
    ("web:invoices", _("Billing"), policies.is_staff_member),
    ("web:catalogue", _("Catalogue"), _staff_not_admin),
    ("web:settings", _("Settings"), policies.is_clinic_admin),
]
PORTAL_NAV = [
    ("portal:home", _("My visits"), policies.is_patient),
    ("portal:book", _("Book a visit"), policies.is_patient),
    ("portal:invoices", _("Invoices"), policies.is_patient),
    ("portal:treatment-plans", _("Treatment plans"), policies.is_patient),
    ("portal:profile", _("My profile"), policies.is_patient),
]
PUBLIC_NAV = [
    ("pricing", _("Pricing"), None),
    ("find-clinic", _("Find my clinic"), None),
    ("signup", _("Create your clinic"), None),
]
CONSOLE_NAV = [("console:clinics", _("Clinics"), None)]


def _items(request: HttpRequest, spec: list) -> list[NavItem]:
    links = []
    for name, label, allowed in spec:
        if allowed is not None and not allowed(request.user):
            continue
        try:
            links.append((str(label), reverse(name)))
        except NoReverseMatch:  # a page not wired on this host
            continue
    # The current section is the longest link the path starts with, so
    # /app/calendar/ marks Calendar, not also Dashboard (/app/).
    matches = [url for _label, url in links if request.path.startswith(url)]
    current = max(matches, key=len, default=None)
    return [NavItem(label, url, url == current) for label, url in links]


def nav_for(request: HttpRequest) -> list[NavItem]:
    clinic = getattr(request, "tenant", None)
    user = request.user
    if clinic is None or clinic.schema_name == "public":
        if user.is_authenticated and user.is_superuser:
            return _items(request, CONSOLE_NAV)
        return _items(request, PUBLIC_NAV)
    if policies.is_staff_member(user):
        return _items(request, STAFF_NAV)
    if policies.is_patient(user):
        return _items(request, PORTAL_NAV)
    return []
