"""Every write of the library (信息共享), and what a user may do now (:func:`allowed_actions`).

Lifecycle: ``draft`` → ``published`` → ``withdrawn`` (final). Who acts:

* the users of the publishing unit who hold ``library.publish_librarydocument`` (office staff, court clerks
  and liaisons: ``members.roles``) draft, edit, publish, attach files to and withdraw their unit's documents,
  and delete a draft;
* the audience must lie within the publisher's region: "levels" only at or below the publisher's level,
  chosen regions within its region subtree, chosen units within it (``NotPermitted``: 403, nothing saved);
* publishing writes one :class:`DocumentAudience` row per audience key (``library.audience``), so "new for me"
  is one indexed lookup; withdrawing deletes them; editing a published document rewrites them;
* a reader's first opening records a :class:`DocumentRead` with the reader's unit (idempotent).

Each service is keyword-only, runs in one transaction, locks the row, and refreshes the search vector.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from attachments import services as attachment_services
from fuyuan.lib.errors import NotPermitted, TransitionNotAllowed
from fuyuan.lib.locking import copy_back, lock
from library import search
from library.audience import document_keys
from library.models import DocumentAudience, DocumentRead, LibraryDocument, Tag
from members.levels import DEPTH, is_within, province, stamp
from members.models import MemberUnit, Region, User, WorkTask

S = LibraryDocument.Status
A = LibraryDocument.Audience
T = LibraryDocument.Type
PERMISSION = "library.publish_librarydocument"
PART = "document"
EDITABLE_FIELDS = ("type", "title", "number", "issuing_unit", "issued_on", "case_number", "court", "text")
MAX_TAGS = 10


# --- Who may do what ---------------------------------------------------------------------------------


def can_publish(user: Any) -> bool:
    """A user with the publish permission and a unit to publish for."""
    return bool(
        getattr(user, "is_authenticated", False) and user.is_active and user.unit_id and user.has_perm(PERMISSION)
    )


def is_publisher(user: Any, document: LibraryDocument) -> bool:
    """A user of the document's publishing unit who may publish."""
    return can_publish(user) and user.unit_id == document.publisher_unit_id


def allowed_actions(document: LibraryDocument, user: Any) -> set[str]:
    """``edit``, ``attach`` (draft or published), ``publish`` and ``delete`` (draft), ``withdraw`` (published),
    ``receipts`` (published or withdrawn): all to the publishing unit's publishers."""
    if not is_publisher(user, document):
        return set()
    if document.status == S.DRAFT:
        return {"edit", "attach", "publish", "delete"}
    if document.status == S.PUBLISHED:
        return {"edit", "attach", "withdraw", "receipts"}
    return {"receipts"}


def attachment_part(document: LibraryDocument, user: Any) -> str | None:
    """The attachments registry's rule: the publishers of the unit add files while the document is live."""
    return PART if "attach" in allowed_actions(document, user) else None


def _require_publisher(document: LibraryDocument, user: Any) -> None:
    if not is_publisher(user, document):
        raise NotPermitted(_("只有发布单位有发布权限的人员可以办理此操作。"))


def _require_status(document: LibraryDocument, allowed: Iterable[str], action: str) -> None:
    if document.status not in allowed:
        raise TransitionNotAllowed(
            _("当前状态为“%(status)s”,不能%(action)s。") % {"status": document.get_status_display(), "action": action}
        )


# --- The audience ------------------------------------------------------------------------------------


def publisher_region(unit: MemberUnit) -> Region:
    """The region a unit publishes from (a unit without a region publishes from the province)."""
    return unit.region if unit.region_id and unit.region is not None else province()


def _audience_errors(
    region: Region, audience: str, levels: list[str], regions: list[Region], units: list[MemberUnit]
) -> tuple[dict[str, list[str]], str | None]:
    """(input errors, the reason the audience lies outside the publisher's region or level)."""
    if audience not in A.values:
        return {"audience": [_("请选择发布范围。")]}, None
    if audience == A.LEVELS:
        unknown = [lv for lv in levels if lv not in DEPTH]
        if not levels or unknown:
            return {"audience_levels": [_("请选择至少一个层级。")]}, None
        above = [lv for lv in levels if DEPTH[lv] < DEPTH[region.level]]
        if above:
            return {}, _("只能向本级及下级发布:%(region)s不能向%(levels)s发布。") % {
                "region": region.name,
                "levels": "、".join(str(Region.Level(lv).label) for lv in above),
            }
    if audience == A.REGIONS:
        if not regions:
            return {"audience_regions": [_("请选择至少一个地区。")]}, None
        outside = [r.name for r in regions if not is_within(r, region)]
        if outside:
            return {}, _("只能向本地区及下级地区发布:%(names)s不在%(region)s范围内。") % {
                "names": "、".join(outside),
                "region": region.name,
            }
    if audience == A.UNITS:
        if not units:
            return {"audience_units": [_("请选择至少一个单位。")]}, None
        outside = [u.name for u in units if not is_within(u.region if u.region_id else None, region)]
        if outside:
            return {}, _("只能向本地区及下级地区的单位发布:%(names)s不在%(region)s范围内。") % {
                "names": "、".join(outside[:5]),
                "region": region.name,
            }
    return {}, None


