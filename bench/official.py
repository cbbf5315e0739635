"""Official documents (issue 18 item 1): generating a 司法建议书 .docx (GB/T 9704-2012) on the bench dataset.

Target: p95 ≤ 200 ms over 50 runs, a constant handful of queries. Measured twice: the generator alone
(``documents.recommendation_document`` + ``gongwen.render_docx``, the record read in its one query) and the
page ``/recommendations/<id>/document.docx`` as the provincial office (login, scope, render, response).
Builds on the recommendations' dataset (``bench.recommendations.build``); run alone with
``python -m bench --only official``.
"""

from __future__ import annotations

from typing import Any

from bench.runner import Report, client_for, get_ok

TARGET: dict[str, Any] = {"target_p95_ms": 200, "target_queries": 8, "repeat": 50}


def run(report: Report) -> None:
    from bench import recommendations
    from cases.models import JudicialRecommendation
    from cases.recommendations import documents
    from fuyuan.lib.gongwen import render_docx
    from members.models import User

    recommendations.build()
    office = User.objects.get(username="bench-office")
    rec = (
        JudicialRecommendation.objects.exclude(number="")
        .filter(status__in=JudicialRecommendation.OPEN_STATUSES)
        .order_by("-issued_on", "-id")
        .first()
    )
    if rec is None:
        print("    no issued recommendation in the dataset", flush=True)
        return

    def generate() -> bytes:
        record = documents.queryset(office).get(pk=rec.pk)
        return render_docx(documents.recommendation_document(record))

    def check(content: Any) -> None:
        assert content[:2] == b"PK", "not a .docx"

    size = len(generate())
    report.measure(
        "official: 司法建议书 .docx generated (read + layout + zip)",
        generate,
        check=check,
        note=f"{size / 1024:.0f} KB",
        **TARGET,
    )
    report.measure(
        "official: /recommendations/<id>/document.docx (office)",
        get_ok(client_for("bench-office"), f"/recommendations/{rec.pk}/document.docx"),
        **TARGET,
    )
