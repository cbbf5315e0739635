"""Case referrals: 200,000 referrals over five years (1,000,000 with ``--scale full``), spread over the
levels; the two lists, the API, the figures, the intake.

The dataset is generated in SQL (``INSERT … SELECT … FROM generate_series``), with one party and
one work-task link per referral, then ``VACUUM ANALYZE`` so that the deep pages' id subqueries
are index-only scans. Run alone with ``python -m bench --only referrals``.
"""

from __future__ import annotations

import resource
import time
from datetime import date
from typing import Any

from bench.runner import Report, bench_user, client_for, deep_page, get_ok

#: The default ``make bench`` size; ``python -m bench --scale full`` (``make bench BENCH_ARGS="--scale full"``)
#: grows it to FULL_TOTAL.
TOTAL = 200_000
FULL_TOTAL = 1_000_000
PAIRS = 5000  # court ↔ department ↔ mediation body combinations, spread over the levels
SUBJECTS = [
    "买卖合同纠纷",
    "民间借贷纠纷",
    "劳务合同纠纷",
    "物业服务合同纠纷",
    "机动车交通事故责任纠纷",
    "房屋租赁合同纠纷",
    "婚姻家庭纠纷",
    "建设工程施工合同纠纷",
    "金融借款合同纠纷",
    "查询被执行人房产",
    "查询被执行人车辆",
    "冻结被执行人存款",
    "涉嫌非法倾倒危险废物",
    "涉嫌非法占用农用地",
    "涉嫌生产销售伪劣产品",
    "信访事项转办",
    "破产企业职工安置",
    "破产企业税费协调",
    "线索通报",
    "追索劳动报酬纠纷",
]


def _parties() -> dict[str, list[int | None]]:
    """The parties' arrays the SQL indexes into, with where each combination lives (``bench.tree``)."""
    from bench import tree

    places, parties = tree.pairs(PAIRS, seed=1217)
    out: dict[str, list[int | None]] = {k: [] for k in ("court", "dept", "dept2", "med", "r_cd", "c_cd", "r_cm",
                                                        "c_cm", "r_dd", "c_dd")}  # fmt: skip
    for p in parties:
        out["court"].append(p.court)
        out["dept"].append(p.dept)
        out["dept2"].append(p.dept2)
        out["med"].append(p.mediation)
        for key, units in (("cd", (p.court, p.dept)), ("cm", (p.court, p.mediation)), ("dd", (p.dept, p.dept2))):
            region, city = places.common(*units)
            out[f"r_{key}"].append(region)
            out[f"c_{key}"].append(city)
    return out


