"""Issue 25 item 1 (sessions): reading the database gave every session key, and sending a signed-in admin's key
as a cookie opened /retention/ as that admin, two-step already passed. The table must hold nothing that signs in."""

from __future__ import annotations

from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from ..base import World


class SessionKeysAreNotInTheDatabase(World):
    def test_a_key_read_from_the_database_does_not_sign_in(self) -> None:
        admin = self.client_for(self.ada_admin_org_a)
        assert admin.get(reverse("retention:due")).status_code == 200
        cookie_key = admin.cookies[settings.SESSION_COOKIE_NAME].value
        stored = list(Session.objects.values_list("session_key", flat=True))
        assert stored and cookie_key not in stored
        for key in stored:
            thief = Client()
            thief.cookies[settings.SESSION_COOKIE_NAME] = key
            response = thief.get(reverse("retention:due"))
            assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
