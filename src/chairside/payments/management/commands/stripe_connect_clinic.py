"""Link a clinic to its Stripe account (until self-service onboarding exists).

manage.py stripe_connect_clinic <slug> acct_...   # connect
manage.py stripe_connect_clinic <slug> --clear    # disconnect
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chairside.core.actors import COMMAND
from chairside.core.errors import ChairsideError
from tenants.models import Clinic
from tenants.services import clinic_stripe_account_set


class Command(BaseCommand):
    help = "Set the Stripe connected account (acct_…) a clinic is paid into."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("account", nargs="?")
        parser.add_argument("--clear", action="store_true")

    def handle(self, *args: object, **options: object) -> None:
        clinic = Clinic.objects.filter(slug=options["slug"]).first()
        if clinic is None:
            raise CommandError(f"No clinic {options['slug']!r}.")
        account = "" if options["clear"] else options["account"] or ""
        if not account and not options["clear"]:
            raise CommandError("Give an account id like acct_1Nv0… (or --clear).")
        try:
            clinic_stripe_account_set(actor=COMMAND, clinic=clinic, account_id=account)
        except ChairsideError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"{clinic.slug}: {account or 'no Stripe account'}")