def build() -> dict[str, Any]:
    from collections import Counter

    from django.db import connection, transaction

    from cases.models import Referral, ReferralKind
    from members.models import WorkTask
    from members.roles import Role

    parties = _parties()
    # The busiest court and department of the generated data.
    court = Counter(parties["court"]).most_common(1)[0][0]
    gov = Counter(parties["dept"]).most_common(1)[0][0]
    for username, role, unit in (
        ("bench-ref-court", Role.COURT_CLERK, court),
        ("bench-ref-gov", Role.LIAISON, gov),
        ("bench-office", Role.OFFICE, None),
    ):
        bench_user(username, role, unit)
    info = {"court": court, "gov": gov}
    have = Referral.objects.filter(case_number__startswith="B-").count()
    if have >= TOTAL:
        return info
    started = time.perf_counter()
    kinds = {k.code: k.pk for k in ReferralKind.objects.all()}
    tasks = {t.number: t.pk for t in WorkTask.objects.all()}
    params = {
        **{f"p_{key}": values for key, values in parties.items()},
        "subjects": SUBJECTS,
        "first": have + 1,  # a smaller dataset grows to a larger TOTAL (``--scale full``)
        "total": TOTAL,
        "pairs": PAIRS,
        "step": 157 * FULL_TOTAL // TOTAL,  # seconds between two referrals: five years whatever the size
        **{f"k_{code}": pk for code, pk in kinds.items()},
        **{f"t_{n}": pk for n, pk in tasks.items()},
    }
    sql = """
    WITH base AS (
      SELECT g,
        CASE WHEN g %% 20 < 8 THEN 'mediation' WHEN g %% 20 < 13 THEN 'enforcement_inquiry'
             WHEN g %% 20 < 15 THEN 'criminal_transfer' WHEN g %% 20 < 17 THEN 'petition'
             WHEN g %% 20 < 18 THEN 'bankruptcy' ELSE 'notice' END AS kind,
        timestamptz '2021-12-01 09:00+08' + g * %(step)s * interval '1 second' AS sent_at,
        (g * 7919) %% 10000 AS r,
        1 + ((g * 104729) %% %(pairs)s) AS p
      FROM generate_series(%(first)s::bigint, %(total)s::bigint) AS g
    ), shaped AS (
      SELECT b.*,
        CASE b.kind WHEN 'mediation' THEN %(k_mediation)s WHEN 'enforcement_inquiry' THEN %(k_enforcement_inquiry)s
          WHEN 'criminal_transfer' THEN %(k_criminal_transfer)s WHEN 'petition' THEN %(k_petition)s
          WHEN 'bankruptcy' THEN %(k_bankruptcy)s ELSE %(k_notice)s END AS kind_id,
        CASE WHEN b.kind IN ('mediation', 'enforcement_inquiry', 'bankruptcy') THEN (%(p_court)s::bigint[])[b.p]
             ELSE (%(p_dept)s::bigint[])[b.p] END AS sender_id,
        CASE WHEN b.kind = 'mediation' THEN (%(p_med)s::bigint[])[b.p]
             WHEN b.kind IN ('enforcement_inquiry', 'bankruptcy') THEN (%(p_dept)s::bigint[])[b.p]
             WHEN b.kind = 'criminal_transfer' THEN (%(p_dept2)s::bigint[])[b.p]
             ELSE (%(p_court)s::bigint[])[b.p] END AS receiver_id,
        CASE WHEN b.kind = 'mediation' THEN (%(p_r_cm)s::bigint[])[b.p]
             WHEN b.kind = 'criminal_transfer' THEN (%(p_r_dd)s::bigint[])[b.p]
             ELSE (%(p_r_cd)s::bigint[])[b.p] END AS region_id,
        CASE WHEN b.kind = 'mediation' THEN (%(p_c_cm)s::bigint[])[b.p]
             WHEN b.kind = 'criminal_transfer' THEN (%(p_c_dd)s::bigint[])[b.p]
             ELSE (%(p_c_cd)s::bigint[])[b.p] END AS city_id,
        CASE WHEN b.sent_at > now() - interval '20 days' THEN
               (ARRAY['sent', 'acknowledged', 'accepted', 'accepted'])[1 + b.r %% 4]
             WHEN b.r < 200 THEN 'revoked' WHEN b.r < 500 THEN 'returned'
             WHEN b.r < 9300 THEN 'concluded' ELSE 'accepted' END AS status
      FROM base b
    )
    INSERT INTO cases_referral (kind_id, sender_id, receiver_id, handler_id, case_number, subject, summary, status,
      created_at, sent_at, send_count, acknowledged_at, accepted_at, due, extended_at, extension_note, returned_at,
      return_reason, revoked_at, concluded_at, outcome, outcome_note, next_alert_at, created_by_id, region_id, city_id)
    SELECT kind_id, sender_id, receiver_id, NULL, 'B-' || g, (%(subjects)s::text[])[1 + g %% 20], '', status,
      sent_at, sent_at, 1,
      CASE WHEN status IN ('acknowledged', 'accepted', 'concluded') THEN sent_at + interval '1 day' END,
      CASE WHEN status IN ('accepted', 'concluded') THEN sent_at + interval '2 days' END,
      CASE WHEN status IN ('acknowledged', 'accepted', 'concluded') AND kind <> 'notice'
           THEN (sent_at + interval '1 day')::date + CASE kind WHEN 'criminal_transfer' THEN 3
             WHEN 'enforcement_inquiry' THEN 9 WHEN 'petition' THEN 15 ELSE 30 END END,
      NULL, '', CASE WHEN status = 'returned' THEN sent_at + interval '1 day' END,
      CASE WHEN status = 'returned' THEN '材料不全' ELSE '' END,
      CASE WHEN status = 'revoked' THEN sent_at + interval '1 day' END,
      CASE WHEN status = 'concluded' THEN sent_at + (1 + r %% 40) * interval '1 day' END,
      CASE WHEN status <> 'concluded' THEN ''
           WHEN kind = 'mediation'
             THEN CASE WHEN r < 6362 THEN 'resolved' WHEN r < 9000 THEN 'failed' ELSE 'withdrawn' END
           WHEN kind = 'criminal_transfer' THEN CASE WHEN r < 7000 THEN 'case_opened' ELSE 'case_not_opened' END
           WHEN kind = 'enforcement_inquiry' THEN CASE WHEN r < 5000 THEN 'found' ELSE 'not_found' END
           ELSE 'done' END,
      '', NULL, NULL, region_id, city_id
    FROM shaped
    """
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SELECT coalesce(max(id), 0) FROM cases_referral")
        params["before"] = cur.fetchone()[0]
        cur.execute(sql, params)
        cur.execute(
            """INSERT INTO cases_party (referral_id, role, name, id_number, phone)
               SELECT id, 'applicant', (ARRAY['张','王','李','赵','刘'])[1 + id %% 5] || '某某',
                      '6201' || lpad((id %% 100000000000000)::text, 13, '0') || '1',
                      '138' || lpad((id %% 100000000)::text, 8, '0')
               FROM cases_referral WHERE case_number LIKE 'B-%%' AND id > %(before)s""",
            params,
        )
        cur.execute(
            """INSERT INTO cases_referral_tasks (referral_id, worktask_id)
               SELECT r.id, k.default_task_id FROM cases_referral r JOIN cases_referralkind k ON k.id = r.kind_id
               WHERE r.case_number LIKE 'B-%%' AND r.id > %(before)s AND k.default_task_id IS NOT NULL""",
            params,
        )
    with connection.cursor() as cur:
        for table in ("cases_referral", "cases_party", "cases_referral_tasks"):
            cur.execute(f"VACUUM ANALYZE {table}")
    took = time.perf_counter() - started
    print(f"    dataset: {TOTAL - have:,} referrals added ({TOTAL:,} in all) in {took:.1f} s", flush=True)
    return info


