"""``GET /api/v1/stats/summary/?from=&to=&region=&task=`` (API.md): the figures, same definitions as the pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from fuyuan.lib.dbrouter import replica_reads
from fuyuan.lib.errors import NotPermitted
from meetings.meetings.api import WriteViewSet
from members.models import Region, WorkTask
from members.types import AuthenticatedRequest
from stats import selectors, targets
from stats.figures import FIGURES, FIGURES_BY_KEY
from stats.models import Target
from stats.periods import period_errors


class StatsPeriodSerializer(serializers.Serializer):
    # "from" is a Python keyword: the field is declared under another name and renamed below.
    from_ = serializers.DateField()
    to = serializers.DateField()

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields


@extend_schema_field({"oneOf": [{"type": "integer"}, {"type": "string", "pattern": r"^\d+\.\d{2}$"}]})
class CountOrAmountField(serializers.Field):
    """A count (an integer), or an amount in yuan as a string with two decimals (exact: never a float)."""


class StatsFigureSerializer(serializers.Serializer):
    value = CountOrAmountField(
        required=False,
        help_text='A count (integer), or for an amount (enforcement_amount_*) yuan as a string: "2236000000.00".',
    )
    numerator = serializers.IntegerField(required=False)
    denominator = serializers.IntegerField(required=False)
    rate = serializers.FloatField(
        required=False, allow_null=True, help_text="numerator ÷ denominator × 100, two decimals; null when 0 ÷ 0."
    )
    label_ = serializers.CharField()  # "label": a serializer has a ``label`` attribute of its own
    definition = serializers.CharField()

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["label"] = fields.pop("label_")
        fields["definition"] = fields.pop("definition")  # the order of the schema: label, then definition
        return fields


class StatsSummarySerializer(serializers.Serializer):
    period = StatsPeriodSerializer()
    region = serializers.IntegerField(allow_null=True)
    task = serializers.IntegerField(allow_null=True)
    unit = serializers.IntegerField(allow_null=True, help_text="A liaison or court clerk always gets their own unit.")
    frozen_at = serializers.DateTimeField(allow_null=True, help_text="Set when the office froze this period.")
    figures = serializers.DictField(child=StatsFigureSerializer(), help_text="Keyed by figure code (API.md).")


def summary(scope: Any) -> dict[str, Any]:
    """The response body; the dashboard's cards come from the same counts and definitions."""
    snapshot = selectors.snapshot_for(scope)
    counts = snapshot.data["counts"] if snapshot else selectors.live_data_counts(scope)
    figures: dict[str, Any] = {}
    for figure in FIGURES:
        result = figure.result(counts)
        if figure.is_rate:
            result["rate"] = None if result["rate"] is None else float(result["rate"])
        if figure.is_amount:  # exact decimals as text: a JSON number would pass through a binary float
            result["value"] = f"{result['value']:.2f}"
        figures[figure.key] = {**result, "label": str(figure.label), "definition": str(figure.definition)}
    return {
        "period": {"from": scope.start.isoformat(), "to": scope.end.isoformat()},
        "region": scope.region,
        "task": scope.task,
        "unit": scope.unit,
        "frozen_at": timezone.localtime(snapshot.frozen_at).isoformat() if snapshot else None,
        "figures": figures,
    }


class SummaryView(APIView):
    """The mechanism's figures for a period (default: this year), a region (and its subtree) and a work task.

    Office, leaders and administrators see everything (``unit`` narrows to one unit); a liaison or
    a court clerk sees the figures of their own unit only.
    """

    @extend_schema(
        operation_id="stats_summary",
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, description="First day (Asia/Shanghai), inclusive."),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Last day (Asia/Shanghai), inclusive."),
            OpenApiParameter(
                "region",
                OpenApiTypes.INT,
                description="Any region id (province, 市州 or 县市区): that region and everything below it. "
                "A 市州 or 县市区 office reads only its own region and below; outside it: 404.",
            ),
            OpenApiParameter("task", OpenApiTypes.INT, description="Work task id."),
            OpenApiParameter("unit", OpenApiTypes.INT, description="One unit (office, leaders, administrators)."),
        ],
        responses={
            200: StatsSummarySerializer,
            400: OpenApiTypes.OBJECT,
            404: OpenApiTypes.OBJECT,
            503: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="The figures' rollups are held by a rebuild or a large import for longer than a read "
                "waits (FUYUAN_STATS_READ_WAIT_SECONDS): nothing was changed; try again after Retry-After seconds. "
                'Body: {"detail": "…"}.',
            ),
        },
        examples=[
            OpenApiExample(
                "Mediation success rate",
                value={
                    "period": {"from": "2025-01-01", "to": "2025-12-31"},
                    "figures": {
                        "mediation_delegated": {"value": 15955},
                        "mediation_resolved": {"value": 10150},
                        "mediation_success_rate": {"numerator": 10150, "denominator": 15955, "rate": 63.62},
                    },
                },
                response_only=True,
            )
        ],
    )
    @replica_reads
    def get(self, request: AuthenticatedRequest) -> Response:
        errors = period_errors(request.query_params)
        if errors:
            raise ValidationError(errors)
        try:
            req = selectors.read_request(request.user, request.query_params, unit_view=True)
        except selectors.UnknownRegion:
            raise ValidationError({"region": [_("没有这个地区。")]}) from None
        return Response(summary(req.scope))


