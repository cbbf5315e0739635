"""REST API v1 of the members app: units, the ten tasks, users, the inbox, ``me/`` and tokens.

Writes go through ``members.services``; the serializers only translate JSON to service arguments.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import user_logged_in
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet, TextChoices
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from members import levels, selectors, services
from members.models import ApiToken, Liaison, MemberUnit, Notification, Region, User, WorkTask
from members.roles import Role, is_office, roles_of
from members.types import AuthenticatedRequest, signed_in_user

# --- Permissions ----------------------------------------------------------------------------------


class IsOfficeOrReadOnly(permissions.IsAuthenticated):
    """Every signed-in user reads; office staff and administrators write."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not super().has_permission(request, view):
            return False
        return request.method in permissions.SAFE_METHODS or is_office(request.user)


class IsOffice(permissions.IsAuthenticated):
    """Office staff and administrators only (reading included)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return super().has_permission(request, view) and is_office(request.user)


class MayManageUser(permissions.BasePermission):
    """Changing an account needs the right to manage its holder (``members.services.may_manage``):
    office staff manage liaisons, administrators everyone but superusers."""

    message = gettext_lazy("您无权管理该用户的账号。")

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        return request.method in permissions.SAFE_METHODS or services.may_manage(by=signed_in_user(request), user=obj)


class MayManageUnit(permissions.BasePermission):
    """Changing a unit needs the right to manage it (``members.services.may_manage_unit``): office staff
    of a 市州 or 县市区 read every unit of the directory but change only those of their region and below."""

    message = gettext_lazy("您只能管理本级及下级区划的单位。")

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        return request.method in permissions.SAFE_METHODS or services.may_manage_unit(
            by=signed_in_user(request), unit=obj
        )


# --- Display labels -------------------------------------------------------------------------------

_LABELS: dict[tuple[type, str | None], dict[str, str]] = {}


@extend_schema_field(OpenApiTypes.STR)
class ChoiceLabelField(serializers.Field):
    """The label of a code field in the request's language (``kind`` → ``kind_name``).

    Labels are looked up once per language and choices class, not once per row: Django's
    ``get_FOO_display`` translates every label of the field on every call.
    """

    def __init__(self, choices: type[TextChoices], **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)
        self.choices_class = choices

    def to_representation(self, value: str) -> str:
        key = (self.choices_class, translation.get_language())
        labels = _LABELS.get(key)
        if labels is None:
            labels = _LABELS[key] = {str(c.value): str(c.label) for c in self.choices_class}
        return labels.get(value, value)


# --- Units ----------------------------------------------------------------------------------------


class UnitSerializer(serializers.ModelSerializer):
    kind_name = ChoiceLabelField(MemberUnit.Kind, source="kind")
    level_name = ChoiceLabelField(MemberUnit.Level, source="level")
    court_level_name = ChoiceLabelField(MemberUnit.CourtLevel, source="court_level")
    region_name = serializers.CharField(source="region.name", read_only=True, allow_null=True)
    parent_name = serializers.CharField(source="parent.name", read_only=True, allow_null=True)
    supervisor_name = serializers.CharField(source="supervisor.name", read_only=True, allow_null=True)

    class Meta:
        model = MemberUnit
        fields = [
            "id",
            "name",
            "short_name",
            "kind",
            "kind_name",
            "level",
            "level_name",
            "court_level",
            "court_level_name",
            "region",
            "region_name",
            "hosts_office",
            "parent",
            "parent_name",
            "supervisor",
            "supervisor_name",
            "is_member_unit",
            "order",
            "active",
        ]

        extra_kwargs = {"level": {"required": False}}

    def create(self, validated_data: dict[str, Any]) -> MemberUnit:
        return services.unit_save(by=self.context["request"].user, **validated_data)

    def update(self, instance: MemberUnit, validated_data: dict[str, Any]) -> MemberUnit:
        return services.unit_save(by=self.context["request"].user, unit=instance, **validated_data)


class UnitFilter(filters.FilterSet):
    region = filters.ModelChoiceFilter(
        queryset=Region.objects.all(), method="filter_region", label="所在区划(含下级区划)"
    )

    class Meta:
        model = MemberUnit
        fields = ["kind", "level", "court_level", "region", "parent", "supervisor", "is_member_unit", "active"]

    def filter_region(self, queryset: QuerySet[MemberUnit], name: str, value: Region) -> QuerySet[MemberUnit]:
        """The units of ``value`` and of the regions below it (one indexed equality on the unit's region)."""
        return queryset.filter(Q(region=value) | levels.unit_region_q(value))


class UnitViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The units of the mechanism. Everyone signed in reads; office staff and administrators write."""

    serializer_class = UnitSerializer
    permission_classes = [IsOfficeOrReadOnly, MayManageUnit]
    filterset_class = UnitFilter
    search_fields = ["name", "short_name"]
    ordering_fields = ["id", "name", "short_name", "kind", "level", "order"]
    ordering = ["order", "id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[MemberUnit]:
        return MemberUnit.objects.select_related("region", "parent", "supervisor")


# --- Regions --------------------------------------------------------------------------------------


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "code", "name", "level", "parent"]
        read_only_fields = fields


class RegionFilter(filters.FilterSet):
    class Meta:
        model = Region
        fields = ["level", "parent"]


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    """The division tree (province → 市州 → 县市区): every signed-in user reads; administrators edit it in the admin."""

    serializer_class = RegionSerializer
    filterset_class = RegionFilter
    search_fields = ["name", "code"]
    ordering_fields = ["id", "code", "name", "order"]
    ordering = ["order", "code"]
    queryset = Region.objects.all()


# --- Work tasks -----------------------------------------------------------------------------------


class TaskSerializer(serializers.ModelSerializer):
    lead_unit_names = serializers.SerializerMethodField()
    participating_unit_names = serializers.SerializerMethodField()

    class Meta:
        model = WorkTask
        fields = [
            "id",
            "number",
            "title",
            "short_title",
            "description",
            "lead_units",
            "lead_unit_names",
            "participating_units",
            "participating_unit_names",
        ]
        read_only_fields = fields

    def get_lead_unit_names(self, obj: WorkTask) -> list[str]:
        return [u.name for u in obj.lead_units.all()]

    def get_participating_unit_names(self, obj: WorkTask) -> list[str]:
        return [u.name for u in obj.participating_units.all()]


class TaskFilter(filters.FilterSet):
    unit = filters.NumberFilter(method="filter_unit", label="牵头或参与的单位")

    class Meta:
        model = WorkTask
        fields = ["number", "unit"]

    def filter_unit(self, queryset: QuerySet[WorkTask], name: str, value: int) -> QuerySet[WorkTask]:
        return queryset.filter(pk__in=selectors.tasks_of_unit(MemberUnit(pk=value)).values("pk"))


class TaskViewSet(viewsets.ReadOnlyModelViewSet):
    """The ten work tasks (十项工作任务) with their lead and participating units."""

    serializer_class = TaskSerializer
    filterset_class = TaskFilter
    search_fields = ["title", "description"]
    ordering_fields = ["number"]
    ordering = ["number"]

    def get_queryset(self) -> QuerySet[WorkTask]:
        units = MemberUnit.objects.only("id", "name", "order")
        return WorkTask.objects.prefetch_related(
            Prefetch("lead_units", queryset=units), Prefetch("participating_units", queryset=units)
        )


# --- Users ----------------------------------------------------------------------------------------


class RolesField(serializers.ListField):
    """The user's role codes; read from the prefetched groups, written as a full replacement."""

    child = serializers.ChoiceField(choices=Role.choices)

    def get_attribute(self, instance: User) -> list[str]:
        return sorted(g.name for g in instance.groups.all() if g.name in Role.values)


class LiaisonRoleField(serializers.ChoiceField):
    """``primary`` (A角) or ``backup`` (B角) when the user is a liaison, else null."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Liaison.Role.choices, allow_null=True, required=False, **kwargs)

    def get_attribute(self, instance: User) -> str | None:
        try:
            return instance.liaison.role
        except Liaison.DoesNotExist:
            return None


class UserSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True, allow_null=True)
    roles = RolesField(required=False)
    liaison_role = LiaisonRoleField()
    password = serializers.CharField(
        write_only=True, required=False, trim_whitespace=False, style={"input_type": "password"}
    )

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "name",
            "email",
            "phone",
            "unit",
            "unit_name",
            "roles",
            "liaison_role",
            "is_active",
            "language",
            "password",
            "last_login",
            "date_joined",
        ]
        read_only_fields = ["last_login", "date_joined"]

    def validate_username(self, value: str) -> str:
        if self.instance is not None and value != self.instance.username:
            raise serializers.ValidationError(_("用户名不能修改。"))
        return value

    def validate_roles(self, value: list[str]) -> list[str]:
        """Roles the user may not grant are refused (403) before anything else is looked at."""
        if not set(value) <= services.manageable_roles(self.context["request"].user):
            raise PermissionDenied(_("您无权授予该角色。"))
        return sorted(set(value))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is None and not attrs.get("username"):
            raise serializers.ValidationError({"username": [_("请填写用户名。")]})
        request = self.context.get("request")
        if self.instance is not None and attrs.get("is_active") is False and request and request.user == self.instance:
            raise serializers.ValidationError({"is_active": [_("不能停用自己的账号。")]})
        if attrs.get("liaison_role") is not None:
            roles = attrs.get("roles")
            if roles is None:
                roles = [] if self.instance is None else [g.name for g in self.instance.groups.all()]
            if Role.LIAISON not in roles:
                raise serializers.ValidationError({"liaison_role": [_("只有联络员才分 A角、B角。")]})
        password = attrs.get("password")
        if password:
            probe = User(
                username=attrs.get("username", getattr(self.instance, "username", "")),
                name=attrs.get("name", getattr(self.instance, "name", "")),
                email=attrs.get("email", getattr(self.instance, "email", "")),
            )
            try:
                validate_password(password, probe)
            except DjangoValidationError as exc:
                raise serializers.ValidationError({"password": list(exc.messages)}) from exc
        return attrs

    def create(self, validated_data: dict[str, Any]) -> User:
        user = services.user_save(by=self.context["request"].user, **validated_data)
        return user_queryset().get(pk=user.pk)

    def update(self, instance: User, validated_data: dict[str, Any]) -> User:
        data = dict(validated_data)
        data.pop("username", None)
        retire = data.get("is_active") is False
        if retire:
            data.pop("is_active")
        with transaction.atomic():
            if "unit" in data and data["unit"] is None:
                instance.unit = None  # user_save reads None as "unchanged"; clearing is explicit here
            by = self.context["request"].user
            user = services.user_save(by=by, user=instance, **data)
            if retire:
                services.user_retire(by=by, user=user)
        return user_queryset().get(pk=instance.pk)


def user_queryset() -> QuerySet[User]:
    return User.objects.select_related("unit", "liaison").prefetch_related("groups")


class UserFilter(filters.FilterSet):
    role = filters.ChoiceFilter(choices=Role.choices, field_name="groups__name", label="角色", distinct=True)
    liaison_role = filters.ChoiceFilter(choices=Liaison.Role.choices, field_name="liaison__role", label="联络员角色")

    class Meta:
        model = User
        fields = ["unit", "is_active", "role", "liaison_role"]


class UserViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """People and their roles. Office staff add liaisons and retire them (PATCH ``is_active=false``)."""

    serializer_class = UserSerializer
    permission_classes = [IsOffice, MayManageUser]
    filterset_class = UserFilter
    search_fields = ["username", "name", "email", "phone", "unit__name", "unit__short_name"]
    ordering_fields = ["id", "username", "name", "date_joined", "last_login"]
    ordering = ["id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[User]:
        """Office staff of a 市州 or 县市区 see the people of their region's units (others are 404)."""
        qs = user_queryset()
        if getattr(self, "swagger_fake_view", False):
            return qs
        everywhere, region = levels.manages_region(self.request.user)
        if everywhere:
            return qs
        if region is None:
            return qs.none()
        return qs.filter(levels.unit_region_q(region, prefix="unit__"), unit__isnull=False)


# --- Notifications --------------------------------------------------------------------------------


class NotificationSerializer(serializers.ModelSerializer):
    object_type = serializers.SerializerMethodField()
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "event",
            "stage",
            "subject",
            "body",
            "url",
            "object_type",
            "object_id",
            "created_at",
            "read_at",
            "is_read",
        ]
        read_only_fields = fields

    def get_object_type(self, obj: Notification) -> str:
        return f"{obj.content_type.app_label}.{obj.content_type.model}"

    def get_is_read(self, obj: Notification) -> bool:
        return obj.read_at is not None