def _intake(report: Report, court_id: int) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cases.models import Referral, ReferralImport
    from cases.referrals import intake
    from fuyuan.lib.xlsx import Sheet, sheets_bytes
    from members.models import MemberUnit, User

    user = User.objects.get(username="bench-ref-court")
    meds = list(
        MemberUnit.objects.filter(kind="mediation", short_name__startswith="基准").values_list("name", flat=True)[:20]
    )
    stamp = int(time.time())
    today = date.today().isoformat()
    rows = [
        [
            f"(2026)基准{stamp}诉前调{i}号",
            meds[i % len(meds)],
            SUBJECTS[i % 9],
            today,  # within the back-dating window (FUYUAN_IMPORT_BACKDATE_DAYS)
            "张三丰",
            "620102199001011234",
            "13812345678",
            "某某有限公司",
            "",
            "",
            "",
        ]
        for i in range(5000)
    ]
    header = [label for _k, label in intake.IMPORT_COLUMNS]
    upload = SimpleUploadedFile("bench.xlsx", sheets_bytes([Sheet("Sheet", header, rows)]))
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    imp, check = intake.referral_import_prepare(by=user, upload=upload)
    checked = time.perf_counter()
    assert imp is not None, check.errors[:3]
    ReferralImport.objects.filter(pk=imp.pk).update(status="queued")
    with CaptureQueriesContext(connection) as ctx:
        imp = intake.referral_import_run(import_id=imp.pk)
    done = time.perf_counter()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert imp.status == "done" and imp.created_count == 5000, imp.error
    report.record(
        "referral intake 5,000 rows (check + create)",
        (done - started) * 1000,
        target_ms=15000,
        note=(
            f"check {checked - started:.1f} s, create {done - checked:.1f} s in one transaction "
            f"({len(ctx.captured_queries)} queries); process peak RSS {rss_after:.0f} MB (was {rss_before:.0f} MB)"
        ),
    )
    Referral.objects.filter(case_number__startswith=f"(2026)基准{stamp}").delete()


