#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    from sharing_app.private_files import keep_private

    keep_private()  # before anything writes a file: the database, keys and exports are the service's alone
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sharing_app.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
