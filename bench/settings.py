"""Settings for the performance harness only: the real settings, plus a floor view and a query counter.

Production never loads this module, so its URLs and middleware are unchanged.
"""

from __future__ import annotations

from sharing_app.settings import *  # noqa: F403
from sharing_app.settings import INSTALLED_APPS, MIDDLEWARE, STORAGES, VAR_DIR

ROOT_URLCONF = "bench.urls"
INSTALLED_APPS = [*INSTALLED_APPS, "bench"]
# Outermost, so the count includes the session and authentication queries every page pays.
MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *MIDDLEWARE]
# Its own folders, so a bench run never touches the files of `make run` on the same machine.
STATIC_ROOT = VAR_DIR / "bench" / "staticfiles"
EXPORTS_DIR = VAR_DIR / "bench" / "exports"
if STORAGES["exports"]["BACKEND"].endswith("FileSystemStorage"):
    STORAGES = {**STORAGES, "exports": {**STORAGES["exports"], "OPTIONS": {"location": EXPORTS_DIR}}}
# Each throw-away database gets its own checkpoint log: another database's checkpoints would not match it.
AUDIT_CHECKPOINT_LOG = str(VAR_DIR / "bench" / f"audit-checkpoints-{DATABASES['default']['NAME']}.log")  # noqa: F405
# The bench's workers send no email worth clicking, but refuse to start without an address for its links.
SITE_URL = SITE_URL or "http://127.0.0.1:8000"  # noqa: F405
