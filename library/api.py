"""REST API of the library (信息共享): ``documents/`` GET, POST, PATCH; ``{id}/publish/``, ``{id}/withdraw/``,
``{id}/read/`` (POST: I opened it; GET: the read receipts per unit, to the publisher) and the files
(``{id}/attachments/``, :class:`attachments.api.AttachmentActions`).

Reads start from the scope (``selectors.visible_to``: outside it, 404); writes call the services, whose refusals
``fuyuan.lib.api.exception_handler`` maps to 409 (state), 403 (not the publisher, or an audience outside the
publisher's region or level) or 400 (input).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_serializer, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from attachments.api import AttachmentActions, AttachmentSerializer
from fuyuan.lib.api import WriteViewSet
from fuyuan.lib.errors import NotPermitted
from fuyuan.lib.listing import DeepPaginator
from fuyuan.lib.pagination import DeepPagination
from library import search, selectors, services
from library.filters import DocumentFilter
from library.models import LibraryDocument
from members.models import MemberUnit, Region, WorkTask
from members.types import AuthenticatedRequest

A = LibraryDocument.Audience


class AudienceSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=A.choices, default=A.ALL, help_text="all/levels/regions/units")
    levels = serializers.ListField(
        child=serializers.ChoiceField(choices=Region.Level.choices), required=False, help_text="指定层级"
    )
    regions = serializers.PrimaryKeyRelatedField(
        queryset=Region.objects.all(), many=True, required=False, help_text="指定地区(含下级)"
    )
    units = serializers.PrimaryKeyRelatedField(
        queryset=MemberUnit.objects.filter(active=True), many=True, required=False, help_text="指定单位"
    )

    def get_attribute(self, instance: LibraryDocument) -> LibraryDocument:
        return instance  # read from the document's audience columns, written as one object

    def to_representation(self, instance: LibraryDocument) -> dict[str, Any]:
        return {
            "kind": instance.audience,
            "levels": list(instance.audience_levels or []),
            "regions": [r.pk for r in instance.audience_regions.all()],
            "units": [u.pk for u in instance.audience_units.all()],
        }


@extend_schema_field({"type": "array", "items": {"type": "string", "maxLength": 30}})
class TagsField(serializers.ListField):
    child = serializers.CharField(max_length=30)

    def to_representation(self, data: Any) -> list[str]:
        return [t.name for t in data.all()]


class DocumentSerializer(serializers.ModelSerializer):
    tasks = serializers.PrimaryKeyRelatedField(queryset=WorkTask.objects.all(), many=True, required=False)
    tags = TagsField(required=False, help_text="标签名称;没有的标签自动建立")
    audience = AudienceSerializer(required=False)
    issuing_unit = serializers.CharField(max_length=100, required=False, allow_blank=True, help_text="默认为发布单位")
    attachments = AttachmentSerializer(many=True, read_only=True)
    publisher_unit_name = serializers.CharField(source="publisher_unit.name", read_only=True)
    read = serializers.SerializerMethodField(help_text="我是否已阅读")
    actions = serializers.SerializerMethodField()

    class Meta:
        model = LibraryDocument
        fields = [
            "id",
            "type",
            "title",
            "number",
            "issuing_unit",
            "issued_on",
            "case_number",
            "court",
            "tasks",
            "tags",
            "audience",
            "text",
            "attachments",
            "status",
            "publisher_unit",
            "publisher_unit_name",
            "published_at",
            "withdrawn_at",
            "withdrawal_reason",
            "read",
            "actions",
        ]
        read_only_fields = ["id", "status", "publisher_unit", "published_at", "withdrawn_at", "withdrawal_reason"]

    def get_read(self, obj: LibraryDocument) -> bool:
        return bool(getattr(obj, "is_read", False))

    def get_actions(self, obj: LibraryDocument) -> list[str]:
        return sorted(services.allowed_actions(obj, self.context["request"].user))


@extend_schema_serializer(component_name="LibraryWithdraw")
class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text="撤回原因(必填)")


ReceiptsSerializer = inline_serializer(
    "LibraryReceipts",
    fields={
        "audience_count": serializers.IntegerField(),
        "read_count": serializers.IntegerField(),
        "unread_count": serializers.IntegerField(),
        "read": inline_serializer(
            "LibraryReadUnit",
            fields={
                "unit": serializers.IntegerField(allow_null=True),
                "unit_name": serializers.CharField(),
                "in_audience": serializers.BooleanField(),
                "readers": inline_serializer(
                    "LibraryReader",
                    fields={
                        "user": serializers.IntegerField(),
                        "name": serializers.CharField(),
                        "read_at": serializers.DateTimeField(),
                    },
                    many=True,
                ),
            },
            many=True,
        ),
        "unread": inline_serializer(
            "LibraryUnreadUnit",
            fields={"unit": serializers.IntegerField(), "unit_name": serializers.CharField()},
            many=True,
        ),
    },
)
ReadSerializer = inline_serializer("LibraryRead", fields={"read": serializers.BooleanField()})


def receipts_data(document: LibraryDocument) -> dict[str, Any]:
    receipts = selectors.receipts(document, unread_limit=10_000)
    return {
        "audience_count": receipts["audience_count"],
        "read_count": receipts["read_count"],
        "unread_count": receipts["unread_count"],
        "read": [
            {
                "unit": entry["unit"].pk if entry["unit"] else None,
                "unit_name": entry["unit"].name if entry["unit"] else "",
                "in_audience": entry["in_audience"],
                "readers": [
                    {"user": r.user_id, "name": r.user.display_name, "read_at": r.read_at} for r in entry["readers"]
                ],
            }
            for entry in receipts["read"]
        ],
        "unread": [{"unit": u.pk, "unit_name": u.name} for u in receipts["unread"]],
    }


class SearchPagination(DeepPagination):
    """A search (``search`` or ``q``) lists its newest ``search.CAP`` matches: ``count`` stops there and says
    ``"count_capped": true`` beyond."""

    search_count_cap = search.CAP

    def django_paginator_class(self, queryset: Any, page_size: int) -> DeepPaginator:  # type: ignore[override]
        params = self.request.query_params if self.request is not None else {}
        searching = bool(params.get("search") or params.get("q"))
        return DeepPaginator(queryset, page_size, count_cap=self.search_count_cap if searching else None)


class DocumentViewSet(AttachmentActions, WriteViewSet[LibraryDocument]):
    """共享文件. POST drafts for your unit; ``publish/`` publishes it to its audience; PATCH edits a draft or a
    published document; ``withdraw/`` (a reason) takes it back."""

    request: AuthenticatedRequest

    serializer_class = DocumentSerializer
    filterset_class = DocumentFilter
    pagination_class = SearchPagination
    ordering_fields = ["published_at", "issued_on", "id"]

    def get_queryset(self) -> QuerySet[LibraryDocument]:
        return (
            selectors.list_rows(selectors.visible_to(self.request.user), self.request.user)
            .prefetch_related("audience_regions", "audience_units", "attachments__uploaded_by")
            .order_by("-published_at", "-id")
        )

    def _done(self, document: LibraryDocument, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=document.pk)).data, status=code)

    def _service_args(self, data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
        fields = {name: data[name] for name in services.EDITABLE_FIELDS if name in data}
        audience = data.get("audience")
        return {
            "fields": fields,
            "audience": None if audience is None and partial else dict(audience or {}),
            "tasks": data.get("tasks"),
            "tags": data.get("tags"),
        }

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        given = self._service_args(dict(serializer.validated_data), partial=False)
        document = services.document_create(by=self.request.user, **given)
        return self._done(document, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        document = self.get_object()
        serializer = self.get_serializer(document, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        given = self._service_args(dict(serializer.validated_data), partial=True)
        services.document_update(document=document, by=self.request.user, **given)
        return self._done(document)

    @extend_schema(request=None, responses=DocumentSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        """Publish a draft to its audience (403 for an audience outside your region or level)."""
        return self._done(services.document_publish(document=self.get_object(), by=request.user))

    @extend_schema(request=WithdrawSerializer, responses=DocumentSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        body = WithdrawSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        document = self.get_object()
        return self._done(
            services.document_withdraw(document=document, by=request.user, reason=body.validated_data["reason"])
        )

    @extend_schema(methods=["GET"], request=None, responses=ReceiptsSerializer, summary="Read receipts per unit")
    @extend_schema(methods=["POST"], request=None, responses=ReadSerializer, summary="Mark as read")
    @action(detail=True, methods=["get", "post"], pagination_class=None, filterset_class=None)
    def read(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        """POST: I opened it (idempotent). GET: the publisher's read receipts per unit."""
        document = self.get_object()
        if request.method == "POST":
            services.document_mark_read(document=document, by=request.user)
            return Response({"read": document.status == LibraryDocument.Status.PUBLISHED})
        if "receipts" not in services.allowed_actions(document, request.user):
            raise NotPermitted(_("只有发布单位可以查看阅读回执。"))
        return Response(receipts_data(document))


def register(router: Any) -> None:
    router.register("documents", DocumentViewSet, basename="document")
