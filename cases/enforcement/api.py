"""REST API of enforcement cases concluded through linkage (``enforcement-cases/``).

Starts from ``selectors.visible_to`` (outside: 404); every write calls a service (403 NotPermitted, 400 a
ValidationError in Chinese). Amounts travel as strings in yuan with two decimals ("2236000000.00"): exact
decimals, never binary floats; a request may send a string or a JSON number, the service checks it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from cases.enforcement import selectors, services
from cases.enforcement.filters import EnforcementCaseFilter
from cases.enforcement.models import EnforcementCase
from cases.referrals.selectors import visible_to as referrals_visible_to
from fuyuan.lib.api import ScopedPrimaryKeyRelatedField, WriteViewSet
from members.models import MemberUnit, WorkTask
from members.types import AuthenticatedRequest


@extend_schema_field({"type": "string", "pattern": r"^\d+\.\d{2}$", "example": "125000.50"})
class AmountField(serializers.Field):
    """Yuan as a string with two decimals; input a string or a number, validated (in Chinese) by the service."""

    def to_internal_value(self, data: Any) -> Any:
        return data

    def to_representation(self, value: Decimal) -> str:
        return f"{value:.2f}"


class EnforcementCaseSerializer(serializers.ModelSerializer):
    court_name = serializers.CharField(source="court.name", read_only=True)
    amount_recovered = AmountField(help_text="到位金额(元)")
    amount_paid = AmountField(required=False, help_text="发放案款(元),不超过到位金额")
    referrals = ScopedPrimaryKeyRelatedField(
        scope=referrals_visible_to, many=True, required=False, help_text="关联的执行查控移送"
    )
    partner_units = serializers.PrimaryKeyRelatedField(
        queryset=MemberUnit.objects.filter(active=True), many=True, required=False
    )
    tasks = serializers.PrimaryKeyRelatedField(queryset=WorkTask.objects.all(), many=True, required=False)
    actions = serializers.SerializerMethodField()

    class Meta:
        model = EnforcementCase
        fields = [
            "id",
            "court",
            "court_name",
            "case_number",
            "concluded_on",
            "amount_recovered",
            "amount_paid",
            "referrals",
            "partner_units",
            "tasks",
            "note",
            "region",
            "created_at",
            "actions",
        ]
        read_only_fields = ["id", "court", "region", "created_at"]
        validators: list[Any] = []  # one case number per court: the service says so, in Chinese

    def get_actions(self, obj: EnforcementCase) -> list[str]:
        return sorted(services.allowed_actions(obj, self.context["request"].user))


LIST_PARAMETERS = [
    OpenApiParameter("court", OpenApiTypes.INT),
    OpenApiParameter("partner", OpenApiTypes.INT, description="协作单位"),
    OpenApiParameter("region", OpenApiTypes.INT, description="区划 id:该区划及下级"),
    OpenApiParameter("level", OpenApiTypes.STR, enum=["province", "city", "county"]),
    OpenApiParameter("from", OpenApiTypes.DATE, description="结案日期起"),
    OpenApiParameter("to", OpenApiTypes.DATE, description="结案日期止"),
    OpenApiParameter("search", OpenApiTypes.STR, description="案号、法院或备注"),
]


@extend_schema_view(list=extend_schema(parameters=LIST_PARAMETERS))
class EnforcementCaseViewSet(mixins.DestroyModelMixin, WriteViewSet[EnforcementCase]):
    """执行联动结案: a court clerk records (POST), corrects (PATCH) and deletes (DELETE) their court's cases
    within 30 days; the office and leaders read. Outside the reader's scope: 404."""

    request: AuthenticatedRequest

    serializer_class = EnforcementCaseSerializer
    filterset_class = EnforcementCaseFilter
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[EnforcementCase]:
        return (
            selectors.visible_to(self.request.user)
            .select_related("court")
            .prefetch_related("referrals", "partner_units", "tasks")
            .order_by("-concluded_on", "-id")
        )

    def _done(self, case: EnforcementCase, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=case.pk)).data, status=code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        case = services.enforcement_case_create(
            by=self.request.user,
            case_number=d.get("case_number", ""),
            concluded_on=d.get("concluded_on"),
            amount_recovered=d.get("amount_recovered"),
            amount_paid=d.get("amount_paid"),
            referrals=d.get("referrals", []),
            partner_units=d.get("partner_units", []),
            tasks=d.get("tasks"),
            note=d.get("note", ""),
        )
        return self._done(case, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        case = self.get_object()
        serializer = self.get_serializer(case, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        services.enforcement_case_update(
            case=case,
            by=self.request.user,
            case_number=d.get("case_number"),
            concluded_on=d.get("concluded_on"),
            amount_recovered=d.get("amount_recovered"),
            amount_paid=d.get("amount_paid"),
            referrals=d.get("referrals"),
            partner_units=d.get("partner_units"),
            tasks=d.get("tasks"),
            note=d.get("note"),
        )
        return self._done(case)

    def perform_destroy(self, instance: EnforcementCase) -> None:
        services.enforcement_case_delete(case=instance, by=self.request.user)


def register(router: Any) -> None:
    router.register("enforcement-cases", EnforcementCaseViewSet, basename="api-enforcement-case")
