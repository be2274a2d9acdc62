"""Runs the attacks of django-session.e2e.test.ts against the generated backend and prints what it saw.

Run by the test with Debian's /usr/bin/python3 (python3-django, python3-boto3). It only observes:
status codes, who each client is, and which items DynamoDB holds (read with boto3 directly, not
through the backend). The vitest test makes the assertions. Environment:

    FIXATE_SESSION_BACKEND_DIR  directory holding the generated dynamodb_sessions.py
    FIXATE_DYNAMODB_ENDPOINT    DynamoDB Local's URL
    FIXATE_SESSIONS_TABLE       a session table with TTL enabled
    FIXATE_NO_TTL_TABLE         the same table without TTL: DynamoDB Local reaps expired items within
                                about a second, so an expired item only stays put where TTL is off
    FIXATE_DJANGO_DB            SQLite file for the users
"""

import asyncio
import json
import os
import sys
import threading
import time
import traceback
import uuid

sys.path.insert(0, os.environ['FIXATE_SESSION_BACKEND_DIR'])
os.environ['DJANGO_SETTINGS_MODULE'] = 'app_settings'

import boto3  # noqa: E402
import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

import dynamodb_sessions  # noqa: E402
from dynamodb_sessions import SessionStore  # noqa: E402

COOKIE = settings.SESSION_COOKIE_NAME
PASSWORD = 'correct horse battery staple'
ROTATION_ROUNDS = 10

raw = boto3.client('dynamodb', **settings.DYNAMODB_SESSIONS_CLIENT_OPTIONS)


def raw_item(key, table=None):
    """The stored item, read consistently and without any of the backend's checks, or None."""
    response = raw.get_item(
        TableName=table or settings.DYNAMODB_SESSIONS_TABLE, Key={'sid': {'S': key}}, ConsistentRead=True
    )
    return response.get('Item')


def raw_owner(key):
    item = raw_item(key)
    return None if item is None else item.get('userId', {}).get('S')


def live_items_with_marker(marker):
    """How many unexpired items hold session data carrying this marker (a consistent scan)."""
    now = int(time.time())
    count = 0
    pages = raw.get_paginator('scan').paginate(TableName=settings.DYNAMODB_SESSIONS_TABLE, ConsistentRead=True)
    for page in pages:
        for item in page['Items']:
            if int(item['expires']['N']) > now and SessionStore().decode(item['sess']['S']).get('marker') == marker:
                count += 1
    return count


def client_with(key=None):
    client = Client(raise_request_exception=False)
    if key is not None:
        client.cookies[COOKIE] = key
    return client


def cookie_of(client):
    morsel = client.cookies.get(COOKIE)
    return None if morsel is None or morsel.value == '' else morsel.value


def whoami(client):
    return client.get('/whoami').json()['user']


def credentials(user):
    return {'username': user.username, 'password': PASSWORD}


def auth_data(user):
    """The session data django.contrib.auth.login() writes for this user."""
    return {
        '_auth_user_id': str(user.pk),
        '_auth_user_backend': 'django.contrib.auth.backends.ModelBackend',
        '_auth_user_hash': user.get_session_auth_hash(),
    }


def put_raw_session(user, owner, expires, table=None):
    """Writes a session item with boto3 directly, as the backend would but with chosen attributes."""
    key = SessionStore()._get_new_session_key()
    item = {
        'sid': {'S': key},
        'sess': {'S': SessionStore().encode(auth_data(user))},
        'expires': {'N': str(expires)},
    }
    if owner is not None:
        item['userId'] = {'S': owner}
    raw.put_item(TableName=table or settings.DYNAMODB_SESSIONS_TABLE, Item=item)
    return key


