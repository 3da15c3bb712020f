"""Issue 24 item 8: the verify page is for anyone. Signed out, or from another organisation on this service, a
genuine PDF is "genuine, issued by NAME"; what the page shows is what the PDF already holds; checks are limited
per address and each is audited without personal data."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from audit import actions
from audit.models import AuditEvent, chain_key_for

from .test_pdf import Decisions, VerifyTests


class PublicVerifyTests(Decisions):
    url = VerifyTests.url

    def setUp(self) -> None:
        cache.clear()

    def anonymous(self) -> Client:
        return Client(REMOTE_ADDR="203.0.113.7")

    def check(self, client: Client, **data: Any) -> Any:
        return client.post(self.url, data)

    def verifications(self) -> Any:
        return AuditEvent.objects.filter(action=actions.VERIFY_CODE)

    def test_the_page_opens_signed_out(self) -> None:
        response = self.anonymous().get(f"{self.url}?code=abcd")
        assert response.status_code == 200
        content = response.content.decode()
        assert 'value="abcd"' in content and "Check an audit record" in content

    def test_a_genuine_pdf_signed_out_is_genuine_and_names_its_issuer(self) -> None:
        upload = SimpleUploadedFile("record.pdf", self.pdf_v2, content_type="application/pdf")
        content = self.check(self.anonymous(), file=upload).content.decode()
        assert "This record is genuine" in content
        assert "Issued by Org A Partnership" in content and self.reference in content
        # Nothing the PDF does not hold: no link into the service, no word of later versions.
        assert f"/decisions/{self.reference}" not in content
        assert "current version" not in content and "amended since" not in content

    def test_a_code_signed_out(self) -> None:
        content = self.check(self.anonymous(), code=self.v1.content_hash).content.decode()
        assert "This record is genuine" in content and "Issued by Org A Partnership" in content
        # The PDF of version 1 says nothing of version 2, and nor does the page to someone outside.
        assert "version 2" not in content.lower() and "amended since" not in content

    def test_another_organisation_on_the_service_is_told_it_is_genuine(self) -> None:
        content = self.check(self.client_for(self.bea_admin_org_b), code=self.v2.content_hash).content.decode()
        assert "This record is genuine" in content and "Issued by Org A Partnership" in content
        assert "did not come from Org B" not in content
        assert f"/decisions/{self.reference}" not in content

    def test_a_user_without_an_organisation_can_check(self) -> None:
        content = self.check(self.client_for(self.nobody_without_org), code=self.v2.content_hash).content.decode()
        assert "This record is genuine" in content

    def test_an_unknown_code_signed_out(self) -> None:
        content = self.check(self.anonymous(), code="0" * 64).content.decode()
        assert "No record matches this code" in content
        assert "Org A" not in content

    def test_each_check_is_audited_without_personal_data(self) -> None:
        self.check(self.anonymous(), code=self.v2.content_hash)
        self.check(self.client_for(self.bea_admin_org_b), code=self.v2.content_hash)
        self.check(self.anonymous(), code="0" * 64)
        signed_out, other_org, unknown = self.verifications().order_by("id")
        for event in (signed_out, other_org):
            assert event.chain_key == chain_key_for(self.org_a.pk) and event.target_ref == self.reference
            assert event.actor is None and event.ip_address is None and event.user_agent == ""
            assert event.details["result"] == "match" and event.details["version"] == 2
        assert (
            signed_out.details["checked_by"] == "signed_out"
            and other_org.details["checked_by"] == "another_organisation"
        )
        assert unknown.chain_key == chain_key_for(None) and unknown.details["result"] == "no_match"
        assert unknown.ip_address is None and unknown.actor is None

    @override_settings(VERIFY_CHECKS_PER_WINDOW=3, VERIFY_WINDOW_MINUTES=10)
    def test_checks_are_limited_per_address(self) -> None:
        client = self.anonymous()
        for _ in range(3):
            assert "This record is genuine" in self.check(client, code=self.v2.content_hash).content.decode()
        response = self.check(client, code=self.v2.content_hash)
        assert response.status_code == 429
        content = response.content.decode()
        assert "Too many checks" in content and "try again in 10 minutes" in content
        assert self.verifications().count() == 3
        # Another address is not held back.
        other = Client(REMOTE_ADDR="198.51.100.9")
        assert "This record is genuine" in self.check(other, code=self.v2.content_hash).content.decode()

    def test_other_methods_are_not_allowed(self) -> None:
        assert self.anonymous().put(self.url).status_code == 405
        assert self.anonymous().delete(self.url).status_code == 405