def check_audience(
    *,
    unit: MemberUnit,
    audience: str,
    levels: Iterable[str] = (),
    regions: Iterable[Region] = (),
    units: Iterable[MemberUnit] = (),
) -> None:
    """``ValidationError`` for a malformed audience, ``NotPermitted`` for one outside ``unit``'s region or level."""
    errors, outside = _audience_errors(publisher_region(unit), audience, list(levels), list(regions), list(units))
    if errors:
        raise ValidationError(errors)
    if outside:
        raise NotPermitted(outside)


def _keys(document: LibraryDocument) -> list[str]:
    region = publisher_region(document.publisher_unit)
    return document_keys(
        audience=document.audience,
        region_id=region.pk,
        levels=document.audience_levels or (),
        region_ids=document.audience_regions.values_list("pk", flat=True),
        unit_ids=document.audience_units.values_list("pk", flat=True),
    )


def _write_keys(document: LibraryDocument) -> None:
    assert document.published_at is not None
    DocumentAudience.objects.filter(document=document).delete()
    DocumentAudience.objects.bulk_create(
        [DocumentAudience(document=document, key=key, published_at=document.published_at) for key in _keys(document)]
    )


# --- Drafting ----------------------------------------------------------------------------------------


def _clean_fields(fields: Mapping[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if fields.get("type") not in T.values:
        errors["type"] = [_("请选择文件类型。")]
    if not str(fields.get("title") or "").strip():
        errors["title"] = [_("请填写标题。")]
    if not isinstance(fields.get("issued_on"), date):
        errors["issued_on"] = [_("请填写发布日期。")]
    elif fields["issued_on"] > timezone.localdate():
        errors["issued_on"] = [_("发布日期不能晚于今天。")]
    if fields.get("type") == T.TYPICAL_CASE:
        if not str(fields.get("case_number") or "").strip():
            errors["case_number"] = [_("典型案例须填写案号。")]
        if not str(fields.get("court") or "").strip():
            errors["court"] = [_("典型案例须填写审理法院。")]
    for name, limit in (("title", 200), ("number", 100), ("issuing_unit", 100), ("case_number", 100), ("court", 100)):
        if len(str(fields.get(name) or "")) > limit:
            errors[name] = [_("不能超过 %(n)s 个字。") % {"n": limit}]
    return errors


def _tag_rows(names: Iterable[str]) -> list[Tag]:
    wanted = list(dict.fromkeys(n.strip() for n in names if n and n.strip()))
    if len(wanted) > MAX_TAGS:
        raise ValidationError({"tags": [_("标签最多 %(n)s 个。") % {"n": MAX_TAGS}]})
    if any(len(n) > 30 for n in wanted):
        raise ValidationError({"tags": [_("每个标签不能超过 30 个字。")]})
    return [Tag.objects.get_or_create(name=name)[0] for name in wanted]


def _apply(
    document: LibraryDocument,
    *,
    fields: Mapping[str, Any],
    audience: Mapping[str, Any],
) -> tuple[list[Region], list[MemberUnit]]:
    """Validate the fields and the audience; set the plain fields on ``document`` (not saved)."""
    errors = _clean_fields(fields)
    regions = list(audience.get("regions") or [])
    units = list(audience.get("units") or [])
    levels = sorted(set(audience.get("levels") or []))
    kind = audience.get("kind") or A.ALL
    audience_errors, outside = _audience_errors(publisher_region(document.publisher_unit), kind, levels, regions, units)
    errors.update(audience_errors)
    if errors:
        raise ValidationError(errors)
    if outside:
        raise NotPermitted(outside)
    for name in EDITABLE_FIELDS:
        if name in fields:
            setattr(document, name, (fields[name] or "") if name != "issued_on" else fields[name])
    document.title = document.title.strip()
    if document.type != T.TYPICAL_CASE:
        document.case_number = document.court = ""
    document.issuing_unit = (document.issuing_unit or "").strip() or document.publisher_unit.name
    document.audience = kind
    document.audience_levels = levels if kind == A.LEVELS else []
    return (regions if kind == A.REGIONS else []), (units if kind == A.UNITS else [])


def _save_relations(
    document: LibraryDocument,
    *,
    regions: list[Region],
    units: list[MemberUnit],
    tasks: Iterable[WorkTask] | None,
    tags: Iterable[str] | None,
) -> None:
    document.audience_regions.set(regions)
    document.audience_units.set(units)
    if tasks is not None:
        document.tasks.set(list(tasks))
    if tags is not None:
        document.tags.set(_tag_rows(tags))


@transaction.atomic
def document_create(
    *,
    by: User,
    fields: Mapping[str, Any],
    audience: Mapping[str, Any] | None = None,
    tasks: Iterable[WorkTask] | None = None,
    tags: Iterable[str] | None = None,
) -> LibraryDocument:
    """A draft of ``by``'s unit. ``fields``: type, title, number, issuing_unit, issued_on, case_number, court,
    text; ``audience``: kind (all/levels/regions/units), levels, regions, units."""
    if not can_publish(by):
        raise NotPermitted(_("您没有发布共享文件的权限。"))
    assert by.unit is not None
    document = LibraryDocument(publisher_unit=by.unit, created_by=by)
    tag_rows = _tag_rows(tags or [])  # checked before anything is saved
    regions, units = _apply(document, fields=fields, audience=audience or {})
    stamp(document, by.unit)
    document.save()
    _save_relations(document, regions=regions, units=units, tasks=tasks, tags=None)
    document.tags.set(tag_rows)
    search.refresh(document)
    return document


@transaction.atomic
def document_update(
    *,
    document: LibraryDocument,
    by: User,
    fields: Mapping[str, Any],
    audience: Mapping[str, Any] | None = None,
    tasks: Iterable[WorkTask] | None = None,
    tags: Iterable[str] | None = None,
) -> LibraryDocument:
    """Edit a draft or a published document (its audience keys follow a new audience). ``fields`` may hold
    only some fields; ``audience`` None keeps the audience."""
    locked = lock(document)
    _require_publisher(locked, by)
    _require_status(locked, (S.DRAFT, S.PUBLISHED), _("修改"))
    merged = {name: getattr(locked, name) for name in EDITABLE_FIELDS} | dict(fields)
    if audience is None:
        audience = {
            "kind": locked.audience,
            "levels": locked.audience_levels,
            "regions": list(locked.audience_regions.all()),
            "units": list(locked.audience_units.all()),
        }
    tag_rows = _tag_rows(tags) if tags is not None else None
    regions, units = _apply(locked, fields=merged, audience=audience)
    locked._change_reason = _("修改")  # type: ignore[attr-defined]
    locked.save()
    _save_relations(locked, regions=regions, units=units, tasks=tasks, tags=None)
    if tag_rows is not None:
        locked.tags.set(tag_rows)
    if locked.status == S.PUBLISHED:
        _write_keys(locked)
    search.refresh(locked)
    return copy_back(document, locked)


# --- Publishing --------------------------------------------------------------------------------------


@transaction.atomic
def document_publish(*, document: LibraryDocument, by: User) -> LibraryDocument:
    """Publish a draft to its audience: one audience key row each, with the publication time."""
    locked = lock(document)
    _require_publisher(locked, by)
    _require_status(locked, (S.DRAFT,), _("发布"))
    check_audience(
        unit=locked.publisher_unit,
        audience=locked.audience,
        levels=locked.audience_levels or [],
        regions=locked.audience_regions.all(),
        units=locked.audience_units.select_related("region"),
    )
    locked.status = S.PUBLISHED
    locked.published_at = timezone.now()
    locked.published_by = by
    locked._change_reason = _("发布")  # type: ignore[attr-defined]
    locked.save()
    _write_keys(locked)
    search.refresh(locked)
    return copy_back(document, locked)


@transaction.atomic
def document_withdraw(*, document: LibraryDocument, by: User, reason: str) -> LibraryDocument:
    """Withdraw a published document (a reason is required): its readers no longer see it."""
    locked = lock(document)
    _require_publisher(locked, by)
    _require_status(locked, (S.PUBLISHED,), _("撤回"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("请填写撤回原因。")]})
    if len(reason) > 200:
        raise ValidationError({"reason": [_("撤回原因不能超过 200 个字。")]})
    locked.status = S.WITHDRAWN
    locked.withdrawn_at = timezone.now()
    locked.withdrawal_reason = reason
    locked._change_reason = _("撤回")  # type: ignore[attr-defined]
    locked.save()
    DocumentAudience.objects.filter(document=locked).delete()
    return copy_back(document, locked)


@transaction.atomic
def document_delete(*, document: LibraryDocument, by: User) -> None:
    """Delete a draft with its files (a published document is withdrawn instead)."""
    locked = lock(document)
    _require_publisher(locked, by)
    _require_status(locked, (S.DRAFT,), _("删除"))
    attachment_services.remove_all(locked)
    locked.delete()


# --- Reading -----------------------------------------------------------------------------------------


def document_mark_read(*, document: LibraryDocument, by: User) -> bool:
    """The reader opened a published document: the first time records a receipt with the reader's unit.
    Idempotent (the unique constraint and ``ignore_conflicts``): True when this call recorded it."""
    if document.status != S.PUBLISHED or not getattr(by, "is_authenticated", False):
        return False
    if DocumentRead.objects.filter(document=document, user=by).exists():
        return False
    DocumentRead.objects.bulk_create(
        [DocumentRead(document=document, user=by, unit_id=by.unit_id, read_at=timezone.now())],
        ignore_conflicts=True,
    )
    return True
