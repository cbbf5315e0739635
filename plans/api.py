"""REST API of the year's work plan (API.md: plans/, plan-items/, supervisions/).

Every viewset starts from its selector (``plans_visible_to``, ``visible_to``, ``supervisions_visible_to``:
outside it, 404) and every write calls a service of ``plans.services`` (refusals: 403 NotPermitted, 409
TransitionNotAllowed, 400 ValidationError, mapped by ``fuyuan.lib.api.exception_handler``). Each object says
what the reader may do with it now (``actions``: the services' ``plan_actions``/``allowed_actions``/
``supervision_actions``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from attachments.api import AttachmentSerializer
from fuyuan.lib.api import ScopedPrimaryKeyRelatedField, WriteViewSet
from fuyuan.lib.gongwen import docx_response, render_docx
from members.levels import province
from members.models import MemberUnit, Region, WorkTask
from members.types import AuthenticatedRequest
from plans import documents, selectors, services
from plans.filters import PlanFilter, PlanItemFilter, SupervisionFilter
from plans.models import Plan, PlanItem, PlanMilestone, PlanProgress, Supervision


def _count(qs: QuerySet[Any], outer: str) -> Coalesce:
    """How many rows of ``qs`` belong to the outer row (``outer``: the field pointing at it), as a subquery."""
    rows = qs.filter(**{outer: OuterRef("pk")}).order_by().values(outer).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def _user(serializer: serializers.Field) -> Any:
    return serializer.context["request"].user


# --- plans/ ----------------------------------------------------------------------------------------------


class PlanSerializer(serializers.ModelSerializer):
    region = serializers.PrimaryKeyRelatedField(
        queryset=Region.objects.all(), required=False, help_text="层级区划;默认为办公室所在区划"
    )
    region_name = serializers.CharField(source="region.name", read_only=True)
    level = serializers.CharField(source="region.level", read_only=True)
    items_total = serializers.IntegerField(read_only=True)
    items_done = serializers.IntegerField(read_only=True, help_text="已报完成、待验收的事项数")
    items_accepted = serializers.IntegerField(read_only=True)
    items_overdue = serializers.IntegerField(read_only=True)
    actions = serializers.SerializerMethodField()

    class Meta:
        model = Plan
        fields = [
            "id",
            "year",
            "region",
            "region_name",
            "level",
            "title",
            "status",
            "published_at",
            "created_at",
            "items_total",
            "items_done",
            "items_accepted",
            "items_overdue",
            "actions",
        ]
        read_only_fields = ["id", "status", "published_at", "created_at"]
        extra_kwargs = {"title": {"required": False, "allow_blank": True}}
        validators: list[Any] = []  # one plan per year and region: the service says so, in Chinese

    def get_actions(self, obj: Plan) -> list[str]:
        return sorted(services.plan_actions(obj, _user(self)))


class PlanViewSet(WriteViewSet[Plan]):
    """年度工作要点: the office of a level drafts (POST), retitles (PATCH) and publishes its year's plan."""

    request: AuthenticatedRequest

    serializer_class = PlanSerializer
    filterset_class = PlanFilter
    search_fields = ["title"]
    ordering_fields = ["year", "created_at", "id"]

    def get_queryset(self) -> QuerySet[Plan]:
        items = PlanItem.objects.all()
        return (
            selectors.plans_visible_to(self.request.user)
            .select_related("region")
            .annotate(
                items_total=_count(items, "plan"),
                items_done=_count(items.filter(status=PlanItem.Status.DONE), "plan"),
                items_accepted=_count(items.filter(status=PlanItem.Status.ACCEPTED), "plan"),
                items_overdue=_count(PlanItem.objects.overdue(), "plan"),
            )
            .order_by("-year", "region__code", "id")
        )

    def _done(self, plan: Plan, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=plan.pk)).data, status=code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        region = data.get("region") or services.office_region(self.request.user) or province()
        plan = services.plan_create(by=self.request.user, year=data["year"], region=region, title=data.get("title", ""))
        return self._done(plan, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = self.get_object()
        serializer = self.get_serializer(plan, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        title = serializer.validated_data.get("title", plan.title)  # the year and the region never move
        return self._done(services.plan_update(plan=plan, by=self.request.user, title=title))  # an empty PATCH too

    @extend_schema(request=None, responses=PlanSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        """印发: every item's clock starts and each lead and supporting unit is told what it owns."""
        return self._done(services.plan_publish(plan=self.get_object(), by=request.user))


# --- plan-items/ -----------------------------------------------------------------------------------------


@extend_schema_serializer(component_name="PlanMilestone")
class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanMilestone
        fields = ["id", "title", "due", "reached_at"]
        read_only_fields = ["id", "reached_at"]


class PlanItemSerializer(serializers.ModelSerializer):
    plan = ScopedPrimaryKeyRelatedField(scope=selectors.plans_visible_to)
    plan_title = serializers.CharField(source="plan.title", read_only=True)
    task = serializers.PrimaryKeyRelatedField(queryset=WorkTask.objects.all())
    task_number = serializers.IntegerField(source="task.number", read_only=True)
    task_title = serializers.CharField(source="task.title", read_only=True)
    lead_unit = serializers.PrimaryKeyRelatedField(queryset=MemberUnit.objects.all())
    lead_unit_name = serializers.CharField(source="lead_unit.name", read_only=True)
    supporting_units = serializers.PrimaryKeyRelatedField(queryset=MemberUnit.objects.all(), many=True, required=False)
    milestones = MilestoneSerializer(many=True, required=False, help_text="进度节点;创建时可写入 [{title, due}]")
    overdue = serializers.SerializerMethodField()
    supervisions_open = serializers.IntegerField(read_only=True, help_text="待答复的督办数")
    actions = serializers.SerializerMethodField()

    class Meta:
        model = PlanItem
        fields = [
            "id",
            "plan",
            "plan_title",
            "year",
            "region",
            "task",
            "task_number",
            "task_title",
            "number",
            "text",
            "lead_unit",
            "lead_unit_name",
            "supporting_units",
            "due",
            "status",
            "overdue",
            "percent",
            "milestones",
            "done_at",
            "done_summary",
            "accepted_at",
            "returned_at",
            "return_reason",
            "supervisions_open",
            "created_at",
            "actions",
        ]
        read_only_fields = ["id", "number", "status", "created_at"]

    def get_overdue(self, obj: PlanItem) -> bool:
        return obj.overdue_on(self.context.get("today") or timezone.localdate())

    def get_actions(self, obj: PlanItem) -> list[str]:
        return sorted(services.allowed_actions(obj, _user(self)))


class ProgressSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True, allow_null=True, default=None)
    by_name = serializers.CharField(source="by.display_name", read_only=True, allow_null=True, default=None)
    milestone = serializers.IntegerField(source="milestone_id", read_only=True, allow_null=True)
    milestone_title = serializers.CharField(source="milestone.title", read_only=True, allow_null=True, default=None)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = PlanProgress
        fields = [
            "id",
            "text",
            "percent",
            "milestone",
            "milestone_title",
            "unit",
            "unit_name",
            "by_name",
            "created_at",
            "attachments",
        ]
        read_only_fields = fields


@extend_schema_serializer(component_name="PlanProgressReport")
class ProgressInSerializer(serializers.Serializer):
    text = serializers.CharField()
    percent = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=100)
    milestone = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2**31 - 1, help_text="本事项的进度节点 id"
    )


