"""Operations: structured logging, database backups (no models, not an app)."""
