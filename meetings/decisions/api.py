"""REST API of decisions (API.md: decisions/): scope from ``visible_to``, writes through the services."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_serializer, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from fuyuan.lib.api import ScopedPrimaryKeyRelatedField
from meetings.decisions import selectors, services
from meetings.decisions.filters import DecisionFilter
from meetings.decisions.models import Decision
from meetings.meetings import selectors as meeting_selectors
from meetings.meetings.api import WriteViewSet
from members.models import MemberUnit
from members.types import AuthenticatedRequest


class DecisionSerializer(serializers.ModelSerializer):
    meeting = ScopedPrimaryKeyRelatedField(scope=meeting_selectors.visible_to)
    meeting_title = serializers.CharField(source="meeting.title", read_only=True)
    owner_unit = serializers.PrimaryKeyRelatedField(queryset=MemberUnit.objects.all())
    owner_unit_name = serializers.CharField(source="owner_unit.name", read_only=True)
    supporting_units = serializers.PrimaryKeyRelatedField(queryset=MemberUnit.objects.all(), many=True, required=False)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Decision
        fields = [
            "id",
            "meeting",
            "meeting_title",
            "text",
            "owner_unit",
            "owner_unit_name",
            "supporting_units",
            "due",
            "status",
            "overdue",
            "region",
            "done_at",
            "done_note",
            "created_at",
        ]
        read_only_fields = ["id", "status", "done_at", "done_note", "created_at", "region"]

    def to_representation(self, instance: Decision) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not getattr(instance, "meeting_shown", True):  # ``selectors.with_meeting_shown``: a meeting out of
            data["meeting"] = data["meeting_title"] = None  # the reader's scope is not named, not even by its id
        return data

    def get_overdue(self, obj: Decision) -> bool:
        return obj.overdue_on(self.context.get("today") or timezone.localdate())


@extend_schema_serializer(component_name="DecisionNote")
class NoteSerializer(serializers.Serializer):
    note = serializers.CharField()


class DecisionViewSet(WriteViewSet[Decision]):
    serializer_class = DecisionSerializer
    filterset_class = DecisionFilter
    search_fields = ["text"]
    ordering_fields = ["due", "created_at", "id"]

    def get_queryset(self) -> QuerySet[Decision]:
        return (
            selectors.with_meeting_shown(selectors.visible_to(self.request.user), self.request.user)
            .select_related("meeting", "owner_unit")
            .prefetch_related("supporting_units")
            .order_by("status", "due", "id")
        )

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    def perform_create(self, serializer: BaseSerializer[Decision]) -> None:
        data = dict(serializer.validated_data)
        serializer.instance = services.decision_add(by=self.request.user, **data)

    def perform_update(self, serializer: BaseSerializer[Decision]) -> None:
        data = dict(serializer.validated_data)
        data.pop("meeting", None)
        decision = serializer.instance
        assert decision is not None  # an update: DRF built the serializer on get_object()
        serializer.instance = services.decision_update(decision=decision, by=self.request.user, **data)

    @extend_schema(request=NoteSerializer, responses=DecisionSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        decision = self.get_object()
        body = NoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        decision = services.decision_complete(decision=decision, by=request.user, note=body.validated_data["note"])
        return Response(self.get_serializer(self.get_queryset().get(pk=decision.pk)).data)

    @extend_schema(
        request=NoteSerializer,
        responses={
            201: inline_serializer(
                "DecisionProgressOut", {"id": serializers.IntegerField(), "note": serializers.CharField()}
            )
        },
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser, MultiPartParser, FormParser])
    def progress(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        decision = self.get_object()
        body = NoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        entry = services.decision_add_progress(
            decision=decision,
            by=request.user,
            note=body.validated_data["note"],
            attachments=request.FILES.getlist("files"),
        )
        return Response({"id": entry.pk, "note": entry.note}, status=status.HTTP_201_CREATED)


def register(router: Any) -> None:
    router.register("decisions", DecisionViewSet, basename="api-decision")
