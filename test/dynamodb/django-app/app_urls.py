"""Views of the test project: a page that starts a session, login, logout, and who-am-I."""

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, authenticate, login, logout
from django.http import JsonResponse
from django.urls import path


def visit(request):
    # Any page that stores something gives an anonymous visitor (the attacker) a session key.
    request.session['visits'] = request.session.get('visits', 0) + 1
    return JsonResponse({'visits': request.session['visits']})


def login_view(request):
    user = authenticate(request, username=request.POST['username'], password=request.POST['password'])
    if user is None:
        return JsonResponse({'error': 'bad credentials'}, status=403)
    login(request, user)
    return JsonResponse({'user': user.username})


def login_without_rotation_view(request):
    # The mistake the backend must refuse: the identity written into the session key the request came with.
    user = authenticate(request, username=request.POST['username'], password=request.POST['password'])
    if user is None:
        return JsonResponse({'error': 'bad credentials'}, status=403)
    request.session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    request.session[BACKEND_SESSION_KEY] = user.backend
    request.session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    return JsonResponse({'user': user.username})


def logout_view(request):
    logout(request)
    return JsonResponse({'user': None})


def whoami(request):
    user = request.user.username if request.user.is_authenticated else None
    return JsonResponse({'user': user, 'visits': request.session.get('visits')})


urlpatterns = [
    path('visit', visit),
    path('login', login_view),
    path('login-without-rotation', login_without_rotation_view),
    path('logout', logout_view),
    path('whoami', whoami),
]
