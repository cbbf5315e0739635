"""What an enforcement inquiry (执行查控) found and did: the measures its receiver records when concluding it.

:func:`clean_measures` validates measures given as mappings (a page's formset, the API's ``measures`` list) and
raises a ValidationError in Chinese; amounts are exact decimals in yuan, never floats (:func:`parse_amount`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cases.referrals.models import EnforcementMeasure

#: The referral kind whose conclusion records measures (a ``ReferralKind`` code).
ENFORCEMENT_INQUIRY = "enforcement_inquiry"
#: An amount has at most 14 digits before the point and 2 after (``DecimalField(16, 2)``).
MAX_AMOUNT = Decimal("99999999999999.99")
MAX_MEASURES = 50
CENT = Decimal("0.01")


def parse_amount(value: Any, *, label: str) -> Decimal:
    """``value`` (text or a number, "1,234.50" too) as yuan with two decimals; a ValidationError in Chinese when it
    is not a number, negative, finer than a fen or too large. A JSON number is read by its shortest decimal
    spelling (``12.5`` is 12.50), never through binary arithmetic."""
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal | None):
        raise ValidationError(_("%(label)s应为数字(元),如 12500.00。") % {"label": label})
    text = (repr(value) if isinstance(value, float) else str(value if value is not None else "")).strip()
    text = text.replace(",", "").replace(",", "")
    if text == "":
        return Decimal("0.00")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValidationError(_("%(label)s应为数字(元),如 12500.00。") % {"label": label}) from None
    if not amount.is_finite():
        raise ValidationError(_("%(label)s应为数字(元),如 12500.00。") % {"label": label})
    if amount < 0:
        raise ValidationError(_("%(label)s不能为负数。") % {"label": label})
    if amount > MAX_AMOUNT:
        raise ValidationError(_("%(label)s过大。") % {"label": label})
    if amount != amount.quantize(CENT):
        raise ValidationError(_("%(label)s最多保留两位小数(到分)。") % {"label": label})
    return amount.quantize(CENT) + 0  # "-0" is 0.00


def clean_measures(measures: Sequence[Mapping[str, Any]]) -> list[EnforcementMeasure]:
    """Unsaved measures from mappings (measure, asset, amount, note); a ValidationError keyed ``measures``."""
    if len(measures) > MAX_MEASURES:
        raise ValidationError({"measures": [_("查控措施最多 %(n)s 项。") % {"n": MAX_MEASURES}]})
    rows = []
    for i, data in enumerate(measures, start=1):
        if not isinstance(data, Mapping):
            raise ValidationError({"measures": [_("第 %(n)s 项查控措施格式不正确。") % {"n": i}]})
        code = str(data.get("measure") or "")
        asset = str(data.get("asset") or "").strip()
        note = str(data.get("note") or "").strip()
        if code not in EnforcementMeasure.Measure.values:
            raise ValidationError({"measures": [_("第 %(n)s 项:措施应为查询、冻结、扣划或查封。") % {"n": i}]})
        if not asset:
            raise ValidationError({"measures": [_("第 %(n)s 项:请填写财产类型。") % {"n": i}]})
        try:
            amount = parse_amount(data.get("amount"), label=_("第 %(n)s 项的金额") % {"n": i})
        except ValidationError as exc:
            raise ValidationError({"measures": exc.messages}) from None
        rows.append(EnforcementMeasure(measure=code, asset=asset[:100], amount=amount, note=note[:200]))
    return rows
