"""``GET /api/v1/search/?q=``: the header search as JSON (search.selectors)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from search import selectors


class HitSerializer(serializers.Serializer):
    title = serializers.CharField()
    detail = serializers.CharField(help_text="number, case number, units, dates")
    url = serializers.CharField(help_text="the record's page")


class LinkSerializer(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    url = serializers.CharField(help_text="the kind's list page filtered by the term")


class GroupSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=selectors.KIND_CODES)
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    count = serializers.IntegerField(help_text=f"matching records, at most {selectors.COUNT_CAP}")
    capped = serializers.BooleanField(help_text=f"more than {selectors.COUNT_CAP} match")
    timed_out = serializers.BooleanField(help_text="the term was too short to search this kind in time: no results")
    results = HitSerializer(many=True, source="hits")
    links = LinkSerializer(many=True)


class SearchResultSerializer(serializers.Serializer):
    q = serializers.CharField(help_text="the term as searched (trimmed, at most 100 characters)")
    groups = GroupSerializer(many=True)


class SearchView(APIView):
    """Recommendations, referrals, meetings, consultations, decisions, library documents and units matching
    ``q`` (文号, 案号, title or text), each within the caller's scope: the newest five of each kind and a count
    (capped)."""

    @extend_schema(
        tags=["search"],
        parameters=[OpenApiParameter("q", str, required=False, description="the term (empty: no groups)")],
        responses=SearchResultSerializer,
    )
    def get(self, request: Request) -> Response:
        term = selectors.clean_term(request.query_params.get("q"))
        groups: list[Any] = selectors.search(user=request.user, term=term)  # type: ignore[arg-type]
        return Response(SearchResultSerializer({"q": term, "groups": groups}).data)
