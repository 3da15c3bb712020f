"""The application's URLs plus the floor view, served by the same gunicorn as the pages measured."""

from __future__ import annotations

from django.urls import path

from sharing_app.urls import handler400, handler403, handler404, handler500
from sharing_app.urls import urlpatterns as app_urlpatterns

from . import views

urlpatterns = [path("bench/floor", views.floor, name="bench_floor"), *app_urlpatterns]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