@extend_schema_serializer(component_name="PlanItemSummary")
class SummarySerializer(serializers.Serializer):
    summary = serializers.CharField()


@extend_schema_serializer(component_name="PlanItemReturn")
class ReturnSerializer(serializers.Serializer):
    reason = serializers.CharField()


class PlanItemViewSet(WriteViewSet[PlanItem]):
    """工作要点事项: the office adds and edits items; the lead unit reports progress and completion; the office
    accepts or returns them."""

    request: AuthenticatedRequest

    serializer_class = PlanItemSerializer
    filterset_class = PlanItemFilter
    search_fields = ["text"]
    ordering_fields = ["due", "created_at", "id"]

    def get_queryset(self) -> QuerySet[PlanItem]:
        return (
            selectors.visible_to(self.request.user)
            .select_related("plan", "task", "lead_unit")
            .prefetch_related("supporting_units", "milestones")
            .annotate(supervisions_open=_count(Supervision.objects.filter(status=Supervision.Status.OPEN), "item"))
            .order_by("due", "id")
        )

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    def _done(self, item: PlanItem, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=item.pk)).data, status=code)

    def perform_create(self, serializer: BaseSerializer[PlanItem]) -> None:
        data = dict(serializer.validated_data)
        milestones = [(m["title"], m.get("due")) for m in data.pop("milestones", [])]
        item = services.item_add(by=self.request.user, milestones=milestones, **data)
        serializer.instance = self.get_queryset().get(pk=item.pk)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        item = self.get_object()
        serializer = self.get_serializer(item, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        for fixed in ("plan", "milestones"):  # an item never moves; its milestones are set when it is added
            data.pop(fixed, None)
        item = services.item_update(item=item, by=self.request.user, **data)
        return self._done(item)

    @extend_schema(methods=["GET"], request=None, responses=ProgressSerializer(many=True))
    @extend_schema(methods=["POST"], request=ProgressInSerializer, responses={201: ProgressSerializer})
    @action(
        detail=True,
        methods=["get", "post"],
        filter_backends=[],
        parser_classes=[JSONParser, MultiPartParser, FormParser],
    )
    def progress(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        """GET: the item's progress reports, oldest first (paged). POST: report progress (lead unit, supporting
        unit or office); a milestone named is marked reached."""
        item = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(selectors.progress_of(item))
            return self.get_paginated_response(ProgressSerializer(page, many=True).data)
        body = ProgressInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        milestone = None
        if body.validated_data.get("milestone") is not None:
            milestone = item.milestones.filter(pk=body.validated_data["milestone"]).first()
            if milestone is None:
                raise serializers.ValidationError({"milestone": [_("该节点不属于本事项。")]})
        entry = services.progress_report(
            item=item,
            by=request.user,
            text=body.validated_data["text"],
            percent=body.validated_data.get("percent"),
            milestone=milestone,
            attachments=request.FILES.getlist("files"),
        )
        fresh = selectors.progress_of(item).get(pk=entry.pk)
        return Response(ProgressSerializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SummarySerializer, responses=PlanItemSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        """报完成 (the lead unit), with a summary."""
        item = self.get_object()
        body = SummarySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._done(services.item_complete(item=item, by=request.user, summary=body.validated_data["summary"]))

    @extend_schema(request=None, responses=PlanItemSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        """验收 (the office) an item reported done."""
        return self._done(services.item_accept(item=self.get_object(), by=request.user))

    @extend_schema(request=ReturnSerializer, responses=PlanItemSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        """退回 (the office) an item reported done, with a reason; its clock runs again."""
        item = self.get_object()
        body = ReturnSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._done(services.item_return(item=item, by=request.user, reason=body.validated_data["reason"]))


# --- supervisions/ ---------------------------------------------------------------------------------------


class SupervisionSerializer(serializers.ModelSerializer):
    item = ScopedPrimaryKeyRelatedField(scope=selectors.visible_to)
    item_text = serializers.CharField(source="item.text", read_only=True)
    lead_unit = serializers.IntegerField(source="item.lead_unit_id", read_only=True)
    lead_unit_name = serializers.CharField(source="item.lead_unit.name", read_only=True)
    overdue = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta:
        model = Supervision
        fields = [
            "id",
            "item",
            "item_text",
            "lead_unit",
            "lead_unit_name",
            "text",
            "due",
            "status",
            "overdue",
            "issued_at",
            "answer",
            "answered_at",
            "region",
            "actions",
        ]
        read_only_fields = ["id", "status", "issued_at", "answer", "answered_at", "region"]

    def get_overdue(self, obj: Supervision) -> bool:
        return obj.overdue_on(self.context.get("today") or timezone.localdate())

    def get_actions(self, obj: Supervision) -> list[str]:
        return sorted(services.supervision_actions(obj, _user(self)))


@extend_schema_serializer(component_name="SupervisionAnswer")
class AnswerSerializer(serializers.Serializer):
    text = serializers.CharField()


class SupervisionViewSet(WriteViewSet[Supervision]):
    """督办: the office issues one on an item at work (POST); the lead unit answers it by its due date."""

    request: AuthenticatedRequest

    serializer_class = SupervisionSerializer
    filterset_class = SupervisionFilter
    search_fields = ["text"]
    ordering_fields = ["due", "issued_at", "id"]
    http_method_names = ["get", "post", "head", "options"]  # a 督办 is answered, never edited

    def get_queryset(self) -> QuerySet[Supervision]:
        return (
            selectors.supervisions_visible_to(self.request.user)
            .select_related("item", "item__lead_unit")
            .order_by("-issued_at", "-id")
        )

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    def perform_create(self, serializer: BaseSerializer[Supervision]) -> None:
        data = serializer.validated_data
        sup = services.supervision_issue(item=data["item"], by=self.request.user, text=data["text"], due=data["due"])
        serializer.instance = self.get_queryset().get(pk=sup.pk)

    @extend_schema(request=AnswerSerializer, responses=SupervisionSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        """答复 (the lead unit) while the 督办 is open."""
        sup = self.get_object()
        body = AnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        sup = services.supervision_answer(supervision=sup, by=request.user, text=body.validated_data["text"])
        return Response(self.get_serializer(self.get_queryset().get(pk=sup.pk)).data)

    # --- 公文 (issue 18): GET {id}/docx/ the 督办通知 ---
    @extend_schema(
        responses={
            (200, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"): OpenApiTypes.BINARY
        }
    )
    @action(detail=True, methods=["get"], url_path="docx", filter_backends=[], pagination_class=None)
    def docx(self, request: AuthenticatedRequest, pk: Any = None) -> HttpResponse:
        """督办通知 (GB/T 9704-2012 .docx)."""

        doc = documents.supervision_notice(get_object_or_404(documents.queryset(request.user), pk=int(pk or 0)))
        return docx_response(render_docx(doc), doc.filename)


def register(router: Any) -> None:
    router.register("plans", PlanViewSet, basename="api-plan")
    router.register("plan-items", PlanItemViewSet, basename="api-plan-item")
    router.register("supervisions", SupervisionViewSet, basename="api-supervision")
