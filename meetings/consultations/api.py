"""REST API of consultations (API.md: consultations/): scope from ``visible_to``, writes through the services."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers
from rest_framework.serializers import BaseSerializer

from attachments.api import AttachmentActions
from fuyuan.lib.api import ScopedPrimaryKeyRelatedField
from meetings.consultations import selectors, services
from meetings.consultations.filters import ConsultationFilter
from meetings.consultations.models import Consultation
from meetings.meetings import selectors as meeting_selectors
from meetings.meetings.api import WriteViewSet
from members.models import MemberUnit, Region, WorkTask


class ConsultationSerializer(serializers.ModelSerializer):
    units = serializers.PrimaryKeyRelatedField(queryset=MemberUnit.objects.all(), many=True)
    tasks = serializers.PrimaryKeyRelatedField(queryset=WorkTask.objects.all(), many=True, required=False)
    # Where the consultation lives: its logging unit's region and that region's level (set by the services).
    region: serializers.PrimaryKeyRelatedField[Region] = serializers.PrimaryKeyRelatedField(read_only=True)
    level = serializers.CharField(read_only=True)
    meeting = ScopedPrimaryKeyRelatedField(scope=meeting_selectors.visible_to, required=False, allow_null=True)
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

    def to_representation(self, instance: Consultation) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not getattr(instance, "meeting_shown", False):  # ``selectors.with_meeting_shown``; a meeting out of
            data["meeting"] = None  # the reader's scope is not named, not even by its id
        return data


class ConsultationViewSet(AttachmentActions, WriteViewSet[Consultation]):
    serializer_class = ConsultationSerializer
    filterset_class = ConsultationFilter
    search_fields = ["topic", "case_number"]
    ordering_fields = ["held_on", "created_at", "id"]

    def get_queryset(self) -> QuerySet[Consultation]:
        return (
            selectors.with_meeting_shown(selectors.visible_to(self.request.user), self.request.user)
            .select_related("logging_unit")
            .prefetch_related("units", "tasks")
            .order_by("-held_on", "-id")
        )

    # The answer is read back through ``get_queryset``: the record as the reader sees it (``meeting_shown``).
    def perform_create(self, serializer: BaseSerializer[Consultation]) -> None:
        consultation = services.consultation_log(by=self.request.user, **serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=consultation.pk)

    def perform_update(self, serializer: BaseSerializer[Consultation]) -> None:
        current = serializer.instance
        assert current is not None  # an update: DRF built the serializer on get_object()
        consultation = services.consultation_update(
            consultation=current, by=self.request.user, **serializer.validated_data
        )
        serializer.instance = self.get_queryset().get(pk=consultation.pk)


def register(router: Any) -> None:
    router.register("consultations", ConsultationViewSet, basename="api-consultation")
