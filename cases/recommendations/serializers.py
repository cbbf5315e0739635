"""Serializers of the judicial recommendations' REST API (:mod:`cases.recommendations.api`).

The record as API.md describes it (``RecommendationSerializer``, with its reply, the follow-through of
issue 17 and the visit as nested objects), and the body of each action, one serializer each.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from attachments.api import AttachmentSerializer
from cases.recommendations.models import JudicialRecommendation
from members.models import MemberUnit, WorkTask

Outcome = JudicialRecommendation.Outcome
VisitResult = JudicialRecommendation.VisitResult


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
    rectification_due = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        write_only=True,
        help_text="整改期限: required when outcome is adopted or partly_adopted, not before the day of the reply. "
        "Read it from the recommendation's rectification_due.",
    )
    replied_at = serializers.DateTimeField(read_only=True)


class BlankAsNullChoiceField(serializers.ChoiceField):
    """A code the model keeps blank until it is set (``delivery``): ``null`` until then, as the schema says."""

    def to_representation(self, value: Any) -> Any:
        return super().to_representation(value) if value else None


class RecommendationVisitSerializer(serializers.Serializer):
    """回访: planned, then recorded by the court after the rectification deadline."""

    planned_on = serializers.DateField(allow_null=True, help_text="计划回访日期")
    at = serializers.DateField(allow_null=True, help_text="回访日期 (visited_on); null until the visit is recorded")
    result = BlankAsNullChoiceField(
        choices=VisitResult.choices, allow_null=True, help_text="回访结果; null until the visit is recorded"
    )
    note = serializers.CharField(allow_blank=True)
    early = serializers.BooleanField(help_text="Recorded on or before the rectification deadline (整改期限届满前回访)")


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
    # Who submitted and who signed (核稿签发): names, as the page shows them (people are not an API resource).
    submitted_by_name = serializers.CharField(
        source="submitted_by.display_name", read_only=True, allow_null=True, default=None
    )
    approved_by_name = serializers.CharField(
        source="approved_by.display_name", read_only=True, allow_null=True, default=None
    )
    recurrence_of: serializers.PrimaryKeyRelatedField[JudicialRecommendation] = serializers.PrimaryKeyRelatedField(
        many=True,
        read_only=True,
        help_text="问题复发: the adopted recommendations of the same category to the same addressee within the window.",
    )
    delivery = BlankAsNullChoiceField(
        choices=JudicialRecommendation.Delivery.choices,
        read_only=True,
        allow_null=True,
        help_text="送达方式: platform (签收 on the platform) or paper (a paper 送达回证); null until delivered.",
    )
    rectification_overdue = serializers.SerializerMethodField()
    visit = serializers.SerializerMethodField()
    attachments = AttachmentSerializer(many=True, read_only=True)

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
            "submitted_by_name",
            "submitted_at",
            "approved_by_name",
            "approved_at",
            "review_comment",
            "recurrence_of",
            "delivery",
            "delivered_on",
            "receipt_signer",
            "rectification_due",
            "rectified_at",
            "rectification_note",
            "rectification_overdue",
            "visit",
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
            "submitted_at",
            "approved_at",
            "review_comment",
            "delivery",
            "delivered_on",
            "receipt_signer",
            "rectification_due",
            "rectified_at",
            "rectification_note",
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

    def get_rectification_overdue(self, obj: JudicialRecommendation) -> bool:
        return obj.rectification_overdue()

    @extend_schema_field(RecommendationVisitSerializer(allow_null=True))
    def get_visit(self, obj: JudicialRecommendation) -> dict[str, Any] | None:
        if obj.visit_planned_on is None and obj.visited_on is None:
            return None
        return RecommendationVisitSerializer(
            {
                "planned_on": obj.visit_planned_on,
                "at": obj.visited_on,
                "result": obj.visit_result,
                "note": obj.visit_note,
                "early": obj.visit_early,
            }
        ).data


class RecommendationIssueSerializer(serializers.Serializer):
    issued_on = serializers.DateField(required=False, allow_null=True, help_text="Defaults to today.")


class RecommendationCloseSerializer(serializers.Serializer):
    assessment = serializers.CharField(required=False, allow_blank=True, default="")


class RecommendationWithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class RecommendationApproveSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="", help_text="核稿意见 (optional)")


class RecommendationSendBackSerializer(serializers.Serializer):
    comment = serializers.CharField(help_text="核稿意见: what the drafter should change")


class RecommendationDeliveredSerializer(serializers.Serializer):
    delivered_on = serializers.DateField(
        help_text="The date on the paper 送达回证 (not after today, not before issued_on); the reply clock starts then."
    )
    signer = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=50, help_text="送达回证签收人"
    )


class RecommendationRectifiedSerializer(serializers.Serializer):
    note = serializers.CharField(help_text="整改情况: what the agency did")


class RecommendationScheduleVisitSerializer(serializers.Serializer):
    planned_on = serializers.DateField(help_text="计划回访日期: not before today")


class RecommendationVisitRecordSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=VisitResult.choices, help_text="回访结果")
    note = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Required when result is partly or not_rectified."
    )
    visited_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Defaults to today; not after today."
    )
    early = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Required (true) to record a visit on or before the rectification deadline.",
    )
