from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def clinic_home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/clinic_home.html", {"clinic": request.tenant})