def run(report: Report) -> None:
    from django.core.cache import cache

    from stats import referrals as selectors

    info = build()
    court = client_for("bench-ref-court")
    gov = client_for("bench-ref-gov")
    office = client_for("bench-office")
    target = {"target_p95_ms": 50, "target_queries": 10}
    sent = deep_page(court, "/api/v1/referrals/?box=sent")
    inbox = deep_page(gov, "/api/v1/referrals/?box=inbox")
    report.measure("referrals 'sent by us' page 1 (court)", get_ok(court, "/referrals/sent/"), **target)
    report.measure(f"referrals 'sent by us' page {sent}", get_ok(court, f"/referrals/sent/?page={sent}"), **target)
    report.measure("referrals 'addressed to us' page 1 (dept)", get_ok(gov, "/referrals/inbox/"), **target)
    report.measure(f"referrals 'addressed to us' page {inbox}", get_ok(gov, f"/referrals/inbox/?page={inbox}"),
                   **target)  # fmt: skip
    report.measure(
        "referrals 'sent by us' search '借贷' page 1",
        get_ok(court, "/referrals/sent/?search=%E5%80%9F%E8%B4%B7"),
        **target,
    )
    report.measure("referrals office 'all' page 500", get_ok(office, "/referrals/all/?page=500"), **target)
    report.measure("API referrals/ page 1 (office)", get_ok(office, "/api/v1/referrals/"), **target)
    report.measure("API referrals/ page 500 (office)", get_ok(office, "/api/v1/referrals/?page=500"), **target)
    report.measure(
        f"API referrals/?box=sent page {sent} (court)",
        get_ok(court, f"/api/v1/referrals/?box=sent&page={sent}"),
        **target,
    )

    def uncached(url: str, client: Any) -> Any:
        call = get_ok(client, url)

        def run_it() -> Any:
            cache.clear()
            return call()

        return run_it

    report.measure(
        f"referrals 'addressed to us' page {inbox}, count not cached",
        uncached(f"/referrals/inbox/?page={inbox}", gov),
        **target,
    )
    report.measure(
        f"API referrals/ page 500, count of {TOTAL:,} not cached",
        uncached("/api/v1/referrals/?page=500", office),
        note="counts ≥ 5,000 are cached for 60 s",
        **target,
    )

    from datetime import date

    from members.models import MemberUnit

    region = MemberUnit.objects.get(pk=info["court"]).region_id
    result: dict[str, Any] = {}

    def figures() -> Any:
        result.update(selectors.mediation_figures(start=date(2025, 1, 1), end=date(2025, 12, 31), region=region))
        return result

    report.measure(
        "mediation figures, one year and one region",
        figures,
        target_p95_ms=100,
        target_queries=1,
        check=lambda r: None if r["delegated"] > 0 else (_ for _ in ()).throw(RuntimeError("no rows")),
    )
    report.measure(
        "mediation figures, one year, whole province",
        lambda: selectors.mediation_figures(start=date(2025, 1, 1), end=date(2025, 12, 31)),
        target_p95_ms=100,
        target_queries=1,
    )
    _intake(report, info["court"])
