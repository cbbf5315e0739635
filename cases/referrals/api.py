"""REST API of case referrals (API.md ``referrals/``): fields, filters, and one action per transition."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from attachments.api import AttachmentActions
from cases.referrals import selectors, services
from cases.referrals.filters import ReferralFilter
from cases.referrals.models import Outcome, Party, Referral, ReferralKind
from cases.referrals.privacy import party_views, sees_personal_data
from fuyuan.lib.pagination import DeepPagination
from members.models import MemberUnit, WorkTask
from members.types import AuthenticatedRequest


class PartySerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Party.Role.choices, default=Party.Role.OTHER)
    name = serializers.CharField(max_length=100)
    id_number = serializers.CharField(max_length=30, allow_blank=True, required=False, default="")
    phone = serializers.CharField(max_length=30, allow_blank=True, required=False, default="")


class ReferralSerializer(serializers.ModelSerializer):
    kind = serializers.SlugRelatedField(slug_field="code", queryset=ReferralKind.objects.filter(active=True))
    kind_name = serializers.CharField(source="kind.name", read_only=True)
    sender_name = serializers.CharField(source="sender.name", read_only=True)
    receiver = serializers.PrimaryKeyRelatedField(queryset=MemberUnit.objects.filter(active=True))
    receiver_name = serializers.CharField(source="receiver.name", read_only=True)
    handler_name = serializers.CharField(source="handler.name", read_only=True, allow_null=True)
    tasks = serializers.PrimaryKeyRelatedField(queryset=WorkTask.objects.all(), many=True, required=False)
    overdue = serializers.BooleanField(read_only=True)
    outcome = serializers.ChoiceField(
        choices=Outcome.choices, read_only=True, allow_null=True, help_text="Null until the referral is concluded."
    )
    parties = PartySerializer(many=True, required=False, help_text="当事人;非移送/接收单位及办公室人员看到脱敏数据")

    class Meta:
        model = Referral
        fields = [
            "id",
            "kind",
            "kind_name",
            "sender",
            "sender_name",
            "receiver",
            "receiver_name",
            "handler",
            "handler_name",
            "case_number",
            "subject",
            "summary",
            "tasks",
            "parties",
            "status",
            "sent_at",
            "acknowledged_at",
            "accepted_at",
            "due",
            "overdue",
            "extended_at",
            "return_reason",
            "outcome",
            "outcome_note",
            "concluded_at",
        ]
        read_only_fields = [
            "sender",
            "handler",
            "status",
            "sent_at",
            "acknowledged_at",
            "accepted_at",
            "due",
            "extended_at",
            "return_reason",
            "outcome",
            "outcome_note",
            "concluded_at",
        ]

    def to_representation(self, instance: Referral) -> dict[str, Any]:
        data = super().to_representation(instance)
        user = self.context["request"].user
        full = sees_personal_data(user, instance)
        data["parties"] = [
            {"role": p.role, "name": p.name, "id_number": p.id_number, "phone": p.phone}
            for p in party_views(list(instance.parties.all()), full=full)
        ]
        data["tasks"] = [t.pk for t in instance.tasks.all()]
        data["outcome"] = instance.outcome or None  # no outcome yet: null, not "" (not one of the codes)
        # Amounts as strings ("125000.50"): exact decimals in yuan, never binary floats.
        data["measures"] = [
            {
                "measure": m.measure,
                "measure_name": str(m.get_measure_display()),
                "asset": m.asset,
                "amount": f"{m.amount:.2f}",
                "note": m.note,
            }
            for m in instance.measures.all()
        ]
        return data


@extend_schema_serializer(component_name="ReferralReason")
class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, required=False, default="")


class ConcludeSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    note = serializers.CharField(allow_blank=True, required=False, default="")
    measures = serializers.ListField(
        child=serializers.DictField(),
        required=False,
        default=list,
        help_text=(
            "执行查控:[{measure: query|freeze|deduct|seal, asset, amount, note}];amount 为元,非负,最多两位小数,"
            '以字符串传送可保精确,如 "125000.50"'
        ),
    )


class ForwardSerializer(serializers.Serializer):
    sub_unit = serializers.PrimaryKeyRelatedField(queryset=MemberUnit.objects.filter(active=True))
    note = serializers.CharField(allow_blank=True, required=False, default="")


class ExtendSerializer(serializers.Serializer):
    both_parties_consent = serializers.BooleanField()
    consent_note = serializers.CharField()


LIST_PARAMETERS = [
    OpenApiParameter("box", OpenApiTypes.STR, enum=["inbox", "sent", "all"], description="收件/发件/全部(默认全部)"),
    OpenApiParameter("kind", OpenApiTypes.STR, description="类别代码"),
    OpenApiParameter("status", OpenApiTypes.STR, enum=Referral.Status.values),
    OpenApiParameter("sender", OpenApiTypes.INT),
    OpenApiParameter("receiver", OpenApiTypes.INT),
    OpenApiParameter("counterpart", OpenApiTypes.INT),
    OpenApiParameter("task", OpenApiTypes.INT),
    OpenApiParameter("overdue", OpenApiTypes.BOOL),
    OpenApiParameter("region", OpenApiTypes.INT, description="区划 id:该区划及下级"),
    OpenApiParameter("level", OpenApiTypes.STR, enum=["province", "city", "county"], description="所在层级"),
    OpenApiParameter("from", OpenApiTypes.DATE, description="移送日期起"),
    OpenApiParameter("to", OpenApiTypes.DATE, description="移送日期止"),
    OpenApiParameter("search", OpenApiTypes.STR, description="案号或事项"),
]


@extend_schema_view(list=extend_schema(parameters=LIST_PARAMETERS))
class ReferralViewSet(
    AttachmentActions,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Referral],
):
    """案件移送. Outside the user's scope is 404; an action not allowed from the status is 409."""

    request: AuthenticatedRequest

    serializer_class = ReferralSerializer
    pagination_class = DeepPagination
    filter_backends: list[Any] = []
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Referral]:
        user = self.request.user
        if self.action == "list":
            box = self.request.query_params.get("box") or "all"
            box = box if box in selectors.BOXES else "all"
            qs = ReferralFilter(self.request.query_params, selectors.box_queryset(user, box), box=box).qs
        else:
            qs = selectors.visible_to(user)
        return selectors.list_rows(qs).prefetch_related("tasks", "parties", "measures")

    def perform_create(self, serializer: BaseSerializer[Referral]) -> None:
        data = serializer.validated_data
        serializer.instance = services.referral_create(
            by=self.request.user,
            kind=data["kind"],
            receiver=data["receiver"],
            case_number=data["case_number"],
            subject=data["subject"],
            summary=data.get("summary", ""),
            tasks=data.get("tasks"),
            parties=data.get("parties", []),
        )

    def perform_update(self, serializer: BaseSerializer[Referral]) -> None:
        data = serializer.validated_data
        referral = serializer.instance
        assert referral is not None  # an update: DRF built the serializer on get_object()
        services.referral_update(
            referral=referral,
            by=self.request.user,
            receiver=data.get("receiver"),
            case_number=data.get("case_number"),
            subject=data.get("subject"),
            summary=data.get("summary"),
            tasks=data.get("tasks"),
            parties=data.get("parties"),
        )

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        self.perform_update(serializer)
        return self._done(instance)

    def _done(self, referral: Referral) -> Response:
        fresh = self.get_queryset().get(pk=referral.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_200_OK)

    @extend_schema(request=None, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def send(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        return self._done(services.referral_send(referral=self.get_object(), by=request.user))

    @extend_schema(request=None, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        return self._done(services.referral_acknowledge(referral=self.get_object(), by=request.user))

    @extend_schema(request=None, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        return self._done(services.referral_accept(referral=self.get_object(), by=request.user))

    @extend_schema(request=ReasonSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        referral = self.get_object()
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._done(services.referral_return(referral=referral, by=request.user, reason=body.data["reason"]))

    @extend_schema(request=ConcludeSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def conclude(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        referral = self.get_object()
        body = ConcludeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._done(
            services.referral_conclude(
                referral=referral,
                by=request.user,
                outcome=body.data["outcome"],
                note=body.data["note"],
                measures=body.validated_data["measures"],
            )
        )

    @extend_schema(request=ReasonSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        referral = self.get_object()
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._done(services.referral_revoke(referral=referral, by=request.user, reason=body.data["reason"]))

    @extend_schema(request=ForwardSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def forward(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        referral = self.get_object()
        body = ForwardSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._done(
            services.referral_forward(
                referral=referral, by=request.user, sub_unit=body.validated_data["sub_unit"], note=body.data["note"]
            )
        )

    @extend_schema(request=ExtendSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def extend(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        referral = self.get_object()
        body = ExtendSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._done(
            services.referral_extend(
                referral=referral,
                by=request.user,
                both_parties_consent=body.validated_data["both_parties_consent"],
                consent_note=body.validated_data["consent_note"],
            )
        )
