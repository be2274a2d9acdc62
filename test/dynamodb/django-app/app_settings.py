"""Settings of the minimal Django project that runs the generated DynamoDB session backend.

Everything that differs per run comes from the environment set by django-session.e2e.test.ts.
"""

import os
import secrets

# A fresh key per run: nothing here is a deployment, and a literal key is what fixate reports.
SECRET_KEY = secrets.token_urlsafe(50)
DEBUG = False
ALLOWED_HOSTS = ['testserver']
USE_TZ = True
DEFAULT_AUTO_FIELD = 'django.db.models.AutoField'

INSTALLED_APPS = ['django.contrib.auth', 'django.contrib.contenttypes']
MIDDLEWARE = [
    'django.contrib.sessions.middleware.SessionMiddleware',
    'django.contrib.auth.middleware.AuthenticationMiddleware',
]
ROOT_URLCONF = 'app_urls'
# Users live in SQLite; sessions live in DynamoDB.
DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': os.environ['FIXATE_DJANGO_DB']}}
# The test's users need no slow password hashing.
PASSWORD_HASHERS = ['django.contrib.auth.hashers.MD5PasswordHasher']

# The module `fixate init django-dynamodb-session` wrote, on sys.path (see scenarios.py).
SESSION_ENGINE = 'dynamodb_sessions'
SESSION_COOKIE_SECURE = True
DYNAMODB_SESSIONS_TABLE = os.environ['FIXATE_SESSIONS_TABLE']
DYNAMODB_SESSIONS_CLIENT_OPTIONS = {
    'endpoint_url': os.environ['FIXATE_DYNAMODB_ENDPOINT'],
    'region_name': 'us-east-1',
    # DynamoDB Local accepts any credentials; fixed dummies keep boto3 from looking for real ones.
    'aws_access_key_id': 'fixatetest',
    'aws_secret_access_key': 'fixatetest',
}
