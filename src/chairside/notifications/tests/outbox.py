"""An email backend for tests across processes: one .eml file per message in
E2E_OUTBOX_DIR. With SLOW_EMAIL_SECONDS it first drops a `sending-*` marker
and waits, so a test can kill the worker in the middle of a send."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend


class FileOutboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        folder = Path(settings.E2E_OUTBOX_DIR)
        slow = float(os.environ.get("SLOW_EMAIL_SECONDS", "0") or 0)
        for message in email_messages:
            name = uuid.uuid4().hex
            if slow:
                (folder / f"sending-{os.getpid()}-{name}").touch()
                time.sleep(slow)
            temporary = folder / f".{name}.tmp"
            temporary.write_bytes(message.message().as_bytes())
            temporary.rename(folder / f"{name}.eml")
        return len(email_messages)


def outbox_messages(folder: Path) -> list[str]:
    return [path.read_text() for path in sorted(folder.glob("*.eml"))]
