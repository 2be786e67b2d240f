from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chairside.core.actors import COMMAND
from chairside.core.errors import ChairsideError
from tenants.services import clinic_provision


class Command(BaseCommand):
    help = "Create a clinic: its schema, domain and owner account."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--name", required=True)
        parser.add_argument("--owner-email", required=True)
        parser.add_argument("--owner-password", required=True)
        parser.add_argument("--time-zone", default="UTC")
        parser.add_argument("--currency", default="USD")
        parser.add_argument("--language", default="en")
        parser.add_argument("--plan", default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            clinic, owner = clinic_provision(
                actor=COMMAND,
                name=options["name"],
                slug=options["slug"],
                owner_email=options["owner_email"],
                owner_password=options["owner_password"],
                time_zone=options["time_zone"],
                currency=options["currency"],
                language=options["language"],
                plan_code=options["plan"],
            )
        except ChairsideError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        self.stdout.write(
            f"Created {clinic.name} at {clinic.url} (owner {owner.email})"
        )
