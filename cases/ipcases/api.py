"""REST API of IP cases (API.md: ``ip-cases/``): scope from ``visible_to`` (outside: 404), writes through the
services (403 NotPermitted, 400 ValidationError in Chinese); ``actions`` says what the reader may do now."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.serializers import BaseSerializer

from cases.ipcases import selectors, services
from cases.ipcases.filters import IPCaseFilter
from cases.ipcases.models import IPCase
from fuyuan.lib.api import WriteViewSet
from members.models import MemberUnit, WorkTask
from members.types import AuthenticatedRequest


class IPCaseSerializer(serializers.ModelSerializer):
    court = serializers.PrimaryKeyRelatedField(
        queryset=MemberUnit.objects.filter(kind=MemberUnit.Kind.COURT),
        required=False,
        help_text="承办法院;法院工作人员默认为本院,办公室须指定本级或下级法院",
    )
    court_name = serializers.CharField(source="court.name", read_only=True)
    mediated_by = serializers.PrimaryKeyRelatedField(queryset=MemberUnit.objects.all(), required=False, allow_null=True)
    mediated_by_name = serializers.CharField(source="mediated_by.name", read_only=True, allow_null=True)
    tasks = serializers.PrimaryKeyRelatedField(
        queryset=WorkTask.objects.all(), many=True, required=False, help_text="默认为第 6 项工作任务"
    )
    region_name = serializers.CharField(source="region.name", read_only=True)
    settled = serializers.BooleanField(read_only=True, help_text="调解或撤诉结案(计入调撤率的分子)")
    actions = serializers.SerializerMethodField()

    class Meta:
        model = IPCase
        fields = [
            "id",
            "court",
            "court_name",
            "case_number",
            "kind",
            "concluded_on",
            "outcome",
            "settled",
            "mediated_by",
            "mediated_by_name",
            "tasks",
            "note",
            "region",
            "region_name",
            "city",
            "created_at",
            "actions",
        ]
        read_only_fields = ["id", "region", "city", "created_at"]
        # The services check the case number's uniqueness (a Chinese message), not DRF's validator.
        validators: list[Any] = []

    def get_actions(self, obj: IPCase) -> list[str]:
        return sorted(services.allowed_actions(obj, self.context["request"].user))


class IPCaseViewSet(WriteViewSet[IPCase]):
    """知识产权案件: a court's clerks (or the office) record concluded IP cases and how they ended."""

    request: AuthenticatedRequest

    serializer_class = IPCaseSerializer
    filterset_class = IPCaseFilter
    search_fields = ["case_number", "note"]
    ordering_fields = ["concluded_on", "case_number", "created_at", "id"]

    def get_queryset(self) -> QuerySet[IPCase]:
        return (
            selectors.list_rows(selectors.visible_to(self.request.user))
            .prefetch_related("tasks")
            .order_by("-concluded_on", "-id")
        )

    def perform_create(self, serializer: BaseSerializer[IPCase]) -> None:
        case = services.ipcase_record(by=self.request.user, **serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=case.pk)

    def perform_update(self, serializer: BaseSerializer[IPCase]) -> None:
        current = serializer.instance
        assert current is not None  # an update: DRF built the serializer on get_object()
        data = dict(serializer.validated_data)
        if "court" in data and data["court"].pk != current.court_id:
            raise serializers.ValidationError({"court": [_("不能修改承办法院。")]})
        data.pop("court", None)
        case = services.ipcase_update(case=current, by=self.request.user, **data)
        serializer.instance = self.get_queryset().get(pk=case.pk)


def register(router: Any) -> None:
    router.register("ip-cases", IPCaseViewSet, basename="ipcase")
