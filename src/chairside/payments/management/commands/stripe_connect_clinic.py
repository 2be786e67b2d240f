"""Link a clinic to its Stripe account (until self-service onboarding exists).

manage.py stripe_connect_clinic <slug> acct_...   # connect
manage.py stripe_connect_clinic <slug> --clear    # disconnect
"""

from __future__ import annotations

import re

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants.models import Clinic


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
        account = None if options["clear"] else options["account"]
        if account is not None and not re.fullmatch(r"acct_[A-Za-z0-9]+", account):
            raise CommandError("Give an account id like acct_1Nv0… (or --clear).")
        if (
            account
            and Clinic.objects.filter(stripe_account_id=account)
            .exclude(pk=clinic.pk)
            .exists()
        ):
            raise CommandError(f"{account} already belongs to another clinic.")
        clinic.stripe_account_id = account
        clinic.save(update_fields=["stripe_account_id"])
        self.stdout.write(f"{clinic.slug}: {account or 'no Stripe account'}")
