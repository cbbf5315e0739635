"""REST API of judicial recommendations (API.md ``recommendations/``).

Reads start from the scope selector (outside it: 404); writes and actions call the services,
whose refusals the project's exception handler turns into 409 (status), 403 (role) or 400 (input).
The follow-through of issue 17 (核稿签发, 送达回证, 整改, 回访) is driven by its own actions:
``{id}/submit/``, ``{id}/approve/``, ``{id}/send-back/``, ``{id}/mark-delivered/``, ``{id}/rectified/``,
``{id}/schedule-visit/`` and ``{id}/visit/`` (:mod:`cases.recommendations.approval` and ``followup``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from attachments import selectors as attachment_selectors
from attachments.api import AttachmentActions
from cases.recommendations import approval, documents, followup, selectors, services
from cases.recommendations.models import JudicialRecommendation
from cases.recommendations.serializers import (
    RecommendationApproveSerializer,
    RecommendationCloseSerializer,
    RecommendationDeliveredSerializer,
    RecommendationIssueSerializer,
    RecommendationRectifiedSerializer,
    RecommendationReplySerializer,
    RecommendationScheduleVisitSerializer,
    RecommendationSendBackSerializer,
    RecommendationSerializer,
    RecommendationVisitRecordSerializer,
    RecommendationWithdrawSerializer,
)
from fuyuan.lib.gongwen import docx_response, render_docx
from fuyuan.lib.pagination import DeepPagination
from members.types import AuthenticatedRequest

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
    AttachmentActions,
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
        return (
            selectors.list_rows(selectors.visible_to(self.request.user))
            .select_related("submitted_by", "approved_by")
            .prefetch_related(
                "copy_to",
                "tasks",
                attachment_selectors.prefetch(),
                Prefetch("recurrence_of", queryset=JudicialRecommendation.objects.only("pk").order_by("pk")),
            )
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

    @extend_schema(
        request=None,
        responses=RecommendationSerializer,
        description="提交核稿: a clerk of the court sends a complete draft to its signers (where approval is on).",
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        rec = self.get_object()
        approval.recommendation_submit(recommendation=rec, by=request.user)
        return self._respond(rec)

    @extend_schema(
        request=RecommendationApproveSerializer,
        responses=RecommendationSerializer,
        description="签发: a signer of the court, other than the one who submitted the draft, approves it.",
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        rec = self.get_object()
        body = RecommendationApproveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        approval.recommendation_approve(recommendation=rec, by=request.user, **body.validated_data)
        return self._respond(rec)

    @extend_schema(
        request=RecommendationSendBackSerializer,
        responses=RecommendationSerializer,
        description="退回修改: a signer sends the draft back to the drafter with comments (draft again).",
    )
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        rec = self.get_object()
        body = RecommendationSendBackSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        approval.recommendation_send_back(recommendation=rec, by=request.user, **body.validated_data)
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

    @extend_schema(
        request=RecommendationDeliveredSerializer,
        responses=RecommendationSerializer,
        description="纸质送达: the court records the date on the paper receipt; the reply clock starts from it.",
    )
    @action(detail=True, methods=["post"], url_path="mark-delivered")
    def mark_delivered(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        rec = self.get_object()
        body = RecommendationDeliveredSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        followup.recommendation_mark_delivered(recommendation=rec, by=request.user, **body.validated_data)
        return self._respond(rec)

    @extend_schema(
        request=RecommendationRectifiedSerializer,
        responses=RecommendationSerializer,
        description="整改完成: a liaison of the addressee reports the rectification done.",
    )
    @action(detail=True, methods=["post"])
    def rectified(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        rec = self.get_object()
        body = RecommendationRectifiedSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        followup.recommendation_rectified(recommendation=rec, by=request.user, **body.validated_data)
        return self._respond(rec)

    @extend_schema(
        request=RecommendationScheduleVisitSerializer,
        responses=RecommendationSerializer,
        description="安排回访: the court plans its follow-up visit; its clerks are reminded that day.",
    )
    @action(detail=True, methods=["post"], url_path="schedule-visit")
    def schedule_visit(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        rec = self.get_object()
        body = RecommendationScheduleVisitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        followup.recommendation_schedule_visit(recommendation=rec, by=request.user, **body.validated_data)
        return self._respond(rec)

    @extend_schema(
        request=RecommendationVisitRecordSerializer,
        responses=RecommendationSerializer,
        description=(
            "回访: the court records what it found, after the rectification deadline (before it only with early). "
            "not_rectified is reported to the supervising authority and the office (通报)."
        ),
    )
    @action(detail=True, methods=["post"])
    def visit(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        rec = self.get_object()
        body = RecommendationVisitRecordSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        followup.recommendation_visit(recommendation=rec, by=request.user, **body.validated_data)
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

    # --- 公文 (issue 18): GET {id}/docx/ the 司法建议书, {id}/reply-docx/ the 回复函 (404 before a reply) ---
    def _official_docx(self, pk: str | None, *, reply: bool) -> HttpResponse:
        rec = get_object_or_404(documents.queryset(self.request.user), pk=int(pk or 0))
        try:
            doc = documents.reply_letter(rec) if reply else documents.recommendation_document(rec)
        except documents.NoReply as exc:
            raise Http404(_("收文单位尚未回复,还没有回复函。")) from exc
        return docx_response(render_docx(doc), doc.filename)

    @extend_schema(
        responses={
            (200, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"): OpenApiTypes.BINARY
        }
    )
    @action(detail=True, methods=["get"], url_path="docx", filter_backends=[], pagination_class=None)
    def docx(self, request: AuthenticatedRequest, pk: str | None = None) -> HttpResponse:
        """司法建议书 (GB/T 9704-2012 .docx)."""
        return self._official_docx(pk, reply=False)

    @extend_schema(
        responses={
            (200, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"): OpenApiTypes.BINARY
        }
    )
    @action(detail=True, methods=["get"], url_path="reply-docx", filter_backends=[], pagination_class=None)
    def reply_docx(self, request: AuthenticatedRequest, pk: str | None = None) -> HttpResponse:
        """回复函 of the addressee (GB/T 9704-2012 .docx); 404 while there is no reply."""
        return self._official_docx(pk, reply=True)
