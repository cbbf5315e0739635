from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    """`?page=N` with `{"count", "next", "previous", "results"}` as API.md says."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 200