def fixation(alice, bob):
    attacker = client_with()
    attacker.get('/visit')
    planted = cookie_of(attacker)
    planted_stored = raw_item(planted) is not None
    victim = client_with(planted)
    login_status = victim.post('/login', credentials(alice)).status_code
    victim_key = cookie_of(victim)
    return {
        'plantedKey': planted,
        'plantedKeyStoredBeforeLogin': planted_stored,
        'loginStatus': login_status,
        'victimKey': victim_key,
        'attackerIs': whoami(attacker),
        'plantedKeyItemAfterLogin': raw_item(planted) is not None,
        'victimIs': whoami(victim),
        # cycle_key() keeps the data: the visit counted before login is still there.
        'victimVisits': victim.get('/whoami').json()['visits'],
        'victimKeyOwner': raw_owner(victim_key),
        'aliceId': str(alice.pk),
    }


def logout_kills_key(alice, bob):
    client = client_with()
    client.post('/login', credentials(alice))
    key = cookie_of(client)
    before = {'is': whoami(client), 'item': raw_item(key) is not None}
    logout_status = client.post('/logout').status_code
    replayed = client_with(key)
    return {
        'key': key,
        'before': before,
        'logoutStatus': logout_status,
        'itemAfterLogout': raw_item(key) is not None,
        'replayedKeyIs': whoami(replayed),
        'existsAfterLogout': SessionStore().exists(key),
    }


def expired_item_refused(alice, bob):
    table = os.environ['FIXATE_NO_TTL_TABLE']
    now = int(time.time())
    with override_settings(DYNAMODB_SESSIONS_TABLE=table):
        expired = put_raw_session(alice, str(alice.pk), now - 60, table)
        # The same item, not yet expired: shows the expired one is refused for its expiry alone.
        live = put_raw_session(alice, str(alice.pk), now + 3600, table)
        observed = {
            'expiredKeyIs': whoami(client_with(expired)),
            'expiredExists': SessionStore().exists(expired),
            'expiredLoad': SessionStore(expired).load(),
            # Still in the table after being refused: TTL had not deleted it, the backend refused it.
            'expiredItemStillStored': raw_item(expired, table) is not None,
            'liveKeyIs': whoami(client_with(live)),
            'liveExists': SessionStore().exists(live),
        }
        # What manage.py clearsessions calls, on the class.
        SessionStore.clear_expired()
        observed['expiredItemAfterClearExpired'] = raw_item(expired, table) is not None
        observed['liveItemAfterClearExpired'] = raw_item(live, table) is not None
        return observed


def keys_never_adopted(alice, bob):
    """A key the attacker made up is not taken on, and create() never writes over an existing item."""
    invented = 'a' * 32
    victim = client_with(invented)
    victim.get('/visit')
    login_status = victim.post('/login', credentials(alice)).status_code
    # create() drawing a key that is already in use: the conditional put refuses it and it draws again.
    existing = new_session('existing')
    before = raw_item(existing)
    store = SessionStore()
    drawn = iter([existing])
    store._get_new_session_key = lambda: next(drawn, None) or SessionStore._get_new_session_key(store)
    store['marker'] = 'newcomer'
    store.create()
    return {
        'invented': invented,
        'loginStatus': login_status,
        'victimKey': cookie_of(victim),
        'victimIs': whoami(victim),
        'inventedItem': raw_item(invented) is not None,
        'createdKey': store.session_key,
        'existingKey': existing,
        'existingItemUnchanged': raw_item(existing) == before,
    }


def new_session(marker):
    store = SessionStore()
    store['marker'] = marker
    store.save()
    return store.session_key


def rotate(store):
    try:
        store.cycle_key()
        return 'rotated'
    except Exception as error:  # noqa: BLE001 - the class name is the observation
        return type(error).__name__


def rotations_of_one_session(rotate_each):
    """Two requests hold the same session; the second rotates after the first has: no second key."""
    marker = uuid.uuid4().hex
    key = new_session(marker)
    first, second = SessionStore(key), SessionStore(key)
    # Both requests have read the session (as any view touching request.session has) before either rotates.
    assert first['marker'] == second['marker'] == marker
    outcomes = [rotate_each(first), rotate_each(second)]
    return {
        'outcomes': outcomes,
        'liveKeys': live_items_with_marker(marker),
        'oldKeyItem': raw_item(key) is not None,
        'firstKeyItem': first.session_key is not None and raw_item(first.session_key) is not None,
    }


