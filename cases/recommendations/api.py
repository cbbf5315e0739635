"""REST API of judicial recommendations (API.md ``recommendations/``).

Reads start from the scope selector (outside it: 404); writes and actions call the services,
whose refusals the project's exception handler turns into 409 (status), 403 (role) or 400 (input).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from cases.recommendations import selectors, services
from cases.recommendations.models import JudicialRecommendation, RecommendationAttachment
from fuyuan.lib.pagination import DeepPagination
from fuyuan.lib.uploads import CONTENT_TYPES
from members.models import MemberUnit, WorkTask
from members.types import AuthenticatedRequest

Outcome = JudicialRecommendation.Outcome


@extend_schema_field(
    {"type": "string", "enum": list(Outcome.values), "description": "adopted | partly_adopted | not_adopted"}
)
class OutcomeField(serializers.ChoiceField):
    """Described inline in the schema: the referrals' ``outcome`` is another set of codes."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Outcome.choices, **kwargs)


class RecommendationReplySerializer(serializers.Serializer):
    outcome = OutcomeField()
    content = serializers.CharField()
    measures = serializers.CharField(required=False, allow_blank=True, default="")
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Required when outcome is not_adopted."
    )
    replied_at = serializers.DateTimeField(read_only=True)


class RecommendationAttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = RecommendationAttachment
        fields = ["id", "part", "name", "content_type", "size", "uploaded_at"]
        read_only_fields = fields


class RecommendationSerializer(serializers.ModelSerializer):
    court = serializers.PrimaryKeyRelatedField(
        queryset=MemberUnit.objects.filter(kind=MemberUnit.Kind.COURT),
        required=False,
        help_text="The issuing court; defaults to (and must be) the clerk's own court.",
    )
    court_name = serializers.CharField(source="court.name", read_only=True)
    addressee = serializers.PrimaryKeyRelatedField(queryset=MemberUnit.objects.all())
    addressee_name = serializers.CharField(source="addressee.name", read_only=True)
    copy_to = serializers.PrimaryKeyRelatedField(queryset=MemberUnit.objects.all(), many=True, required=False)
    supervisor = serializers.PrimaryKeyRelatedField(
        queryset=MemberUnit.objects.all(),
        required=False,
        allow_null=True,
        help_text="主管部门; defaults from the addressee's supervising authority.",
    )
    supervisor_name = serializers.CharField(source="supervisor.name", read_only=True, allow_null=True)
    tasks = serializers.PrimaryKeyRelatedField(queryset=WorkTask.objects.all(), many=True, required=False)
    overdue = serializers.SerializerMethodField()
    reply = serializers.SerializerMethodField()
    attachments = RecommendationAttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = JudicialRecommendation
        fields = [
            "id",
            "number",
            "year",
            "court",
            "court_name",
            "case_number",
            "addressee",
            "addressee_name",
            "copy_to",
            "supervisor",
            "supervisor_name",
            "tasks",
            "category",
            "title",
            "problem",
            "recommendation",
            "issued_on",
            "acknowledged_at",
            "reply_due",
            "status",
            "overdue",
            "escalated_at",
            "reply",
            "assessment",
            "closed_at",
            "withdrawn_at",
            "withdraw_reason",
            "reminders_sent",
            "attachments",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "year",
            "acknowledged_at",
            "status",
            "escalated_at",
            "assessment",
            "closed_at",
            "withdrawn_at",
            "withdraw_reason",
            "reminders_sent",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"number": {"required": False}, "issued_on": {"required": False}}
        validators: list[Any] = []  # the service checks the 文号 per court and year, and says so in Chinese

    def get_overdue(self, obj: JudicialRecommendation) -> bool:
        return obj.overdue

    @extend_schema_field(RecommendationReplySerializer(allow_null=True))
    def get_reply(self, obj: JudicialRecommendation) -> dict[str, Any] | None:
        if obj.replied_at is None:
            return None
        return {
            "outcome": obj.reply_outcome,
            "content": obj.reply_content,
            "measures": obj.reply_measures,
            "reason": obj.reply_reason,
            "replied_at": serializers.DateTimeField().to_representation(obj.replied_at),
        }


class RecommendationIssueSerializer(serializers.Serializer):
    issued_on = serializers.DateField(required=False, allow_null=True, help_text="Defaults to today.")


class RecommendationCloseSerializer(serializers.Serializer):
    assessment = serializers.CharField(required=False, allow_blank=True, default="")


class RecommendationWithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class RecommendationUploadSerializer(serializers.Serializer):
    files = serializers.ListField(child=serializers.FileField(), allow_empty=False)


FILTER_PARAMETERS = [
    OpenApiParameter("status", OpenApiTypes.STR, enum=JudicialRecommendation.Status.values),
    OpenApiParameter("court", OpenApiTypes.INT),
    OpenApiParameter("addressee", OpenApiTypes.INT),
    OpenApiParameter("supervisor", OpenApiTypes.INT),
    OpenApiParameter("task", OpenApiTypes.INT),
    OpenApiParameter("year", OpenApiTypes.INT),
    OpenApiParameter("overdue", OpenApiTypes.BOOL),
    OpenApiParameter("escalated", OpenApiTypes.BOOL),
    OpenApiParameter("region", OpenApiTypes.INT, description="区划 id:该区划及下级"),
    OpenApiParameter("level", OpenApiTypes.STR, enum=["province", "city", "county"], description="所在层级"),
    OpenApiParameter("search", OpenApiTypes.STR, description="文号, 案号, title, unit names"),
    OpenApiParameter(
        "ordering",
        OpenApiTypes.STR,
        description="One of " + ", ".join(sorted(selectors.SORTS)) + "; prefix '-' for descending.",
    ),
]


class RecommendationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[JudicialRecommendation],
):
    """司法建议. PATCH edits drafts only; the lifecycle is driven by the POST actions."""

    request: AuthenticatedRequest

    serializer_class = RecommendationSerializer
    pagination_class = DeepPagination
    filter_backends: list[Any] = []  # the one FilterSet of cases.recommendations.filters serves pages and API
    http_method_names = ["get", "post", "patch", "head", "options"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[JudicialRecommendation]:
        """The user's scope with what a record shows (the list filters and pages ids first, see ``list``)."""
        return selectors.list_rows(selectors.visible_to(self.request.user)).prefetch_related(
            "copy_to", "tasks", "attachments"
        )

    def _fresh(self, pk: int) -> JudicialRecommendation:
        return self.get_queryset().get(pk=pk)

    def _respond(self, rec: JudicialRecommendation, status: int = 200) -> Response:
        return Response(self.get_serializer(self._fresh(rec.pk)).data, status=status)

    @extend_schema(parameters=FILTER_PARAMETERS)
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # Sort and page the bare ids (an index walk at any page), then read the page's rows with joins.
        sort = request.query_params.get("ordering", selectors.DEFAULT_SORT)
        ids = (
            selectors.filtered(self.request.user, request.query_params)
            .only("pk")
            .order_by(*selectors.order_clause(sort))
        )
        page = self.paginate_queryset(ids)
        wanted = [row.pk for row in (page if page is not None else ids)]
        rows = {row.pk: row for row in self.get_queryset().filter(pk__in=wanted)}
        data = self.get_serializer([rows[pk] for pk in wanted if pk in rows], many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        court = data.pop("court", None)
        if court is not None and court.pk != self.request.user.unit_id:
            raise serializers.ValidationError({"court": [_("只能以本院名义起草司法建议。")]})
        rec = services.recommendation_create(by=self.request.user, **data)
        return self._respond(rec, status=201)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rec = self.get_object()
        serializer = self.get_serializer(rec, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        court = changes.pop("court", None)
        if court is not None and court.pk != rec.court_id:
            raise serializers.ValidationError({"court": [_("发出法院不能修改。")]})
        services.recommendation_update(recommendation=rec, by=self.request.user, changes=changes)
        return self._respond(rec)

    @extend_schema(request=RecommendationIssueSerializer, responses=RecommendationSerializer)
    @action(detail=True, methods=["post"])
    def issue(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        rec = self.get_object()
        body = RecommendationIssueSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.recommendation_issue(
            recommendation=rec, by=request.user, issued_on=body.validated_data.get("issued_on")
        )
        return self._respond(rec)

    @extend_schema(request=None, responses=RecommendationSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        rec = self.get_object()
        services.recommendation_acknowledge(recommendation=rec, by=request.user)
        return self._respond(rec)

    @extend_schema(request=RecommendationReplySerializer, responses=RecommendationSerializer)
    @action(detail=True, methods=["post"])
    def reply(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        rec = self.get_object()
        body = RecommendationReplySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.recommendation_reply(recommendation=rec, by=request.user, **body.validated_data)
        return self._respond(rec)

    @extend_schema(request=RecommendationCloseSerializer, responses=RecommendationSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        rec = self.get_object()
        body = RecommendationCloseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.recommendation_close(recommendation=rec, by=request.user, **body.validated_data)
        return self._respond(rec)

    @extend_schema(request=RecommendationWithdrawSerializer, responses=RecommendationSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        rec = self.get_object()
        body = RecommendationWithdrawSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.recommendation_withdraw(recommendation=rec, by=request.user, **body.validated_data)
        return self._respond(rec)

    @extend_schema(request=None, responses=RecommendationSerializer, description="Office only: remind the addressee.")
    @action(detail=True, methods=["post"])
    def remind(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        rec = self.get_object()
        services.recommendation_remind(recommendation=rec, by=request.user)
        return self._respond(rec)

    @extend_schema(
        request={"multipart/form-data": RecommendationUploadSerializer},
        responses={201: RecommendationAttachmentSerializer(many=True)},
    )
    @action(detail=True, methods=["post"], url_path="attachments", pagination_class=None)
    def upload(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """Add files: the court while drafting, the addressee with its reply (type checked by content)."""
        rec = self.get_object()
        files = request.FILES.getlist("files")
        if not files:
            raise serializers.ValidationError({"files": [_("请选择要上传的文件。")]})
        stored = services.recommendation_add_attachments(recommendation=rec, by=request.user, files=files)
        return Response(RecommendationAttachmentSerializer(stored, many=True).data, status=201)

    @extend_schema(responses={(200, media_type): OpenApiTypes.BINARY for media_type in CONTENT_TYPES.values()})
    @action(detail=True, methods=["get"], url_path=r"attachments/(?P<attachment_id>\d+)")
    def download(
        self, request: AuthenticatedRequest, pk: str | None = None, attachment_id: str | None = None
    ) -> FileResponse:
        rec = self.get_object()
        try:
            attachment = rec.attachments.get(pk=int(attachment_id or 0))
        except RecommendationAttachment.DoesNotExist as exc:
            raise Http404 from exc
        response = FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.name,
            content_type=attachment.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response
