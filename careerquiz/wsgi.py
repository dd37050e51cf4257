"""
WSGI config for careerquiz project.

It exposes the WSGI callable as a module-level variable named ``application``.

For more information on this file, see
https://docs.djangoproject.com/en/6.1/howto/deployment/wsgi/
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "careerquiz.settings")

application = get_wsgi_application()

# Refuse to start without collected static files (DEBUG off): a clear start-up
# error instead of a server whose every page is a 500.
from careerquiz.checks import require_static_manifest  # noqa: E402  (needs Django set up)

require_static_manifest()
