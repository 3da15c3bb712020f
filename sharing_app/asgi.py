import os

from django.core.asgi import get_asgi_application

from sharing_app.private_files import keep_private

keep_private()

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sharing_app.settings")
application = get_asgi_application()