class NotificationFilter(filters.FilterSet):
    unread = filters.BooleanFilter(field_name="read_at", lookup_expr="isnull", label="未读")

    class Meta:
        model = Notification
        fields = ["unread", "event"]


class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    """The signed-in user's own inbox. Others' notices do not exist here (404)."""

    request: AuthenticatedRequest

    personal = True  # marking one's own notices read is open to leaders too

    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter
    search_fields = ["subject"]
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self) -> QuerySet[Notification]:
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return selectors.inbox(self.request.user).select_related("content_type")

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """Mark this notice read."""
        notice = self.get_object()
        services.notification_mark_read(user=request.user, notification_ids=[notice.pk])
        notice.refresh_from_db(fields=["read_at"])
        return Response(self.get_serializer(notice).data)

    @extend_schema(
        request=None,
        responses=inline_serializer("NotificationsReadAll", {"marked": serializers.IntegerField()}),
    )
    @action(detail=False, methods=["post"], url_path="read-all", url_name="read-all")
    def read_all(self, request: AuthenticatedRequest) -> Response:
        """Mark every unread notice of the user read."""
        marked = services.notification_mark_read(user=request.user)
        return Response({"marked": marked})


# --- The signed-in user and tokens ----------------------------------------------------------------


class MeSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True, allow_null=True)
    roles = serializers.SerializerMethodField()
    liaison_role = LiaisonRoleField(read_only=True)
    unread_notifications = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "name",
            "email",
            "unit",
            "unit_name",
            "roles",
            "liaison_role",
            "language",
            "unread_notifications",
        ]
        read_only_fields = fields

    def get_roles(self, obj: User) -> list[str]:
        return sorted(roles_of(obj))

    def get_unread_notifications(self, obj: User) -> int:
        return selectors.unread_count(obj)


