"""
A minimal Django 3.2 site: the "Django by Example" blog app (with
django-taggit), Django's redirects app, and a second app, journal, whose tables and columns are
named otherwise (imported with --map). The database comes from DJ_DB_*
in the environment (the test's private MariaDB).
"""
import os

SECRET_KEY = 'test-only-not-secret'
DEBUG = False
ALLOWED_HOSTS = ['*']
SITE_ID = 1
INSTALLED_APPS = [
    'django.contrib.contenttypes',
    'django.contrib.auth',
    'django.contrib.sites',
    'django.contrib.redirects',
    'taggit',
    'blog',
    'journal',
]
DATABASES = {
    'default': {
        'ENGINE': 'django.db.backends.mysql',
        'NAME': os.environ['DJ_DB_NAME'],
        'USER': os.environ['DJ_DB_USER'],
        'PASSWORD': os.environ.get('DJ_DB_PASSWORD', ''),
        'HOST': os.environ.get('DJ_DB_HOST', '127.0.0.1'),
        'PORT': os.environ.get('DJ_DB_PORT', '3306'),
        'OPTIONS': {'charset': 'utf8mb4'},
    }
}
# Dates are stored in UTC; the site's zone is not UTC, so a test that
# finds the right date in blogd shows the import did not shift it.
USE_TZ = True
TIME_ZONE = 'Europe/Paris'
DEFAULT_AUTO_FIELD = 'django.db.models.AutoField'
ROOT_URLCONF = 'djsite.urls'