def stale_rotation(alice, bob):
    return rotations_of_one_session(rotate)


def arotate(store):
    try:
        asyncio.run(store.acycle_key())
        return 'rotated'
    except Exception as error:  # noqa: BLE001 - the class name is the observation
        return type(error).__name__


def async_stale_rotation(alice, bob):
    """The same through acycle_key() (what Django 5's alogin() calls), run from asyncio."""
    return rotations_of_one_session(arotate)


def concurrent_rotation(alice, bob):
    """Two threads rotate the same session at the same moment, ROTATION_ROUNDS times."""
    rounds = []
    for _ in range(ROTATION_ROUNDS):
        marker = uuid.uuid4().hex
        key = new_session(marker)
        stores = [SessionStore(key), SessionStore(key)]
        for store in stores:
            assert store['marker'] == marker
        barrier = threading.Barrier(len(stores))
        outcomes = [None] * len(stores)

        def run(index):
            barrier.wait()
            outcomes[index] = rotate(stores[index])

        threads = [threading.Thread(target=run, args=(index,)) for index in range(len(stores))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        rounds.append({'outcomes': outcomes, 'liveKeys': live_items_with_marker(marker)})
    return {'rounds': rounds}


def ownership(alice, bob):
    client = client_with()
    client.post('/login', credentials(alice))
    key = cookie_of(client)
    as_bob = SessionStore(key, owner=bob.pk)
    as_alice = SessionStore(key, owner=alice.pk)
    loaded_as_bob = as_bob.load()
    loaded_as_alice = as_alice.load()
    # Alice's session data with the 'userId' attribute saying Bob (or missing): binding and data disagree.
    far = int(time.time()) + 3600
    mismatched = put_raw_session(alice, str(bob.pk), far)
    unbound = put_raw_session(alice, None, far)
    bound = put_raw_session(alice, str(alice.pk), far)
    # A custom login that writes the identity into the planted key instead of rotating it.
    attacker = client_with()
    attacker.get('/visit')
    planted = cookie_of(attacker)
    victim = client_with(planted)
    unrotated_status = victim.post('/login-without-rotation', credentials(alice)).status_code
    return {
        'loadedAsBob': sorted(loaded_as_bob),
        'keyAfterLoadAsBob': as_bob.session_key,
        'loadedAsAlice': loaded_as_alice.get('_auth_user_id'),
        'aliceId': str(alice.pk),
        'mismatchedOwnerIs': whoami(client_with(mismatched)),
        'missingOwnerIs': whoami(client_with(unbound)),
        'matchingOwnerIs': whoami(client_with(bound)),
        'loginWithoutRotationStatus': unrotated_status,
        'plantedKeyIsAfterLoginWithoutRotation': whoami(attacker),
        'plantedKeyOwnerAfterLoginWithoutRotation': raw_owner(planted),
    }


SCENARIOS = [
    fixation,
    logout_kills_key,
    expired_item_refused,
    keys_never_adopted,
    stale_rotation,
    async_stale_rotation,
    concurrent_rotation,
    ownership,
]


def main():
    call_command('migrate', verbosity=0)
    users = get_user_model().objects
    alice = users.create_user('alice', password=PASSWORD)
    bob = users.create_user('bob', password=PASSWORD)
    results = {'django': django.get_version(), 'backend': dynamodb_sessions.__file__}
    for scenario in SCENARIOS:
        try:
            results[scenario.__name__] = scenario(alice, bob)
        except Exception:  # noqa: BLE001 - reported to the test, which fails on it
            results[scenario.__name__] = {'error': traceback.format_exc()}
    json.dump(results, sys.stdout, indent=2, default=str)


main()
