"""The attachments of a record in the API: ``{record}/{id}/attachments/`` (list, upload) and
``{record}/{id}/attachments/{attachment_id}/`` (download), on every viewset that mixes in
:class:`AttachmentActions`. The record comes from the viewset's own ``get_object`` (its scope: 404 outside)."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from attachments import selectors, services
from attachments.models import Attachment
from fuyuan.lib.uploads import CONTENT_TYPES


class AttachmentSerializer(serializers.ModelSerializer):
    part_label = serializers.CharField(read_only=True)
    content_type = serializers.CharField(source="media_type", read_only=True)
    uploaded_by = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = [
            "id",
            "part",
            "part_label",
            "name",
            "content_type",
            "size",
            "sha256",
            "text_status",
            "uploaded_by",
            "uploaded_at",
            "url",
        ]
        read_only_fields = fields

    def get_uploaded_by(self, obj: Attachment) -> str:
        user = obj.uploaded_by
        return (user.name or user.username) if user else ""

    def get_url(self, obj: Attachment) -> str:
        return reverse("attachment-download", args=[obj.pk], request=self.context.get("request"))


class AttachmentUploadSerializer(serializers.Serializer):
    files = serializers.ListField(child=serializers.FileField(), allow_empty=False)


def download_response(attachment: Attachment) -> FileResponse:
    response = FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.name, content_type=attachment.media_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


class AttachmentActions:
    """Mix into a ``GenericViewSet`` whose model is registered in :mod:`attachments.registry`."""

    get_object: Any

    @extend_schema(
        methods=["GET"], request=None, responses={200: AttachmentSerializer(many=True)}, summary="List files"
    )
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer(many=True)},
        summary="Add files (type checked by content; the part follows from the record's state and your role)",
    )
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="attachments",
        pagination_class=None,
        parser_classes=[MultiPartParser, FormParser],
    )
    def attachments(self, request: Request, pk: str | None = None) -> Response:
        record = self.get_object()
        if request.method == "GET":
            rows = selectors.of_record(record)
            return Response(AttachmentSerializer(rows, many=True, context={"request": request}).data)
        files = request.FILES.getlist("files")
        if not files:
            raise serializers.ValidationError({"files": [_("请选择要上传的文件。")]})
        stored = services.attach(record=record, by=request.user, files=files)  # type: ignore[arg-type]
        return Response(AttachmentSerializer(stored, many=True, context={"request": request}).data, status=201)

    @extend_schema(responses={(200, media_type): OpenApiTypes.BINARY for media_type in CONTENT_TYPES.values()})
    @action(detail=True, methods=["get"], url_path=r"attachments/(?P<attachment_id>\d+)")
    def attachment(self, request: Request, pk: str | None = None, attachment_id: str | None = None) -> FileResponse:
        record = self.get_object()
        attachment = selectors.of_record(record).filter(pk=int(attachment_id or 0)).first()
        if attachment is None:
            raise Http404
        return download_response(attachment)
