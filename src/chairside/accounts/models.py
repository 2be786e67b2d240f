"""People who sign in, and the refresh-token families that keep them signed in.

The tables exist in every schema: the public schema holds platform admins,
each clinic's schema holds that clinic's staff and patients. An email is
unique within one schema only; a person at two clinics has two accounts.
"""

from __future__ import annotations

from django.contrib.auth.models import (
    AbstractBaseUser,
    BaseUserManager,
    PermissionsMixin,
)
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Clinic admin")
    DENTIST = "dentist", _("Dentist")
    RECEPTIONIST = "receptionist", _("Receptionist")
    PATIENT = "patient", _("Patient")


STAFF_ROLES = frozenset({Role.ADMIN, Role.DENTIST, Role.RECEPTIONIST})


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(
        self, email: str, password: str | None = None, **fields: object
    ) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(
        self, email: str, password: str | None = None, **fields: object
    ) -> User:
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("email address"), unique=True)
    first_name = models.CharField(_("first name"), max_length=50, blank=True)
    last_name = models.CharField(_("last name"), max_length=50, blank=True)
    # Blank for platform admins in the public schema.
    role = models.CharField(max_length=16, choices=Role.choices, blank=True)
    language = models.CharField(max_length=8, blank=True)
    is_active = models.BooleanField(default=True)
    # Django admin access (platform admins only).
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.email

    def get_short_name(self) -> str:
        return self.first_name or self.email

    @property
    def is_clinic_staff(self) -> bool:
        return self.role in STAFF_ROLES


class TokenFamily(models.Model):
    """One sign-in: every refresh token rotated from one login shares a family.

    Access tokens name their family, so revoking it (logout, reuse of a spent
    refresh token, deactivating the user) refuses its access tokens at once.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=32, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "revoked_at"])]

    def __str__(self) -> str:
        return f"token family {self.pk} of user {self.user_id}"


class RefreshToken(models.Model):
    jti = models.UUIDField(unique=True)
    family = models.ForeignKey(
        TokenFamily, on_delete=models.CASCADE, related_name="refresh_tokens"
    )
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"refresh token {self.jti}"
