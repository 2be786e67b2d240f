from __future__ import annotations

from django.http import HttpRequest

from chairside.web.navigation import nav_for


def navigation(request: HttpRequest) -> dict:
    clinic = getattr(request, "tenant", None)
    on_clinic = clinic is not None and clinic.schema_name != "public"
    if not hasattr(request, "user"):  # error pages rendered before auth ran
        return {"nav_items": [], "clinic": clinic if on_clinic else None}
    return {"nav_items": nav_for(request), "clinic": clinic if on_clinic else None}
