from typing import Any

from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from fuyuan.lib.listing import SEARCH_COUNT_CAP, DeepPaginator


class StandardPagination(PageNumberPagination):
    """`?page=N` with `{"count", "next", "previous", "results"}` as API.md says.

    A page that does not exist (``?page=0``, ``?page=-1``, ``?page=abc``, past the last page) is invalid
    input, 400 ``{"page": ["…"]}``, not DRF's 404: API.md keeps 404 for an object outside the user's scope.
    """

    page_size = 20
    request: Request | None = None
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound as exc:  # DRF raises it for an InvalidPage only
            raise ValidationError({self.page_query_param: [exc.detail]}) from exc


class DeepPagination(StandardPagination):
    """`?page=N` whose deep pages cost no more than the first (:class:`fuyuan.lib.listing.DeepPaginator`).

    A search (``?search=``) counts at most ``search_count_cap`` matches: the body then says
    ``"count_capped": true``, and ``next`` stays while the page is full, so the search can be paged
    to its end.
    """

    search_count_cap = SEARCH_COUNT_CAP

    # DRF declares ``django_paginator_class`` a class attribute; a method builds the paginator per request.
    def django_paginator_class(self, queryset: Any, page_size: int) -> DeepPaginator:  # type: ignore[override]
        searching = bool(self.request is not None and self.request.query_params.get("search"))
        return DeepPaginator(queryset, page_size, count_cap=self.search_count_cap if searching else None)

    def get_paginated_response(self, data: Any) -> Response:
        response = super().get_paginated_response(data)
        paginator = self.page.paginator if self.page is not None else None
        if isinstance(paginator, DeepPaginator) and paginator.count_capped:
            response.data["count_capped"] = True  # a search matching more than the cap: count says the cap
        return response
