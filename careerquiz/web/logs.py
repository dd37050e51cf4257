"""Logging filters: refusals are one line at WARNING, not a traceback at ERROR.

Django logs a body that is too large (or has too many fields or files) to
`django.security.<name>` at ERROR with its traceback, although the client got a
400 and nothing went wrong on our side: a flood of such requests would bury
real errors and fill the disk. The refusal stays logged, as a warning.
"""

from __future__ import annotations

import logging


class RefusalIsAWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.exc_info, record.exc_text = None, None
        return True
