#!/usr/bin/python3
"""The Django blog that tests/integration/django.test.mjs imports from."""
import os
import sys

if __name__ == '__main__':
    os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'djsite.settings')
    from django.core.management import execute_from_command_line
    execute_from_command_line(sys.argv)
