"""REST API of hearings (API.md ``hearings/``): GET, POST, PATCH, and the actions ``{id}/notify/``,
``{id}/answer/``, ``{id}/record/``, ``{id}/cancel/``.

The viewset starts from ``selectors.visible_to`` (outside: 404) and every write calls a service (refusals: 403
NotPermitted, 409 TransitionNotAllowed, 400 ValidationError, mapped by ``fuyuan.lib.api.exception_handler``).
Each object says what the reader may do with it now (``actions``: ``services.allowed_actions``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from attachments.api import AttachmentActions
from cases.hearings import selectors, services
from cases.hearings.filters import HearingFilter
from cases.hearings.models import Hearing
from fuyuan.lib.api import WriteViewSet
from members.models import MemberUnit, WorkTask
from members.types import AuthenticatedRequest


class AnswerSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    post = serializers.CharField(max_length=100)
    responsible_person = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class AppearanceSerializer(serializers.Serializer):
    appeared = serializers.ChoiceField(choices=Hearing.Appeared.choices)
    name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    post = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class HearingSerializer(serializers.ModelSerializer):
    court = serializers.PrimaryKeyRelatedField(
        queryset=MemberUnit.objects.filter(kind=MemberUnit.Kind.COURT),
        required=False,
        help_text="审理法院;只能是本院(默认)",
    )
    court_name = serializers.CharField(source="court.name", read_only=True)
    defendant = serializers.PrimaryKeyRelatedField(queryset=MemberUnit.objects.filter(active=True))
    defendant_name = serializers.CharField(source="defendant.name", read_only=True)
    tasks = serializers.PrimaryKeyRelatedField(queryset=WorkTask.objects.all(), many=True, required=False)
    answer = serializers.SerializerMethodField()
    appearance = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta:
        model = Hearing
        fields = [
            "id",
            "court",
            "court_name",
            "case_number",
            "defendant",
            "defendant_name",
            "summary",
            "hearing_at",
            "place",
            "tasks",
            "status",
            "notified_at",
            "answer",
            "appearance",
            "reported_at",
            "cancelled_at",
            "region",
            "created_at",
            "actions",
        ]
        read_only_fields = ["id", "status", "notified_at", "reported_at", "cancelled_at", "region", "created_at"]

    def get_answer(self, obj: Hearing) -> dict[str, Any] | None:
        if obj.answered_at is None:
            return None
        return {
            "name": obj.answer_name,
            "post": obj.answer_post,
            "responsible_person": obj.answer_responsible,
            "reason": obj.answer_reason,
            "answered_at": obj.answered_at,
        }

    def get_appearance(self, obj: Hearing) -> dict[str, Any] | None:
        if not obj.appeared:
            return None
        return {
            "appeared": obj.appeared,
            "name": obj.appeared_name,
            "post": obj.appeared_post,
            "responsible_person": obj.head_appeared,
            "recorded_at": obj.recorded_at,
        }

    def get_actions(self, obj: Hearing) -> list[str]:
        return sorted(services.allowed_actions(obj, self.context["request"].user))


class HearingViewSet(AttachmentActions, WriteViewSet[Hearing]):
    """负责人出庭应诉. PATCH edits drafts only; the lifecycle is driven by the POST actions."""

    request: AuthenticatedRequest

    serializer_class = HearingSerializer
    filterset_class = HearingFilter
    ordering_fields = ["hearing_at", "case_number", "status", "id"]
    ordering = ["-hearing_at", "-id"]

    def get_queryset(self) -> QuerySet[Hearing]:
        return selectors.list_rows(selectors.visible_to(self.request.user)).prefetch_related("tasks")

    def _respond(self, hearing: Hearing, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=hearing.pk)).data, status=code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        court = data.pop("court", None)
        if court is not None and court.pk != self.request.user.unit_id:
            raise serializers.ValidationError({"court": [_("只能以本院名义登记出庭应诉案件。")]})
        tasks = data.pop("tasks", None)
        hearing = services.hearing_create(by=self.request.user, tasks=tasks, **data)
        return self._respond(hearing, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        hearing = self.get_object()
        serializer = self.get_serializer(hearing, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        court = changes.pop("court", None)
        if court is not None and court.pk != hearing.court_id:
            raise serializers.ValidationError({"court": [_("审理法院不能修改。")]})
        services.hearing_update(hearing=hearing, by=self.request.user, changes=changes)
        return self._respond(hearing)

    @extend_schema(request=None, responses=HearingSerializer)
    @action(detail=True, methods=["post"])
    def notify(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        """出庭通知 to the defendant's liaisons (409 when the hearing time has passed)."""
        return self._respond(services.hearing_notify(hearing=self.get_object(), by=request.user))

    @extend_schema(request=AnswerSerializer, responses=HearingSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        """The defendant's liaisons: who will appear (``reason`` required when not a responsible person)."""
        hearing = self.get_object()
        body = AnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._respond(services.hearing_answer(hearing=hearing, by=request.user, **body.validated_data))

    @extend_schema(request=AppearanceSerializer, responses=HearingSerializer)
    @action(detail=True, methods=["post"])
    def record(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        """The court, after the hearing: who appeared (409 before the hearing time)."""
        hearing = self.get_object()
        body = AppearanceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._respond(services.hearing_record(hearing=hearing, by=request.user, **body.validated_data))

    @extend_schema(request=CancelSerializer, responses=HearingSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        hearing = self.get_object()
        body = CancelSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._respond(services.hearing_cancel(hearing=hearing, by=request.user, **body.validated_data))


def register(router: Any) -> None:
    router.register("hearings", HearingViewSet, basename="hearing")
