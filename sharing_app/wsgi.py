import os

from django.core.wsgi import get_wsgi_application

from sharing_app.private_files import keep_private

keep_private()  # files the web server writes (the database, exports) are the service's alone

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sharing_app.settings")
application = get_wsgi_application()
