"""REST API of legal opinions (API.md ``opinions/``): GET, POST, PATCH; ``{id}/answer/`` and ``{id}/withdraw/``.

Reads start from the scope (``selectors.visible_to``: outside it, 404); writes call the services, whose refusals
``fuyuan.lib.api.exception_handler`` maps to 409 (state: an opinion answered twice), 403 (side) or 400 (input).
A POST by a court's clerk is the court's offer (``offered``: ``requester`` required, optionally ``answer``);
anyone else's asks ``court``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from attachments.api import AttachmentActions
from cases.opinions import selectors, services
from cases.opinions.filters import OpinionFilter
from cases.opinions.models import Opinion
from fuyuan.lib.api import WriteViewSet
from members.models import MemberUnit, WorkTask
from members.types import AuthenticatedRequest


class OpinionSerializer(serializers.ModelSerializer):
    requester = serializers.PrimaryKeyRelatedField(
        queryset=MemberUnit.objects.filter(active=True),
        required=False,
        help_text="咨询单位;联络员为本单位,办公室可选本级或下级单位,法院主动提供时必填",
    )
    requester_name = serializers.CharField(source="requester.name", read_only=True)
    court = serializers.PrimaryKeyRelatedField(
        queryset=MemberUnit.objects.filter(active=True, kind=MemberUnit.Kind.COURT),
        required=False,
        help_text="答复法院;法院主动提供时为本院",
    )
    court_name = serializers.CharField(source="court.name", read_only=True)
    tasks = serializers.PrimaryKeyRelatedField(queryset=WorkTask.objects.all(), many=True, required=False)
    due = serializers.DateField(required=False, help_text="答复期限;默认为提出之日起 15 个工作日")
    answer = serializers.CharField(
        required=False, allow_blank=True, help_text="法院主动提供时可一并填写答复意见(其他情况只读)"
    )
    answered_by_name = serializers.CharField(
        source="answered_by.display_name", read_only=True, allow_null=True, default=None
    )
    overdue = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta:
        model = Opinion
        fields = [
            "id",
            "requester",
            "requester_name",
            "court",
            "court_name",
            "kind",
            "offered",
            "subject",
            "question",
            "document_title",
            "document_number",
            "tasks",
            "requested_at",
            "requested_on",
            "due",
            "status",
            "overdue",
            "answer",
            "answered_at",
            "answered_by_name",
            "withdrawn_at",
            "withdraw_reason",
            "escalated_at",
            "region",
            "actions",
        ]
        read_only_fields = [
            "id",
            "offered",
            "requested_at",
            "requested_on",
            "status",
            "answered_at",
            "withdrawn_at",
            "withdraw_reason",
            "escalated_at",
            "region",
        ]

    def get_overdue(self, obj: Opinion) -> bool:
        return obj.overdue

    def get_actions(self, obj: Opinion) -> list[str]:
        return sorted(services.allowed_actions(obj, self.context["request"].user))


@extend_schema_serializer(component_name="OpinionAnswer")
class AnswerSerializer(serializers.Serializer):
    # Checked by the service after the side and the state: a second answer is 409 whatever its text.
    answer = serializers.CharField(required=False, allow_blank=True, default="")


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class OpinionViewSet(AttachmentActions, WriteViewSet[Opinion]):
    """咨询意见. PATCH edits a request while it waits; the court answers with ``answer/``."""

    request: AuthenticatedRequest

    serializer_class = OpinionSerializer
    filterset_class = OpinionFilter
    ordering_fields = ["requested_on", "due", "status", "id"]

    def get_queryset(self) -> QuerySet[Opinion]:
        return (
            selectors.list_rows(selectors.visible_to(self.request.user))
            .select_related("answered_by")
            .prefetch_related("tasks")
            .order_by("-requested_on", "-id")
        )

    def _done(self, opinion: Opinion, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=opinion.pk)).data, status=code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        user = self.request.user
        common = {
            "by": user,
            "kind": data.get("kind", Opinion.Kind.LEGAL_QUESTION),
            "subject": data.get("subject", ""),
            "question": data.get("question", ""),
            "document_title": data.get("document_title", ""),
            "document_number": data.get("document_number", ""),
            "due": data.get("due"),
            "tasks": data.get("tasks"),
        }
        if services.can_offer(user):
            court = data.get("court")
            if court is not None and court.pk != user.unit_id:
                raise serializers.ValidationError({"court": [_("只能以本院名义主动提供意见。")]})
            if data.get("requester") is None:
                raise serializers.ValidationError({"requester": [_("请选择咨询单位。")]})
            opinion = services.opinion_offer(requester=data["requester"], answer=data.get("answer", ""), **common)
        else:
            if data.get("answer"):
                raise serializers.ValidationError({"answer": [_("答复意见由法院填写。")]})
            opinion = services.opinion_request(court=data.get("court"), requester=data.get("requester"), **common)
        return self._done(opinion, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        opinion = self.get_object()
        serializer = self.get_serializer(opinion, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        if "requester" in changes and changes.pop("requester") != opinion.requester:
            raise serializers.ValidationError({"requester": [_("咨询单位不能修改。")]})
        if "answer" in changes:
            raise serializers.ValidationError({"answer": [_("请用 answer/ 答复。")]})
        services.opinion_update(opinion=opinion, by=self.request.user, changes=changes, now=timezone.now())
        return self._done(opinion)

    @extend_schema(request=AnswerSerializer, responses=OpinionSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        """The court's answer, once (a second answer: 409, nothing changes)."""
        opinion = self.get_object()
        body = AnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        answer = body.validated_data["answer"]
        return self._done(services.opinion_answer(opinion=opinion, by=request.user, answer=answer))

    @extend_schema(request=WithdrawSerializer, responses=OpinionSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        opinion = self.get_object()
        body = WithdrawSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._done(
            services.opinion_withdraw(opinion=opinion, by=request.user, reason=body.validated_data["reason"])
        )
