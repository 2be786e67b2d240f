"""Fill (or empty) the pool of spare clinic schemas signups are renamed from."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tenants.schema_engine.spare_pool import (
    pool_size,
    spare_pool_empty,
    spare_pool_fill,
)


class Command(BaseCommand):
    help = "Build spare clinic schemas from the template (drops stale ones)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--size", type=int, default=None, help=f"default {pool_size()}"
        )
        parser.add_argument("--empty", action="store_true", help="drop every spare")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["empty"]:
            self.stdout.write(f"Dropped {spare_pool_empty()} spare schemas")
            return
        result = spare_pool_fill(options["size"])
        self.stdout.write(
            "Spare clinic schemas: {current} current ({created} built,"
            " {dropped} stale dropped)".format(**result)
        )
