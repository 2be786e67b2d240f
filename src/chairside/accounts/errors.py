from enum import StrEnum


class AuthErrorCode(StrEnum):
    CREDENTIALS_INVALID = "credentials_invalid"
    TOKEN_INVALID = "token_invalid"
    TOKEN_EXPIRED = "token_expired"
    TOKEN_REVOKED = "token_revoked"
    TOKEN_REUSED = "token_reused"
    ACCOUNT_DISABLED = "account_disabled"
    EMAIL_TAKEN = "email_taken"
    PASSWORD_INVALID = "password_invalid"
