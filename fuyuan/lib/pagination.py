from typing import Any

from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request


class StandardPagination(PageNumberPagination):
    """`?page=N` with `{"count", "next", "previous", "results"}` as API.md says.

    A page that does not exist (``?page=0``, ``?page=-1``, ``?page=abc``, past the last page) is invalid
    input, 400 ``{"page": ["…"]}``, not DRF's 404: API.md keeps 404 for an object outside the user's scope.
    """

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound as exc:  # DRF raises it for an InvalidPage only
            raise ValidationError({self.page_query_param: [exc.detail]}) from exc
