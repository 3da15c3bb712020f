"""Names shared by the seed (inside Django) and the client and locust (outside it)."""

import re

PASSWORD = "bench password 2026"  # noqa: S105 - throw-away accounts in a throw-away database
# The authenticator-app secret of every seeded account whose role needs two-step verification (hex, as
# django-otp stores it); bench/run.py computes the codes from it.
TOTP_KEY = "3132333435363738393031323334353637383930"
PRACTITIONERS_PER_ORG = 25
SUPERVISORS_PER_ORG = 3

# The consent page's radios for the people on the record: consent is asked of one of them.
CONSENT_FROM = re.compile(r'name="consent_from"[^>]*?value="(\d+)"')
