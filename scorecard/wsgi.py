"""WSGI entry point; a configuration mistake stops start-up with one plain line."""

import os
import sys

from django.core.exceptions import ImproperlyConfigured

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scorecard.settings")

try:
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
except ImproperlyConfigured as exc:
    sys.stderr.write(f"Configuration error: {exc}\n")
    sys.exit(1)
