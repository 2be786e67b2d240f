from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from chairside.demo.seed import (
    DEMO_PASSWORD,
    DEMO_USERS,
    PLATFORM_ADMIN_EMAIL,
    console_url,
    seed_demo,
)


class Command(BaseCommand):
    help = (
        "Seed the demo clinics (demo, riverside) and a platform admin."
        " Safe to run again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        for clinic in seed_demo():
            logins = ", ".join(f"{u[0]}@{clinic.slug}.test" for u in DEMO_USERS)
            self.stdout.write(f"{clinic.name}: {clinic.url}  ({logins})")
        self.stdout.write(
            f"Platform console: {console_url()}  ({PLATFORM_ADMIN_EMAIL})"
        )
        self.stdout.write(f"Demo password for every account: {DEMO_PASSWORD}")
