"""REST API of the quarterly bulletins (read-only): ``GET recommendation-bulletins/`` and ``{id}/`` with its entries.

The viewset starts from :func:`cases.recommendations.bulletin_selectors.visible_to` (outside: 404). Filters:
``year``, ``quarter``, ``supervisor``, ``region`` (subtree), ``level``, ``search`` (the supervisor's name);
``ordering`` by period, supervisor or counts. Bulletins are made by the quarterly task, never through the API.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from cases.recommendations import bulletin_selectors as selectors
from cases.recommendations.bulletin_models import BulletinEntry, Reason, RecommendationBulletin
from cases.recommendations.models import JudicialRecommendation
from members.types import AuthenticatedRequest


class RecommendationBulletinEntrySerializer(serializers.ModelSerializer):
    reasons = serializers.SerializerMethodField(help_text="通报事由:late_reply、not_adopted、not_rectified、recurred")
    reply_outcome = serializers.ChoiceField(
        choices=JudicialRecommendation.Outcome.choices,
        allow_blank=True,
        read_only=True,
        help_text="采纳情况(空:未回复)",
    )
    visit_result = serializers.ChoiceField(
        choices=JudicialRecommendation.VisitResult.choices,
        allow_blank=True,
        read_only=True,
        help_text="回访结果(空:未回访)",
    )
    days_late = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="逾期日数:至回复之日,未回复的至季度末"
    )

    class Meta:
        model = BulletinEntry
        fields = [
            "id",
            "recommendation",
            "reasons",
            "number",
            "title",
            "court_name",
            "addressee_name",
            "issued_on",
            "reply_due",
            "replied_on",
            "days_late",
            "reply_outcome",
            "reply_reason",
            "rectification_due",
            "rectified_on",
            "visited_on",
            "visit_result",
            "recurrence_numbers",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=Reason.choices)))
    def get_reasons(self, obj: BulletinEntry) -> list[str]:
        return obj.reasons


class RecommendationBulletinSerializer(serializers.ModelSerializer):
    supervisor_name = serializers.CharField(source="supervisor.name", read_only=True)
    title = serializers.CharField(read_only=True, help_text="关于某年第某季度司法建议办理情况的通报")

    class Meta:
        model = RecommendationBulletin
        fields = [
            "id",
            "title",
            "supervisor",
            "supervisor_name",
            "year",
            "quarter",
            "period_start",
            "period_end",
            "issuer",
            "generated_at",
            "sent_at",
            "entry_count",
            "late_reply_count",
            "not_adopted_count",
            "not_rectified_count",
            "recurred_count",
            "region",
        ]
        read_only_fields = fields


class RecommendationBulletinDetailSerializer(RecommendationBulletinSerializer):
    entries = RecommendationBulletinEntrySerializer(many=True, read_only=True)

    class Meta(RecommendationBulletinSerializer.Meta):
        fields = [*RecommendationBulletinSerializer.Meta.fields, "entries"]
        read_only_fields = fields


class RecommendationBulletinViewSet(viewsets.ReadOnlyModelViewSet[RecommendationBulletin]):
    """司法建议季度通报: one per supervising authority and quarter, with the recommendations it lists."""

    request: AuthenticatedRequest

    serializer_class = RecommendationBulletinSerializer
    filterset_class = selectors.BulletinFilter
    ordering_fields = ["year", "quarter", "entry_count", "generated_at", "id"]
    ordering = ["-year", "-quarter", "-id"]

    def get_serializer_class(self) -> Any:
        return RecommendationBulletinDetailSerializer if self.action == "retrieve" else self.serializer_class

    def get_queryset(self) -> QuerySet[RecommendationBulletin]:
        qs = selectors.list_rows(selectors.visible_to(self.request.user))
        if self.action == "retrieve":
            qs = qs.prefetch_related("entries")
        return qs


def register(router: Any) -> None:
    router.register("recommendation-bulletins", RecommendationBulletinViewSet, basename="recommendation-bulletin")
