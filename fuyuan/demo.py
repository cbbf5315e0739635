"""The demo dataset (``manage.py load_demo``; ``settings.FUYUAN_DEMO_LOADERS``): a few records of every
kind, made through the services by the demo accounts, so that every page has something to show.

The records are spread over the levels: provincial ones (省高院 ↔ 省厅), 兰州市 ones (兰州中院 ↔ 兰州市生态环境局,
a joint meeting convened by 兰州市司法局) and 城关区 ones (城关区法院 ↔ 城关区人社局 and a 街道 mediation
committee, a meeting of 城关区司法局), so that each level's demo accounts see their own. Every record
gets its ``region``/``city`` (``members.levels.stamp``) when the service has not set them.

It is the project's wiring (it uses cases and meetings), like urls.py; loaded once (a marker meeting).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from cases.enforcement import services as enforcement
from cases.models import JudicialRecommendation, RecommendationPolicy, Referral, ReferralKind
from cases.opinions import services as opinions
from cases.recommendations import approval, followup
from cases.recommendations import services as recommendations
from cases.recommendations.alerts import stages_of
from cases.referrals import services as referrals
from fuyuan.lib.alerts import next_alert_time
from meetings.consultations import services as consultations
from meetings.decisions import services as decisions
from meetings.meetings import agenda, minutes
from meetings.meetings import services as meetings
from meetings.models import Consultation, Decision, Meeting
from members import levels
from members.demo import unit_named
from members.models import MemberUnit, Region, User, WorkTask
from plans import services as plans

MARKER = "【演示】第一次府院联席会议"
PARTY = {"role": "applicant", "name": "演示当事人", "id_number": "620102199001011234", "phone": "13812345678"}


def load(people: dict[str, User]) -> str:
    """Load the dataset unless it is there already; returns what was done, for the command to print."""
    if Meeting.objects.filter(title=MARKER).exists():
        return "Demo dataset present already: nothing loaded."
    unit = {
        short: MemberUnit.objects.get(short_name=short) for short in ("省生态环境厅", "省市场监管局", "省高级人民法院")
    }
    _recommendations(people, unit)
    _referrals(people, unit)
    _opinions(people, unit)
    _meetings(people, unit)
    levels_loaded = _levels(people)
    _plans(people, with_levels=levels_loaded)
    _enforcement(people)
    _place_unplaced()
    return (
        "Demo dataset loaded: recommendations, referrals, legal opinions, meetings with agenda, minutes and decisions,"
        " consultations,"
        " the year's work plans with progress and 督办" + (" (province, 兰州市 and 城关区)." if levels_loaded else ".")
    )


def _recommendations(people: dict[str, User], unit: dict[str, MemberUnit]) -> None:
    """The High Court's drafts go through 核稿签发 (its demo signer ``signer1``); the courts below have switched
    approval off in their policy and issue directly."""
    clerk1, clerk2 = people["clerk1"], people["clerk2"]
    _approval_off_below_the_high_court(people)
    fields: dict[str, Any] = {
        "case_number": "(2026)甘行终1号",
        "problem": "执法程序不规范。",
        "recommendation": "建议规范执法程序。",
    }
    recommendations.recommendation_create(
        by=clerk1, title="【演示】关于加强环境执法的司法建议(草稿)", addressee=unit["省生态环境厅"], **fields
    )
    issued = recommendations.recommendation_create(
        by=clerk1,
        title="【演示】关于规范行政处罚程序的司法建议",
        addressee=unit["省生态环境厅"],
        number="(2026)甘高法建字第1号",
        **fields,
    )
    issued = _signed_and_issued(people, issued)
    recommendations.recommendation_acknowledge(recommendation=issued, by=people["liaison1"])
    _followed_through(people, unit)
    other = recommendations.recommendation_create(
        by=clerk2,
        title="【演示】关于食品安全监管的司法建议",
        addressee=unit["省市场监管局"],
        number="(2026)甘01法建字第1号",
        **fields,
    )
    recommendations.recommendation_issue(recommendation=other, by=clerk2)


def _approval_off_below_the_high_court(people: dict[str, User]) -> None:
    """兰州中院 and 城关区法院 issue without 核稿签发 (a court's choice in its policy, set by the administrator)."""
    for who in ("clerk2", "clerk3"):
        court = people[who].unit if who in people else None
        if court is not None and court.kind == MemberUnit.Kind.COURT:
            RecommendationPolicy.objects.update_or_create(court=court, defaults={"approval_required": False})


def _signed_and_issued(
    people: dict[str, User], rec: JudicialRecommendation, *, issued_on: Any = None
) -> JudicialRecommendation:
    """核稿 → 签发 → 发出 at the High Court: clerk1 submits, signer1 approves, clerk1 issues."""
    clerk = people["clerk1"]
    rec = approval.recommendation_submit(recommendation=rec, by=clerk)
    rec = approval.recommendation_approve(recommendation=rec, by=people["signer1"], comment="同意发出。")
    return recommendations.recommendation_issue(recommendation=rec, by=clerk, issued_on=issued_on)


#: Every date and time a recommendation's history has, moved together by ``_earlier``.
DATES = (
    "issued_on", "issued_at", "submitted_at", "approved_at", "acknowledged_at", "delivered_on", "reply_due",
    "replied_at", "rectification_due", "rectified_at", "supervisor_informed_at", "created_at",
)  # fmt: skip


def _earlier(rec: JudicialRecommendation, days: int) -> JudicialRecommendation:
    """The demo's past: the record's whole history moved ``days`` back (the services date things today; a
    rectification deadline passed needs time to have passed), and its next alert re-armed from there."""
    shift = timedelta(days=days)
    for name in DATES:
        value = getattr(rec, name)
        if value is not None:
            setattr(rec, name, value - shift)
    rec.next_alert_at = next_alert_time(stages_of(rec), timezone.now())
    JudicialRecommendation.objects.filter(pk=rec.pk).update(
        **{name: getattr(rec, name) for name in DATES}, next_alert_at=rec.next_alert_at
    )
    return rec


def _followed_through(people: dict[str, User], unit: dict[str, MemberUnit]) -> None:
    """The High Court's recommendations in each stage of issue 17: awaiting approval, approved, delivered on
    paper, rectifying (one overdue), rectified, visited and found not rectified, and a recurrence.

    Each has its own category but the last: it repeats 第5号 (the same agency, the same category, adopted within
    the window), so it alone is a recurrence (flagged, the supervising authority told)."""
    clerk, signer, env, market = people["clerk1"], people["signer1"], unit["省生态环境厅"], unit["省市场监管局"]
    today = timezone.localdate()

    def draft(n: int, title: str, addressee: MemberUnit, category: str) -> JudicialRecommendation:
        return recommendations.recommendation_create(
            by=clerk,
            title=f"【演示】{title}",
            addressee=addressee,
            number=f"(2026)甘高法建字第{n}号",
            case_number=f"(2026)甘行终{n}号",
            category=category,
            problem="行政执法中发现的问题。",
            recommendation="建议健全制度、加强监管。",
        )

    def replied(n: int, title: str, addressee: MemberUnit, category: str, due_in: int, outcome: str = "adopted") -> Any:
        liaison = people["liaison1" if addressee == env else "liaison3"]
        rec = _signed_and_issued(people, draft(n, title, addressee, category))
        rec = recommendations.recommendation_acknowledge(recommendation=rec, by=liaison)
        return recommendations.recommendation_reply(
            recommendation=rec,
            by=liaison,
            outcome=outcome,
            content="我单位已研究,现书面回复如下。",
            measures="修订执法规程,开展专项培训。",
            rectification_due=today + timedelta(days=due_in),
        )

    approval.recommendation_submit(
        recommendation=draft(2, "关于规范行政许可审查的司法建议", market, "regulation"), by=clerk
    )
    approved = approval.recommendation_submit(
        recommendation=draft(3, "关于加强招投标监管的司法建议", market, "business"), by=clerk
    )
    approval.recommendation_approve(recommendation=approved, by=signer)
    paper = draft(4, "关于规范市场主体登记的司法建议(纸质送达)", market, "other")
    paper = _signed_and_issued(people, paper, issued_on=today - timedelta(days=5))
    followup.recommendation_mark_delivered(
        recommendation=paper, by=clerk, delivered_on=today - timedelta(days=2), signer="周某某"
    )
    # Rectifying: one past its deadline (overdue), one partly adopted still within it.
    _earlier(replied(5, "关于加强危险废物监管的司法建议", env, "environment", 0), 45)
    replied(6, "关于规范广告监管的司法建议", market, "law_enforcement", 30, "partly_adopted")
    done = replied(7, "关于规范价格监督检查的司法建议", market, "finance", 20)
    followup.recommendation_rectified(recommendation=done, by=people["liaison3"], note="已修订检查规程并完成培训。")
    visited = _earlier(replied(8, "关于规范排污许可管理的司法建议", env, "regulation", 0), 60)
    followup.recommendation_visit(
        recommendation=visited, by=clerk, result="not_rectified", note="回访发现排污许可证后监管仍未落实。"
    )
    _signed_and_issued(people, draft(9, "关于加强固体废物监管的司法建议(问题复发)", env, "environment"))


def _referrals(people: dict[str, User], unit: dict[str, MemberUnit]) -> None:
    kind = ReferralKind.objects.order_by("pk").first()
    if kind is None:
        return
    for number, receiver, send in (
        ("(2026)甘01民诉前调1号", unit["省生态环境厅"], True),
        ("(2026)甘01民诉前调2号", unit["省市场监管局"], True),
        ("(2026)甘01民诉前调3号", unit["省生态环境厅"], False),
    ):
        referral = referrals.referral_create(
            by=people["clerk1"],
            kind=kind,
            receiver=receiver,
            case_number=number,
            subject="【演示】买卖合同纠纷",
            parties=[PARTY],
        )
        if send:
            referrals.referral_send(referral=referral, by=people["clerk1"])


def _opinions(people: dict[str, User], unit: dict[str, MemberUnit]) -> None:
    """咨询意见: one waiting for the High Court's answer, one answered, one offered by the court."""
    court = unit["省高级人民法院"]
    opinions.opinion_request(
        by=people["liaison1"],
        court=court,
        kind="normative_document",
        subject="【演示】《生态环境行政处罚裁量基准(草案)》合法性论证",
        question="草案第十二条关于从轻处罚情形的规定是否与上位法一致?",
        document_title="甘肃省生态环境行政处罚裁量基准(草案)",
    )
    asked = opinions.opinion_request(
        by=people["liaison3"],
        court=court,
        kind="legal_question",
        subject="【演示】关于预付卡消费纠纷法律适用的咨询",
        question="经营者停业后预付卡余额的退还,行政机关能否责令退款?",
    )
    opinions.opinion_answer(opinion=asked, by=people["clerk1"], answer="经研究,可依照消费者权益保护法相关规定处理。")
    opinions.opinion_offer(
        by=people["clerk1"],
        requester=unit["省生态环境厅"],
        kind="major_decision",
        subject="【演示】关于重点流域生态补偿决策的法律意见",
        question="结合近年审理的环境公益诉讼案件,就生态补偿决策提出意见。",
        answer="建议明确补偿标准和资金监管程序,履行合法性审查。",
    )


def _enforcement(people: dict[str, User]) -> None:
    """Enforcement cases concluded through linkage: two of 兰州中院, one of 城关区法院 (when its clerk exists)."""
    today = timezone.localdate()
    rows = [
        ("clerk2", "（2026）甘01执12号", 20, "1280000.00", "1150000.00", "联合公安机关查控被执行人车辆"),
        ("clerk2", "（2026）甘01执35号", 8, "356800.50", "0.00", "不动产登记机构协助查封"),
        ("clerk3", "（2026）甘0102执7号", 3, "45000.00", "45000.00", "人社部门协助追索劳动报酬"),
    ]
    for who, number, days, recovered, paid, note in rows:
        clerk = people.get(who)
        if clerk is None or clerk.unit is None or clerk.unit.kind != MemberUnit.Kind.COURT:
            continue
        enforcement.enforcement_case_create(
            by=clerk,
            case_number=number,
            concluded_on=today - timedelta(days=days),
            amount_recovered=recovered,
            amount_paid=paid,
            note=f"【演示】{note}",
        )


def _meetings(people: dict[str, User], unit: dict[str, MemberUnit]) -> None:
    office = people["office1"]
    office_unit = office.unit
    assert office_unit is not None  # the demo office user belongs to 省司法厅
    now = timezone.now().replace(second=0, microsecond=0)
    invited = [unit["省生态环境厅"], unit["省市场监管局"], unit["省高级人民法院"]]
    held = meetings.meeting_create(
        by=office,
        kind=Meeting.Kind.JOINT_MEETING,
        title=MARKER,
        convener=office_unit,
        starts_at=now - timedelta(days=3),
        ends_at=now - timedelta(days=3) + timedelta(hours=2),
        invited_units=invited,
        location="省司法厅三楼会议室",
        now=now - timedelta(days=10),
    )
    agenda.agenda_add(meeting=held, by=office, title="【演示】通报司法建议办理情况", minutes=20)
    agenda.agenda_add(meeting=held, by=office, title="【演示】研究诉调对接工作", minutes=30)
    meetings.meeting_hold(meeting=held, by=office, now=now)
    minutes.minutes_save(meeting=held, by=office, body="【演示】会议听取了司法建议办理情况的通报,研究了诉调对接工作。")
    for text, owner, days in (
        ("【演示】完善诉调对接机制", "省高级人民法院", 30),
        ("【演示】整改执法问题", "省生态环境厅", 5),
    ):
        decisions.decision_add(
            meeting=held, by=office, text=text, owner_unit=unit[owner], due=timezone.localdate() + timedelta(days=days)
        )
    minutes.minutes_circulate(meeting=held, by=office, confirm_by=timezone.localdate() + timedelta(days=7))
    upcoming = meetings.meeting_create(
        by=office,
        kind=Meeting.Kind.JOINT_MEETING,
        title="【演示】第二次府院联席会议",
        convener=office_unit,
        starts_at=now + timedelta(days=14),
        ends_at=now + timedelta(days=14, hours=2),
        invited_units=invited,
        location="省司法厅三楼会议室",
    )
    agenda.agenda_add(meeting=upcoming, by=office, title="【演示】议定事项落实情况", minutes=30)
    agenda.proposal_submit(meeting=upcoming, by=people["liaison1"], title="【演示】提议:环境公益诉讼衔接")
    consultations.consultation_log(
        by=office,
        topic_kind="routine",
        held_on=timezone.localdate() - timedelta(days=3),
        units=invited,
        topic="【演示】诉调对接工作会商",
        meeting=held,
    )
    consultations.consultation_log(
        by=people["liaison1"],
        topic_kind="routine",
        held_on=timezone.localdate(),
        units=[unit["省生态环境厅"], unit["省高级人民法院"]],
        topic="【演示】环境案件个案会商",
    )


def _levels(people: dict[str, User]) -> bool:
    """The 兰州市 and 城关区 records, made by those levels' demo accounts (when the tree and accounts exist)."""
    if not all(name in people for name in ("office2", "office3", "clerk2", "clerk3", "liaison4", "liaison5")):
        return False
    unit = {name: unit_named(name) for name in ("兰州市生态环境局", "城关区人社局", "张掖路街道调委会", "兰州中院")}
    fields: dict[str, Any] = {"problem": "执法程序不规范。", "recommendation": "建议规范执法程序。"}
    county = recommendations.recommendation_create(
        by=people["clerk3"],
        title="【演示】关于规范劳动保障监察执法的司法建议",
        addressee=unit["城关区人社局"],
        number="(2026)甘0102法建字第1号",
        case_number="(2026)甘0102行初1号",
        **fields,
    )
    county = recommendations.recommendation_issue(recommendation=county, by=people["clerk3"])
    recommendations.recommendation_acknowledge(recommendation=county, by=people["liaison4"])
    city = recommendations.recommendation_create(
        by=people["clerk2"],
        title="【演示】关于加强大气污染防治执法的司法建议",
        addressee=unit["兰州市生态环境局"],
        number="(2026)甘01法建字第2号",
        case_number="(2026)甘01行终2号",
        **fields,
    )
    recommendations.recommendation_issue(recommendation=city, by=people["clerk2"])
    kind = ReferralKind.objects.filter(code="mediation").first() or ReferralKind.objects.order_by("pk").first()
    if kind is not None:
        for number, clerk, receiver, subject in (
            ("(2026)甘0102民诉前调1号", "clerk3", "张掖路街道调委会", "【演示】物业服务合同纠纷"),
            ("(2026)甘0102民诉前调2号", "clerk3", "城关区人社局", "【演示】追索劳动报酬纠纷"),
        ):
            referral = referrals.referral_create(
                by=people[clerk], kind=kind, receiver=unit[receiver], case_number=number, subject=subject,
                parties=[PARTY],
            )  # fmt: skip
            referrals.referral_send(referral=referral, by=people[clerk])
    _level_meetings(people, unit)
    return True


def _level_meetings(people: dict[str, User], unit: dict[str, MemberUnit]) -> None:
    now = timezone.now().replace(second=0, microsecond=0)
    office2, office3 = people["office2"], people["office3"]
    assert office2.unit is not None and office3.unit is not None  # 兰州市司法局, 兰州市城关区司法局
    meetings.meeting_create(
        by=office2,
        kind=Meeting.Kind.JOINT_MEETING,
        title="【演示】兰州市府院联席会议",
        convener=office2.unit,
        starts_at=now + timedelta(days=10),
        ends_at=now + timedelta(days=10, hours=2),
        invited_units=[unit["兰州中院"], unit["兰州市生态环境局"], office3.unit],
        location="兰州市司法局会议室",
    )
    county_court = people["clerk3"].unit
    assert county_court is not None  # 兰州市城关区人民法院
    held = meetings.meeting_create(
        by=office3,
        kind=Meeting.Kind.JOINT_MEETING,
        title="【演示】城关区府院联动专题会议",
        convener=office3.unit,
        starts_at=now - timedelta(days=2),
        ends_at=now - timedelta(days=2) + timedelta(hours=2),
        invited_units=[county_court, unit["城关区人社局"], unit["张掖路街道调委会"]],
        location="城关区司法局会议室",
        now=now - timedelta(days=8),
    )
    meetings.meeting_hold(meeting=held, by=office3, now=now)
    decisions.decision_add(
        meeting=held,
        by=office3,
        text="【演示】建立欠薪纠纷诉前调解对接机制",
        owner_unit=unit["城关区人社局"],
        due=timezone.localdate() + timedelta(days=20),
    )
    consultations.consultation_log(
        by=people["liaison4"],
        topic_kind="major_case",
        held_on=timezone.localdate() - timedelta(days=1),
        units=[unit["城关区人社局"], county_court],
        topic="【演示】欠薪案件联动会商",
    )
    consultations.consultation_log(
        by=people["clerk2"],
        topic_kind="legal_issue",
        held_on=timezone.localdate() - timedelta(days=4),
        units=[unit["兰州中院"], unit["兰州市生态环境局"]],
        topic="【演示】大气污染防治执法衔接会商",
    )


def _place_unplaced() -> None:
    """Stamp the demo records the services left without a place (``members.levels.stamp``); a record
    with a region but no 市州 gets its region's."""
    demo = "【演示】"
    for model, search, parties in (
        (JudicialRecommendation, "title", ("court", "addressee")),
        (Referral, "subject", ("sender", "receiver")),
        (Meeting, "title", ("convener",)),
        (Consultation, "topic", ("logging_unit",)),
    ):
        mine = model.objects.filter(**{f"{search}__startswith": demo})
        for record in mine.filter(region__isnull=True).select_related(*[f"{p}__region" for p in parties]):
            levels.stamp(record, *[getattr(record, p) for p in parties])
            model.objects.filter(pk=record.pk).update(region=record.region, city_id=record.city_id)
        cities = dict(Region.objects.values_list("pk", "city_id"))
        for pk, region_id in mine.filter(city__isnull=True).values_list("pk", "region_id"):
            if cities.get(region_id) is not None:  # a record of a 市州 or 县市区 without its 市州
                model.objects.filter(pk=pk).update(city_id=cities[region_id])
    for decision in Decision.objects.filter(region__isnull=True, text__startswith=demo).select_related("meeting"):
        meeting = decision.meeting
        Decision.objects.filter(pk=decision.pk).update(region_id=meeting.region_id, city_id=meeting.city_id)


# The year's work points under the ten tasks (the transcript's measures), by task number: (text, lead unit,
# supporting units, days from today to the due date; negative: already overdue).
PROVINCE_ITEMS: list[tuple[int, str, str, tuple[str, ...], int]] = [
    (1, "推动行政机关负责人出庭应诉,实现负责人出庭应诉率100%", "省司法厅", ("省高级人民法院",), 120),
    (1, "各级政府和法院开展行政争议特点规律分析研判,发布行政审判白皮书", "省高级人民法院", ("省司法厅",), 150),
    (2, "健全破产案件简易审理机制,府院协同处置职工安置等破产衍生问题", "省高级人民法院", ("省人力资源社会保障厅",), 90),
    (2, "建立困境企业动态监测和破产企业信息共享制度", "省发展改革委", ("省高级人民法院", "省市场监管局"), -5),
    (3, "健全社会信用体系,加强社会信用基础信息共享", "省发展改革委", ("人行兰州中心支行",), 100),
    (3, "依法保护中小投资者权益,清理涉企政策中的不平等规定", "省市场监管局", ("省司法厅",), 60),
    (
        5,
        "建立省级环境执法与环境司法协同联动机制,通报、会商重大环境违法案件",
        "省生态环境厅",
        ("省高级人民法院",),
        45,
    ),
    (5, "联合开展黄河流域甘肃段和祁连山保护区生态环境保护专项行动", "省生态环境厅", ("省林业和草原局",), 200),
    (7, "建设“点对点”司法查控系统,健全查找被执行人协作联动机制", "省公安厅", ("省高级人民法院", "甘肃银保监局"), 80),
    (7, "建立民事执行与税务部门税费征缴协作机制", "省税务局", ("省高级人民法院",), 130),
    (8, "深化“点对点”在线诉调对接,推动纠纷诉前化解", "省司法厅", ("省高级人民法院",), 110),
    (9, "发挥信访工作联席会议机制作用,拓宽司法救助资金渠道", "省信访局", ("省财政厅", "省高级人民法院"), 140),
]
CITY_ITEMS: list[tuple[int, str, str, tuple[str, ...], int]] = [
    (5, "建立兰州市环境执法与环境司法衔接机制,定期通报大气污染防治案件", "兰州市生态环境局", ("兰州中院",), 70),
    (8, "推动城关区欠薪纠纷诉前调解对接,实现街道调委会全覆盖", "城关区人社局", ("张掖路街道调委会",), 40),
]


def _due(days: int) -> Any:
    """A due date ``days`` from today, kept inside the current year (a plan's items are due in its year)."""
    today = timezone.localdate()
    return min(max(today + timedelta(days=days), today.replace(month=1, day=1)), today.replace(month=12, day=31))


def _plan(office: User, region: Region, rows: list[tuple[int, str, str, tuple[str, ...], int]]) -> list[Any]:
    task = {t.number: t for t in WorkTask.objects.all()}
    plan = plans.plan_create(by=office, year=timezone.localdate().year, region=region)
    items = []
    for number, text, lead, supporting, days in rows:
        units = [unit_named(u) for u in supporting]
        items.append(
            plans.item_add(
                plan=plan,
                by=office,
                task=task[number],
                text=text,
                lead_unit=unit_named(lead),
                due=_due(days),
                supporting_units=units,
            )
        )
    plans.plan_publish(plan=plan, by=office)
    return items


def _plans(people: dict[str, User], *, with_levels: bool) -> None:
    """A published provincial plan for the current year (progress, one open 督办, one item reported done and
    awaiting acceptance) and a 兰州市 plan, through the services by the demo accounts."""
    office1, liaison1, liaison3 = people["office1"], people["liaison1"], people["liaison3"]
    province = Region.objects.filter(parent__isnull=True).order_by("pk").first()
    if province is None or office1.unit is None:
        return
    items = {item.text: item for item in _plan(office1, province, PROVINCE_ITEMS)}
    environment = items[PROVINCE_ITEMS[6][1]]
    plans.progress_report(item=environment, by=liaison1, text="已起草协同联动机制文件,征求省法院意见", percent=60)
    plans.item_complete(item=environment, by=liaison1, summary="《环境执法与环境司法协同联动机制》已联合印发")
    campaign = items[PROVINCE_ITEMS[7][1]]
    plans.progress_report(item=campaign, by=liaison1, text="祁连山保护区专项行动已启动,完成首轮排查", percent=30)
    investors = items[PROVINCE_ITEMS[5][1]]
    plans.progress_report(item=investors, by=liaison3, text="已梳理涉企政策文件126件", percent=20)
    plans.supervision_issue(
        item=investors,
        by=office1,
        text="该事项进度滞后,请于答复时限前书面说明原因及下一步措施。",
        due=_due(5),
    )
    office2 = people.get("office2")
    if with_levels and office2 is not None and office2.unit is not None and office2.unit.region is not None:
        _plan(office2, office2.unit.region, CITY_ITEMS)  # 兰州市: its office drafts and publishes it
