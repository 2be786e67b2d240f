"""Platform admins' console (public domain). Counts and sums only: platform
admins never see a patient's name, let alone their health data.

The page guard decides what is shown (tenants.policies, as the navigation
does); the clinic services check the same policies for every change."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from http import HTTPStatus

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import LoginView, redirect_to_login
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chairside.console import selectors
from chairside.console.forms import ConsoleLoginForm, PlanChangeForm, SuspendForm
from chairside.core.errors import ChairsideError
from chairside.public_site.forms import ClinicSignupForm
from chairside.web.errors import forbidden, form_error_from, page_errors
from tenants import policies
from tenants import selectors as tenant_selectors
from tenants import services as tenant_services
from tenants.models import Clinic

PAGE_SIZE = 25


def platform_admin_required(view: Callable[..., HttpResponse]):
    guarded = page_errors(view)

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("console:login"))
        if not policies.can_view_clinics(request.user):
            return forbidden(request)
        return guarded(request, *args, **kwargs)

    return wrapped


class ConsoleLogin(LoginView):
    template_name = "console/login.html"
    authentication_form = ConsoleLoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        return reverse("console:clinics")


@require_POST
def console_logout(request: HttpRequest) -> HttpResponse:
    logout(request)
    return HttpResponseRedirect(reverse("landing"))


def _month_bounds() -> tuple:
    now = timezone.now()
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = (start + timedelta(days=32)).replace(day=1)
    return start, end


@platform_admin_required
def clinic_list(request: HttpRequest) -> HttpResponse:
    clinics = tenant_selectors.clinic_list().order_by("-created_at", "pk")
    query = request.GET.get("q", "").strip()
    if query:
        clinics = clinics.filter(name__icontains=query) | clinics.filter(
            slug__icontains=query
        )
    status = request.GET.get("status", "")
    if status in Clinic.Status.values:
        clinics = clinics.filter(status=status)
    page = Paginator(clinics, PAGE_SIZE).get_page(request.GET.get("page"))
    start, end = _month_bounds()
    # One query for the whole page, however many clinics it shows.
    stats = selectors.clinic_stats_for(
        clinics=list(page.object_list), month_start=start, month_end=end
    )
    rows = [(c, stats.get(c.pk)) for c in page.object_list]
    recent = tenant_selectors.clinic_list().filter(
        created_at__gte=timezone.now() - timedelta(days=30)
    )
    return render(
        request,
        "console/clinic_list.html",
        {
            "page": page,
            "rows": rows,
            "q": query,
            "status": status,
            "statuses": Clinic.Status.choices,
            "recent_count": recent.count(),
            "suspended_count": tenant_selectors.clinic_list()
            .filter(status=Clinic.Status.SUSPENDED)
            .count(),
            "month_start": start,
        },
    )


@platform_admin_required
def clinic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    clinic = get_object_or_404(tenant_selectors.clinic_list(), slug=slug)
    start, end = _month_bounds()
    stats = selectors.clinic_stats_for(
        clinics=[clinic], month_start=start, month_end=end
    ).get(clinic.pk)
    onboarding = selectors.clinic_onboarding_for(clinics=[clinic]).get(clinic.pk)
    return render(
        request,
        "console/clinic_detail.html",
        {
            "c": clinic,
            "stats": stats,
            "onboarding": onboarding,
            "suspend_form": SuspendForm(),
            "plan_form": PlanChangeForm(initial={"plan": clinic.plan_id}),
        },
    )


@platform_admin_required
@require_POST
def clinic_suspend(request: HttpRequest, slug: str) -> HttpResponse:
    clinic = get_object_or_404(tenant_selectors.clinic_list(), slug=slug)
    form = SuspendForm(request.POST)
    if form.is_valid():
        tenant_services.clinic_suspend(
            actor=request.user, clinic=clinic, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("%(name)s is suspended.") % {"name": clinic.name})
    return HttpResponseRedirect(reverse("console:clinic", args=[slug]))


@platform_admin_required
@require_POST
def clinic_reactivate(request: HttpRequest, slug: str) -> HttpResponse:
    clinic = get_object_or_404(tenant_selectors.clinic_list(), slug=slug)
    tenant_services.clinic_reactivate(actor=request.user, clinic=clinic)
    messages.success(request, _("%(name)s is active again.") % {"name": clinic.name})
    return HttpResponseRedirect(reverse("console:clinic", args=[slug]))


@platform_admin_required
@require_POST
def clinic_change_plan(request: HttpRequest, slug: str) -> HttpResponse:
    clinic = get_object_or_404(tenant_selectors.clinic_list(), slug=slug)
    form = PlanChangeForm(request.POST)
    if form.is_valid():
        tenant_services.clinic_plan_change(
            actor=request.user, clinic=clinic, plan=form.cleaned_data["plan"]
        )
        messages.success(
            request,
            _("%(name)s is now on the %(plan)s plan.")
            % {"name": clinic.name, "plan": clinic.plan.name},
        )
    return HttpResponseRedirect(reverse("console:clinic", args=[slug]))


@platform_admin_required
def clinic_create(request: HttpRequest) -> HttpResponse:
    plans = [(p.code, p.name) for p in tenant_selectors.plan_list_active()]
    form = ClinicSignupForm(request.POST or None, plans=plans)
    if request.method == "POST" and form.is_valid():
        try:
            clinic, _owner = tenant_services.clinic_provision(
                actor=request.user,
                **form.provision_arguments(),
            )
        except ChairsideError as exc:
            form_error_from(exc, form)
        else:
            messages.success(request, _("%(name)s is ready.") % {"name": clinic.name})
            return HttpResponseRedirect(reverse("console:clinic", args=[clinic.slug]))
    return render(
        request,
        "console/clinic_create.html",
        {"form": form},
        status=HTTPStatus.BAD_REQUEST if form.errors else HTTPStatus.OK,
    )
