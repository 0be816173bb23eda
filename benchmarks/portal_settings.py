"""Settings for the portal benchmark's gunicorn: the product's, with the benchmark's URL conf.

Only ``benchmarks/portal.py`` uses it; the product's URLs stay as they are.
"""

from govcredit.settings import *  # noqa: F403 - the product's settings, one thing changed

ROOT_URLCONF = "benchmarks.portal_urls"
