"""REST API of joint meetings (API.md: meetings/). Every viewset starts from ``visible_to`` (outside it: 404)
and every write calls a service (refusals: 403 NotPermitted, 409 TransitionNotAllowed, 400 ValidationError).
``WriteViewSet`` (``fuyuan.lib.api``'s, for a signed-in user) serves the decisions' and consultations' APIs too.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import transaction
from django.db.models import Model, Prefetch, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
    extend_schema_view,
)
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from attachments.api import AttachmentActions
from fuyuan.lib.api import WriteViewSet as BaseWriteViewSet
from fuyuan.lib.gongwen import docx_response, render_docx
from meetings.meetings import agenda as agenda_services
from meetings.meetings import attendance, documents, ical, selectors, services
from meetings.meetings import minutes as minutes_services
from meetings.meetings.filters import MeetingFilter
from meetings.meetings.models import AgendaItem, Invitation, Meeting, Minutes, MinutesConfirmation
from meetings.meetings.reminders import kind_offsets, reminder_offsets_of
from members.models import MemberUnit, Region, WorkTask
from members.types import AuthenticatedRequest

# --- serializers -----------------------------------------------------------------------------------------


class AgendaItemSerializer(serializers.ModelSerializer):
    presenter_unit = serializers.PrimaryKeyRelatedField(
        queryset=MemberUnit.objects.all(), required=False, allow_null=True
    )
    presenter_unit_name = serializers.CharField(source="presenter_unit.name", read_only=True, allow_null=True)
    order = serializers.IntegerField(required=False, min_value=1)

    class Meta:
        model = AgendaItem
        fields = ["id", "order", "title", "presenter_unit", "presenter_unit_name", "minutes"]
        read_only_fields = ["id"]


class InvitationSerializer(serializers.ModelSerializer):
    """An invited unit: its reply before the meeting and its line of the sign-in list (签到) after it."""

    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Invitation
        fields = [
            "unit",
            "unit_name",
            "reply",
            "attendees",
            "reason",
            "replied_at",
            "attendance",
            "signed_names",
            "signed_at",
        ]


class MinutesConfirmationSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = MinutesConfirmation
        fields = ["unit", "unit_name", "verdict", "comment", "confirmed_at"]


class MinutesSerializer(serializers.ModelSerializer):
    confirmations = MinutesConfirmationSerializer(many=True, read_only=True)
    # Who decided to issue early: a name, as the page shows it (people are not an API resource).
    override_by_name = serializers.CharField(source="override_by.display_name", read_only=True, default="")

    class Meta:
        model = Minutes
        fields = [
            "status",
            "body",
            "confirm_by",
            "circulated_at",
            "confirmations",
            "document_number",
            "issued_at",
            "override_reason",
            "override_by_name",
        ]


class MeetingSerializer(serializers.ModelSerializer):
    convener = serializers.PrimaryKeyRelatedField(queryset=MemberUnit.objects.all())
    convener_name = serializers.CharField(source="convener.name", read_only=True)
    # Read from the invitations (prefetched with the replies), written as a list of unit ids.
    invited_units = serializers.PrimaryKeyRelatedField(
        queryset=MemberUnit.objects.all(), many=True, required=False, source="invited_unit_list"
    )
    tasks = serializers.PrimaryKeyRelatedField(queryset=WorkTask.objects.all(), many=True, required=False)
    # Where the meeting lives: its convener's region and that region's level (set by the services).
    region: serializers.PrimaryKeyRelatedField[Region] = serializers.PrimaryKeyRelatedField(read_only=True)
    level = serializers.CharField(read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True, allow_null=True)
    agenda = AgendaItemSerializer(source="agenda_items", many=True, required=False)
    agenda_minutes = serializers.SerializerMethodField()
    replies = InvitationSerializer(source="invitations", many=True, read_only=True)
    minutes = serializers.SerializerMethodField()
    # Written: the meeting's own offsets, or null for its kind's default. Read: the offsets in effect (never
    # null), with ``reminder_offsets_default`` saying whether they are the kind's default.
    reminder_offsets = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        allow_null=True,
        help_text="Minutes before the start. Read: the offsets in effect; write null to follow the kind's default.",
    )
    reminder_offsets_default = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = [
            "id",
            "uid",
            "kind",
            "title",
            "description",
            "tasks",
            "convener",
            "convener_name",
            "invited_units",
            "level",
            "region",
            "region_name",
            "starts_at",
            "ends_at",
            "location",
            "video_link",
            "status",
            "agenda_cutoff",
            "reminder_offsets",
            "reminder_offsets_default",
            "agenda",
            "agenda_minutes",
            "replies",
            "minutes",
            "sequence",
            "cancel_reason",
            "held_at",
            "recorded_after",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "uid",
            "status",
            "sequence",
            "cancel_reason",
            "held_at",
            "recorded_after",
            "created_at",
            "updated_at",
        ]

    def get_reminder_offsets_default(self, obj: Meeting) -> bool:
        return not obj.reminder_offsets

    def to_representation(self, instance: Meeting) -> dict[str, Any]:
        data = super().to_representation(instance)
        if "reminder_offsets" in data:
            root = self.root  # the list's serializer: the kinds' settings (a handful of rows) are read once
            kinds = getattr(root, "_kind_offsets", None)
            if kinds is None:
                kinds = root._kind_offsets = kind_offsets()  # type: ignore[attr-defined]
            data["reminder_offsets"] = reminder_offsets_of(instance, kinds)
        return data

    def get_agenda_minutes(self, obj: Meeting) -> int:
        return sum(item.minutes for item in obj.agenda_items.all())

    @extend_schema_field(MinutesSerializer(allow_null=True))
    def get_minutes(self, obj: Meeting) -> dict[str, Any] | None:
        try:
            minutes = obj.minutes
        except Minutes.DoesNotExist:
            return None
        return MinutesSerializer(minutes).data


@extend_schema_serializer(component_name="MeetingCancel")
class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


@extend_schema_serializer(component_name="MeetingReply")
class ReplySerializer(serializers.Serializer):
    reply = serializers.ChoiceField(choices=["attending", "delegate", "declined"])
    attendees = serializers.CharField(required=False, allow_blank=True, default="")
    reason = serializers.CharField(required=False, allow_blank=True, default="")


@extend_schema_serializer(component_name="MinutesConfirm")
class MinutesConfirmSerializer(serializers.Serializer):
    verdict = serializers.ChoiceField(choices=MinutesConfirmation.Verdict.choices, default="agreed")
    comment = serializers.CharField(required=False, allow_blank=True, default="")


@extend_schema_serializer(component_name="MinutesIssue")
class MinutesIssueSerializer(serializers.Serializer):
    document_number = serializers.CharField(max_length=60)
    override_reason = serializers.CharField(required=False, allow_blank=True, default="")


class SignInLineSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    attendance = serializers.ChoiceField(choices=Invitation.Attendance.values)
    signed_names = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


@extend_schema_serializer(component_name="MeetingAttendance")
class AttendanceSerializer(serializers.Serializer):
    """The sign-in list (签到表) of a held meeting: a line per invited unit (units left out keep theirs)."""

    lines = SignInLineSerializer(many=True)


# --- viewsets --------------------------------------------------------------------------------------------


class ICalendarRenderer(BaseRenderer):
    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        return data if isinstance(data, bytes) else str(data).encode()


_M = TypeVar("_M", bound=Model)


class WriteViewSet(BaseWriteViewSet[_M]):
    """``fuyuan.lib.api.WriteViewSet`` (GET, POST, PATCH; lists page over ids first) for a signed-in user."""

    request: AuthenticatedRequest


class MeetingViewSet(AttachmentActions, WriteViewSet[Meeting]):
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter
    search_fields = ["title", "location"]
    ordering_fields = ["starts_at", "created_at", "id"]
    ordering = ["-starts_at", "-id"]

    def get_queryset(self) -> QuerySet[Meeting]:
        return (
            selectors.visible_to(self.request.user)
            .select_related("convener", "region", "minutes", "minutes__override_by")
            .prefetch_related(
                "tasks",
                "minutes__confirmations__unit",
                Prefetch("invitations", queryset=Invitation.objects.select_related("unit")),
                Prefetch("agenda_items", queryset=AgendaItem.objects.select_related("presenter_unit")),
            )
            .order_by("-starts_at", "-id")
        )

    def get_renderers(self) -> list[BaseRenderer]:
        if getattr(self, "action", None) == "ics":  # also for the slash-less route of fuyuan/api_urls.py
            return [ICalendarRenderer(), JSONRenderer()]
        return super().get_renderers()

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        # A refusal of the calendar file (401, 404, an unknown ?format= …) is a JSON error like any other.
        if self.action == "ics" and response.status_code >= 400:
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)

    # The meeting and its agenda are two services: one transaction, so a refused agenda keeps the meeting too.
    @transaction.atomic
    def perform_create(self, serializer: BaseSerializer[Meeting]) -> None:
        data = dict(serializer.validated_data)
        agenda = data.pop("agenda_items", None)
        if "invited_unit_list" in data:
            data["invited_units"] = data.pop("invited_unit_list")
        meeting = services.meeting_create(by=self.request.user, **data)
        if agenda:
            agenda_services.agenda_replace(meeting=meeting, by=self.request.user, items=agenda)
        serializer.instance = self.get_queryset().get(pk=meeting.pk)

    @transaction.atomic
    def perform_update(self, serializer: BaseSerializer[Meeting]) -> None:
        data = dict(serializer.validated_data)
        agenda = data.pop("agenda_items", None)
        if "invited_unit_list" in data:
            data["invited_units"] = data.pop("invited_unit_list")
        meeting = serializer.instance
        assert meeting is not None  # an update: DRF built the serializer on get_object()
        services.require_manage(self.request.user, meeting)  # an empty PATCH too (it used to answer 200)
        if data:
            services.meeting_update(meeting=meeting, by=self.request.user, **data)
        if agenda is not None:
            agenda_services.agenda_replace(meeting=meeting, by=self.request.user, items=agenda)
        serializer.instance = self.get_queryset().get(pk=meeting.pk)

    @extend_schema(request=MeetingSerializer, responses={201: MeetingSerializer})
    @action(detail=False, methods=["post"])
    @transaction.atomic
    def record(self, request: AuthenticatedRequest) -> Response:
        """补录: a meeting already held (offline), created as held; no notice is sent to the invited units."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        agenda = data.pop("agenda_items", None)
        for unused in ("agenda_cutoff", "reminder_offsets"):  # a meeting that is over has neither
            data.pop(unused, None)
        if "invited_unit_list" in data:
            data["invited_units"] = data.pop("invited_unit_list")
        meeting = services.meeting_record(by=request.user, **data)
        if agenda:
            agenda_services.agenda_replace(meeting=meeting, by=request.user, items=agenda)
        fresh = self.get_queryset().get(pk=meeting.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AttendanceSerializer, responses=MeetingSerializer)
    @action(detail=True, methods=["post"])
    def attendance(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        """Record the sign-in list of a held meeting (the convener side)."""
        meeting = self.get_object()  # outside the scope: 404 before anything else
        services.require_manage(request.user, meeting)  # an invitee: 403, whatever the body
        body = AttendanceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        lines = [attendance.SignIn(d["unit"], d["attendance"], d["signed_names"]) for d in body.validated_data["lines"]]
        attendance.attendance_record(meeting=meeting, by=request.user, lines=lines)
        return Response(self.get_serializer(self.get_queryset().get(pk=meeting.pk)).data)

    def _do(self, request: AuthenticatedRequest, pk: Any, call: Any) -> Response:
        meeting = self.get_object()
        call(meeting)
        fresh = self.get_queryset().get(pk=meeting.pk)
        return Response(self.get_serializer(fresh).data)

    @extend_schema(request=None, responses=MeetingSerializer)
    @action(detail=True, methods=["post"])
    def hold(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        return self._do(request, pk, lambda m: services.meeting_hold(meeting=m, by=request.user))

    @extend_schema(request=None, responses=MeetingSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        return self._do(request, pk, lambda m: services.meeting_close(meeting=m, by=request.user))

    @extend_schema(request=ReasonSerializer, responses=MeetingSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        reason = body.validated_data["reason"]
        return self._do(request, pk, lambda m: services.meeting_cancel(meeting=m, by=request.user, reason=reason))

    @extend_schema(request=ReplySerializer, responses=InvitationSerializer)
    @action(detail=True, methods=["post"])
    def reply(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        """The signed-in user's unit answers the invitation."""
        meeting = self.get_object()
        body = ReplySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if request.user.unit is None:
            return Response({"detail": "您的账号未关联单位。"}, status=status.HTTP_403_FORBIDDEN)
        invitation = services.invitation_reply(
            meeting=meeting, unit=request.user.unit, by=request.user, **body.validated_data
        )
        return Response(InvitationSerializer(invitation).data)

    @extend_schema(request=MinutesConfirmSerializer, responses=MinutesConfirmationSerializer)
    @action(detail=True, methods=["post"], url_path="minutes/confirm")
    def minutes_confirm(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        """The signed-in user's unit answers the circulated minutes: ``agreed`` (无意见) or ``amend`` with comments."""
        meeting = self.get_object()
        body = MinutesConfirmSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        confirmation = minutes_services.minutes_confirm(meeting=meeting, by=request.user, **body.validated_data)
        return Response(MinutesConfirmationSerializer(confirmation).data)

    @extend_schema(request=MinutesIssueSerializer, responses=MeetingSerializer)
    @action(detail=True, methods=["post"], url_path="minutes/issue")
    def minutes_issue(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        """Issue the minutes; early (units unanswered, deadline not passed) only with an ``override_reason``."""
        meeting = self.get_object()  # outside the scope: 404 before the body is read
        body = MinutesIssueSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        minutes_services.minutes_issue(meeting=meeting, by=request.user, **body.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=meeting.pk)).data)

    @extend_schema(responses={(200, "text/calendar"): OpenApiResponse(response=OpenApiTypes.BINARY)})
    @action(detail=True, methods=["get"], renderer_classes=[ICalendarRenderer, JSONRenderer])
    def ics(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        meeting = self.get_object()
        response = Response(ical.meeting_ics(meeting), content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
        return response

    # --- 公文 (issue 18): GET {id}/docx/ the 会议通知, {id}/minutes-docx/ the 会议纪要 (404 without minutes) ---
    def _official_docx(self, pk: Any, *, minutes: bool) -> HttpResponse:
        meeting = get_object_or_404(documents.queryset(self.request.user), pk=int(pk or 0))
        try:
            doc = documents.meeting_minutes(meeting) if minutes else documents.meeting_notice(meeting)
        except documents.NoMinutes as exc:
            raise Http404(_("会议纪要尚未起草。")) from exc
        return docx_response(render_docx(doc), doc.filename)

    @extend_schema(
        responses={
            (200, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"): OpenApiResponse(
                response=OpenApiTypes.BINARY
            )
        }
    )
    @action(detail=True, methods=["get"], url_path="docx", filter_backends=[], pagination_class=None)
    def docx(self, request: AuthenticatedRequest, pk: Any = None) -> HttpResponse:
        """会议通知 (GB/T 9704-2012 .docx)."""
        return self._official_docx(pk, minutes=False)

    @extend_schema(
        responses={
            (200, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"): OpenApiResponse(
                response=OpenApiTypes.BINARY
            )
        }
    )
    @action(detail=True, methods=["get"], url_path="minutes-docx", filter_backends=[], pagination_class=None)
    def minutes_docx(self, request: AuthenticatedRequest, pk: Any = None) -> HttpResponse:
        """会议纪要 (GB/T 9704-2012 纪要格式 .docx); 404 while the minutes are not written."""
        return self._official_docx(pk, minutes=True)


@extend_schema_view(
    ics=extend_schema(
        operation_id="meetings_ics_file",
        responses={(200, "text/calendar"): OpenApiResponse(response=OpenApiTypes.BINARY)},
    )
)
class MeetingIcsViewSet(MeetingViewSet):
    """``meetings/{id}/ics`` exactly as API.md spells it (the router's ``ics/`` serves the same)."""


def register(router: Any) -> None:
    router.register("meetings", MeetingViewSet, basename="api-meeting")
