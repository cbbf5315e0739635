"""``GET /api/v1/stats/summary/?from=&to=&region=&task=`` (API.md): the figures, same definitions as the pages."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from members.types import AuthenticatedRequest
from stats import selectors
from stats.figures import FIGURES
from stats.periods import period_errors


class StatsPeriodSerializer(serializers.Serializer):
    # "from" is a Python keyword: the field is declared under another name and renamed below.
    from_ = serializers.DateField()
    to = serializers.DateField()

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields


class StatsFigureSerializer(serializers.Serializer):
    value = serializers.IntegerField(required=False, help_text="A count (figures that are not rates).")
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
        responses={200: StatsSummarySerializer, 400: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT},
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
    def get(self, request: AuthenticatedRequest) -> Response:
        errors = period_errors(request.query_params)
        if errors:
            raise ValidationError(errors)
        try:
            req = selectors.read_request(request.user, request.query_params, unit_view=True)
        except selectors.UnknownRegion:
            raise ValidationError({"region": [_("没有这个地区。")]}) from None
        return Response(summary(req.scope))