class MeView(APIView):
    """Who is signed in: id, name, unit and roles."""

    @extend_schema(responses=MeSerializer)
    def get(self, request: AuthenticatedRequest) -> Response:
        user = User.objects.select_related("unit", "liaison").get(pk=request.user.pk)
        user._fuyuan_roles = roles_of(request.user)
        return Response(MeSerializer(user).data)


class TokenView(APIView):
    """Exchange a username and password for an API token (``Authorization: Token <key>``).

    Each call issues a new token; it lapses after ``API_TOKEN_IDLE_HOURS`` unused and ``API_TOKEN_MAX_DAYS``
    after issue, and ends with a password change or deactivation. Failed attempts count towards the same
    lock-out as the login page (django-axes), and calls are throttled per address.
    """

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    @extend_schema(
        request=AuthTokenSerializer,
        responses={
            200: inline_serializer("Token", {"token": serializers.CharField()}),
            400: OpenApiTypes.OBJECT,
            403: OpenApiTypes.OBJECT,
            429: OpenApiTypes.OBJECT,
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        valid = serializer.is_valid()
        if getattr(request, "axes_locked_out", False):
            return Response(
                {"detail": _("登录失败次数过多,账号已被暂时锁定,请稍后再试。")},
                status=getattr(settings, "AXES_HTTP_RESPONSE_CODE", status.HTTP_429_TOO_MANY_REQUESTS),
            )
        if not valid:
            raise serializers.ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        if user.must_change_password:
            return Response(
                {"detail": _("请先登录网页,把办公室重置的一次性密码改为您自己的密码。")},
                status=status.HTTP_403_FORBIDDEN,
            )
        key = services.api_token_issue(user=user)
        # A token is a sign-in: record it (last_login, the lock-out counter reset, axes' access log).
        user_logged_in.send(sender=user.__class__, request=request, user=user)
        return Response({"token": key})


class TokenRevokeSerializer(serializers.Serializer):
    all = serializers.BooleanField(required=False, default=False, help_text="every token of the signed-in user")


class TokenRevokeView(APIView):
    """End the token this request is signed with (``all=true``: every token of the signed-in user)."""

    personal = True  # one's own tokens: leaders too

    @extend_schema(
        request=TokenRevokeSerializer,
        responses=inline_serializer("TokenRevoked", {"revoked": serializers.IntegerField()}),
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        serializer = TokenRevokeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        every = serializer.validated_data["all"]
        token = request.auth if isinstance(request.auth, ApiToken) else None
        if token is None and not every:
            raise serializers.ValidationError({"all": [_("以会话登录时没有令牌可撤销;撤销全部令牌请传 all=true。")]})
        revoked = services.api_tokens_revoke(user=request.user, by=request.user, token=None if every else token)
        return Response({"revoked": revoked})
