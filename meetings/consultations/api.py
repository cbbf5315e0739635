"""REST API of consultations (API.md: consultations/): scope from ``visible_to``, writes through the services."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers
from rest_framework.serializers import BaseSerializer

from meetings.consultations import selectors, services
from meetings.consultations.filters import ConsultationFilter
from meetings.consultations.models import Consultation
from meetings.meetings import selectors as meeting_selectors
from meetings.meetings.api import WriteViewSet
from meetings.meetings.models import Meeting
from members.models import MemberUnit, Region, WorkTask


class ConsultationSerializer(serializers.ModelSerializer):
    units = serializers.PrimaryKeyRelatedField(queryset=MemberUnit.objects.all(), many=True)
    tasks = serializers.PrimaryKeyRelatedField(queryset=WorkTask.objects.all(), many=True, required=False)
    region = serializers.PrimaryKeyRelatedField(queryset=Region.objects.all(), required=False, allow_null=True)
    meeting = serializers.PrimaryKeyRelatedField(queryset=Meeting.objects.all(), required=False, allow_null=True)
    logging_unit_name = serializers.CharField(source="logging_unit.name", read_only=True, allow_null=True)

    class Meta:
        model = Consultation
        fields = [
            "id",
            "topic_kind",
            "held_on",
            "units",
            "level",
            "region",
            "topic",
            "case_number",
            "tasks",
            "outcome",
            "follow_up",
            "meeting",
            "logging_unit",
            "logging_unit_name",
            "created_at",
        ]
        read_only_fields = ["id", "logging_unit", "created_at"]

    def validate_meeting(self, value: Meeting | None) -> Meeting | None:
        request = self.context["request"]
        if value is not None and not meeting_selectors.visible_to(request.user).filter(pk=value.pk).exists():
            raise serializers.ValidationError("无效的会议。")
        return value


class ConsultationViewSet(WriteViewSet[Consultation]):
    serializer_class = ConsultationSerializer
    filterset_class = ConsultationFilter
    search_fields = ["topic", "case_number"]
    ordering_fields = ["held_on", "created_at", "id"]

    def get_queryset(self) -> QuerySet[Consultation]:
        return (
            selectors.visible_to(self.request.user)
            .select_related("logging_unit")
            .prefetch_related("units", "tasks")
            .order_by("-held_on", "-id")
        )

    def perform_create(self, serializer: BaseSerializer[Consultation]) -> None:
        serializer.instance = services.consultation_log(by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer: BaseSerializer[Consultation]) -> None:
        consultation = serializer.instance
        assert consultation is not None  # an update: DRF built the serializer on get_object()
        serializer.instance = services.consultation_update(
            consultation=consultation, by=self.request.user, **serializer.validated_data
        )


def register(router: Any) -> None:
    router.register("consultations", ConsultationViewSet, basename="api-consultation")
