"""The "exports" storage pointed somewhere a test controls: a throw-away folder, or a bucket in moto."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.storage import FileSystemStorage


def exports_in(folder: Path | str, backend: str = "django.core.files.storage.FileSystemStorage") -> dict[str, Any]:
    """STORAGES with exports written to `folder` (for override_settings)."""
    return {**settings.STORAGES, "exports": {"BACKEND": backend, "OPTIONS": {"location": str(folder)}}}


def exports_in_bucket(endpoint: str, bucket: str) -> dict[str, Any]:
    """STORAGES with exports written to an S3 bucket at `endpoint` (moto's server in the tests)."""
    return {
        **settings.STORAGES,
        "exports": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": endpoint,
                "region_name": "eu-west-2",
                "access_key": "testing",
                "secret_key": "testing",  # noqa: S106 - moto accepts any key
                "default_acl": None,
                "file_overwrite": False,
            },
        },
    }


class FullDiskStorage(FileSystemStorage):
    """A folder on a disk with no space left: the bytes of every file whose name contains `full_for` are written
    to /dev/full, where the kernel refuses every write with ENOSPC, as a full disk does."""

    def __init__(self, *args: Any, full_for: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.full_for = full_for

    def _save(self, name: str, content: Any) -> str:
        if self.full_for in name:
            with open("/dev/full", "wb") as disk:
                for chunk in content.chunks():
                    disk.write(chunk)
        return super()._save(name, content)


def exports_on_full_disk(folder: Path, full_for: str = "") -> dict[str, Any]:
    return {
        **settings.STORAGES,
        "exports": {
            "BACKEND": "tests.storage_helpers.FullDiskStorage",
            "OPTIONS": {"location": str(folder), "full_for": full_for},
        },
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """A real S3-compatible endpoint on loopback: moto's server, started once per test process, stopped by pid."""
    executable = Path(sys.executable).with_name("moto_server")
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 - our own virtualenv's moto, loopback only
        [str(executable), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1):  # noqa: S310 - loopback
                    break
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError("moto_server exited; is moto[server] installed?") from None
                time.sleep(0.05)
        else:
            raise RuntimeError("moto_server did not answer")
        yield endpoint
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def s3_client(endpoint: str) -> Any:
    import boto3

    return boto3.client(
        "s3", endpoint_url=endpoint, region_name="eu-west-2", aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106
    )  # fmt: skip


def new_bucket(endpoint: str) -> str:
    name = f"exports-{uuid.uuid4().hex[:12]}"
    s3_client(endpoint).create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
    return name


def bucket_keys(endpoint: str, bucket: str) -> list[str]:
    listed = s3_client(endpoint).list_objects_v2(Bucket=bucket)
    return sorted(item["Key"] for item in listed.get("Contents", []))
