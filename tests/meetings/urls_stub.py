"""Until the members pages land on this branch, base.html's links need these names (tests only)."""

from django.http import HttpResponse
from django.urls import include, path


def _stub(request):  # type: ignore[no-untyped-def]
    return HttpResponse("")


urlpatterns = [
    path("__stub/home/", _stub, name="home"),
    path("__stub/inbox/", _stub, name="inbox"),
    path("__stub/profile/", _stub, name="profile"),
    path("", include("fuyuan.urls")),
]
