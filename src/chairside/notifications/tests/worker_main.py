"""`python -m chairside.notifications.tests.worker_main <celery args>`: the
celery command, with the clock moved to FAKE_NOW (still ticking) if set, so
an end-to-end test can "advance the clock" of a real worker."""

from __future__ import annotations

import os
import sys
from datetime import datetime

if os.environ.get("FAKE_NOW"):
    import time_machine

    time_machine.travel(
        datetime.fromisoformat(os.environ["FAKE_NOW"]), tick=True
    ).start()

from celery.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