# --- targets/ (指标) -----------------------------------------------------------------------------------------


class TargetSerializer(serializers.ModelSerializer):
    """A target and, read-only, its actual figure for its whole level (the year up to today)."""

    region = serializers.PrimaryKeyRelatedField(queryset=Region.objects.all())
    task = serializers.PrimaryKeyRelatedField(queryset=WorkTask.objects.all(), allow_null=True, required=False)
    figure = serializers.CharField(max_length=60, help_text="A figure key of stats/summary/.")
    value = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=False)
    figure_label = serializers.SerializerMethodField()
    actual = serializers.SerializerMethodField(help_text='{"value"} or {"numerator", "denominator", "rate"}.')
    met = serializers.SerializerMethodField()
    light = serializers.SerializerMethodField(help_text="green (met), yellow (within 10%), red, grey (no data).")

    class Meta:
        model = Target
        fields = ["id", "year", "region", "task", "figure", "figure_label", "comparator", "value"]
        fields += ["actual", "met", "light", "updated_at"]
        read_only_fields = ["id", "updated_at"]

    def _reading(self, obj: Target) -> targets.Reading | None:
        """From the list's readings (``TargetViewSet.paginate_queryset``), else counted once for this target."""
        listed: dict[int, targets.Reading] = self.context.get("readings") or {}
        if obj.pk in listed:
            return listed[obj.pk]
        own: dict[int, targets.Reading] = self.__dict__.setdefault("_own_readings", {})
        if obj.pk not in own:
            own.update(targets.readings([obj]))
        return own.get(obj.pk)

    def get_figure_label(self, obj: Target) -> str:
        figure = FIGURES_BY_KEY.get(obj.figure)
        return str(figure.label) if figure else ""

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_actual(self, obj: Target) -> dict[str, Any] | None:
        reading = self._reading(obj)
        if reading is None:
            return None
        return {k: (float(v) if isinstance(v, Decimal) else v) for k, v in reading.actual.items()}

    def get_met(self, obj: Target) -> bool | None:
        reading = self._reading(obj)
        return None if reading is None else reading.met

    def get_light(self, obj: Target) -> str:
        reading = self._reading(obj)
        return "" if reading is None else reading.light


class TargetViewSet(mixins.DestroyModelMixin, WriteViewSet[Target]):
    """Targets of the levels the user reads (office staff and leaders: their region and below); the office of
    a level (or one above it) sets, changes and deletes them. Liaisons and clerks: nothing (404)."""

    serializer_class = TargetSerializer
    filterset_fields = ["year", "region", "task", "figure"]
    ordering_fields = ["year", "id"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Target]:
        return (
            targets.targets_visible_to(self.request.user)
            .select_related("region", "task")
            .order_by("-year", "region__code", "task__number", "figure", "id")
        )

    def paginate_queryset(self, queryset: Any) -> list[Any] | None:
        page = super().paginate_queryset(queryset)
        if page is not None:
            self._readings = targets.readings(page)
        return page

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "readings": getattr(self, "_readings", {})}

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not targets.can_set_targets(request.user):  # refused before the body is read: 403, not 400
            raise NotPermitted(str(targets.OFFICE_ONLY))
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer: BaseSerializer[Target]) -> None:
        data = dict(serializer.validated_data)
        serializer.instance = targets.target_set(by=self.request.user, replace=False, **data)

    def perform_update(self, serializer: BaseSerializer[Target]) -> None:
        target = serializer.instance
        assert target is not None  # an update: DRF built the serializer on get_object()
        data = {
            "year": target.year,
            "region": target.region,
            "task": target.task,
            "figure": target.figure,
            "comparator": target.comparator,
            "value": target.value,
            **serializer.validated_data,
        }
        serializer.instance = targets.target_set(by=self.request.user, target=target, **data)

    def perform_destroy(self, instance: Target) -> None:
        targets.target_delete(target=instance, by=self.request.user)


def register(router: Any) -> None:
    router.register("targets", TargetViewSet, basename="api-target")
