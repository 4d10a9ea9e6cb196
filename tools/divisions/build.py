#!/usr/bin/env python3
"""Build config/divisions/cn.tsv, the gazetteer of PRC administrative divisions.

Inputs (see config/divisions/README.md for where they come from):
  provinces.csv  code,name                          (2-digit codes)
  cities.csv     code,name,provinceCode             (4-digit codes)
  areas.csv      code,name,cityCode,provinceCode    (6-digit codes)
  tools/divisions/extra.tsv    current rows the source lacks (台湾, 香港, 澳门)
  tools/divisions/former.tsv   hand-written former divisions

Output: cn.tsv (code, level, name, parent, short, status) sorted by code and
ambiguous.txt (names and short forms that denote more than one division).

Python 3 standard library only.
"""

import argparse
import collections
import csv
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# NBS city-level placeholders: their children hang off the province.
PSEUDO_CITIES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}

# The 56 ethnic groups, as they appear inside names of autonomous divisions
# (both with and without the trailing 族), plus 各族 (龙胜各族自治县, 隆林各族自治县).
_ETHNIC = (
    "汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 "
    "傈僳 佤 畲 高山 拉祜 水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 "
    "毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 "
    "塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺"
).split()
ETHNIC = sorted({e + "族" for e in _ETHNIC} | {e for e in _ETHNIC if len(e) >= 2} | {"各族"},
                key=len, reverse=True)

# Stems that are ordinary words (or directions, landmarks, slogans) rather than
# place names in running text; a county-level (or former) division whose
# stripped name is one of these gets no short form.  Documented in README.md.
GENERIC = set("""
城区 郊区 矿区 新区 开发区
市中 市南 市北 市东 市西 新市 西市 北市 南市 东市
城中 城东 城西 城南 城北 城关 城厢 新城 老城 古城 山城 江城 南关 北关
江北 江南 江东 江岸 江海 江汉 河东 河西 河口 临河 临江 沿河 滨海 滨湖 滨江 湖滨
桥东 桥西 路南 路北 港口 港北 港南 海港 站前 南岸 南部 中原 四方
和平 平安 光明 前进 红旗 向阳 东风 工农 新兴 新华 新建 新民 解放 振兴 复兴 胜利
友好 友谊 爱民 惠民 惠农 富民 回民 安宁 安定 安居 太平 长安 长寿 万年 万全 宏伟
东方 中方 大方 方正 共和 合作 同仁 公安 会同 通道 平和 平原 平房 康乐 乐业 兴国 兴业
兴隆 丰满 长子 江山 清水 白水 黑水 温泉 太湖 东海 南海 桃源 凤凰 莲花 铜鼓 牡丹
海棠 天涯 荷塘 麒麟 白云 青山 金山 元宝 宝塔 白塔 天桥 上街 小店 盐湖 运河 朝天
前锋 名山 高明 吉利 路桥 镶黄 正镶白 正蓝 三江 互助
大名 大城 故城 平定 平顺 和顺 灯塔 榆树 磐石 梨树 龙江 富裕 天台 无为 光泽 博爱
台前 民权 商城 洞口 资源 大英 石棉 大关 威信 武功 延长 同心 新星 白杨
""".split())

# Banner names of the form 巴林左旗, 科尔沁右翼中旗, 达尔罕茂明安联合旗: the
# stripped stem is never used on its own.
BANNER_PARTS = ("左旗", "右旗", "前旗", "中旗", "后旗", "联合旗")

# Per-row overrides, applied after the rules (code -> list of short forms).
OVERRIDES = {
    "130107": [],          # 井陉矿区: 井陉 is 井陉县
    "429021": ["神农架"],  # 神农架林区 (the only 林区; 北林区, 金林区 are ordinary 区)
    "460321": ["西沙"],    # 西沙群岛 (NBS unit under 三沙市)
    "460322": ["南沙"],    # 南沙群岛
    "460323": [],          # 中沙群岛的岛礁及其海域
    "632857": ["大柴旦"],  # 大柴旦行政委员会 (NBS unit)
}

PROVINCE_SUFFIXES = ("特别行政区", "自治区", "省", "市")
CITY_SUFFIXES = ("地区", "盟", "市")
COUNTY_SUFFIXES = ("特区", "矿区", "新区", "县", "市", "区", "旗")


def strip_ethnic(stem):
    """Strip trailing ethnic group names (广西壮族 -> 广西, 楚雄彝族 -> 楚雄,
    积石山保安族东乡族撒拉族 -> 积石山).  A stem that is nothing but an ethnic
    name is the place name itself: 东乡族 -> 东乡, 鄂伦春 -> 鄂伦春."""
    changed = True
    while changed:
        changed = False
        for e in ETHNIC:
            if stem.endswith(e) and len(stem) - len(e) >= 2:
                stem = stem[: -len(e)]
                changed = True
                break
    if stem in ETHNIC and stem.endswith("族") and len(stem) >= 3:
        stem = stem[:-1]
    return stem


def province_shorts(name):
    stem = name
    for s in PROVINCE_SUFFIXES:
        if stem.endswith(s):
            stem = stem[: -len(s)]
            break
    stem = strip_ethnic(stem)
    return [stem] if len(stem) >= 2 and stem != name else []


def city_shorts(name):
    if name.endswith("自治州"):
        stem = strip_ethnic(name[: -len("自治州")])
        return [stem + "州", stem] if len(stem) >= 2 else []
    for s in CITY_SUFFIXES:
        if name.endswith(s):
            stem = name[: -len(s)]
            return [stem] if len(stem) >= 2 else []
    return []


def county_shorts(name):
    if name.endswith(BANNER_PARTS):
        return []
    if name.endswith(("自治县", "自治旗")):
        stem = strip_ethnic(name[:-3])
    else:
        for s in COUNTY_SUFFIXES:
            # longest suffix first; fall back to the one-character suffix when
            # too little is left (清新区 -> 清新, not 清; 矿区 -> nothing)
            if name.endswith(s) and len(name) - len(s) >= 2:
                stem = name[: -len(s)]
                break
        else:
            return []
        if "族" in stem:
            stem = strip_ethnic(stem)  # 管城回族区 -> 管城, 梅里斯达斡尔族区 -> 梅里斯
    if len(stem) < 2 or stem in GENERIC or stem.endswith(("左翼", "右翼")):
        return []
    if name.endswith("自治县"):
        return [stem + "县", stem]  # 肃南裕固族自治县 is written 肃南县 as often as 肃南
    return [stem]


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def read_tsv(path):
    """Rows of a '#'-commented TSV whose last comment line names the columns."""
    header, rows = None, []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip():
                continue
            if line.startswith("#"):
                header = line[1:].split("\t")
                continue
            rows.append(dict(zip(header, line.split("\t"))))
    return rows


class Row:
    __slots__ = ("code", "level", "name", "parent", "short", "status")

    def __init__(self, code, level, name, parent, short, status):
        self.code, self.level, self.name = code, level, name
        self.parent, self.short, self.status = parent, list(short), status


def load_current(provinces_csv, cities_csv, areas_csv, extra_tsv):
    rows, skipped = [], collections.Counter()
    for r in read_csv(provinces_csv):
        rows.append(Row(r["code"].ljust(6, "0"), "province", r["name"], "", [], "current"))
    pseudo, city_name = set(), {}
    for r in read_csv(cities_csv):
        city_name[r["code"]] = r["name"]
        if r["name"] in PSEUDO_CITIES:
            pseudo.add(r["code"])
            skipped["pseudo city " + r["name"]] += 1
            continue
        rows.append(Row(r["code"].ljust(6, "0"), "city", r["name"],
                        r["provinceCode"].ljust(6, "0"), [], "current"))
    for r in read_csv(areas_csv):
        code = r["code"]
        if code[4] == "7":
            # NBS-only codes 71-79: 经济技术开发区, 高新区, 管理区 ...
            skipped["NBS development zone (xxxx7x)"] += 1
            continue
        city = r["cityCode"]
        if city not in pseudo and r["name"] == city_name.get(city):
            # 东莞市, 中山市, 儋州市, 嘉峪关市: a prefecture-level city without
            # county-level divisions, repeated by NBS at county level.
            skipped["county-level repeat of its own city"] += 1
            continue
        parent = r["provinceCode"].ljust(6, "0") if city in pseudo else city.ljust(6, "0")
        rows.append(Row(code, "county", r["name"], parent, [], "current"))
    if extra_tsv:
        for r in read_tsv(extra_tsv):
            rows.append(Row(r["code"], r["level"], r["name"], r["parent"], [], r["status"]))
    return rows, skipped


def assign_shorts(current, former):
    prov_names, prov_shorts = set(), set()
    for r in current:
        if r.level == "province":
            r.short = province_shorts(r.name)
            prov_names.add(r.name)
            prov_shorts.update(r.short)
    reserved = prov_names | prov_shorts
    city_words = set()
    for r in current:
        if r.level == "city":
            r.short = [s for s in city_shorts(r.name) if s not in reserved]
            city_words.add(r.name)
            city_words.update(r.short)
    reserved_for_county = reserved | city_words
    for r in current:
        if r.level == "county":
            r.short = [s for s in county_shorts(r.name) if s not in reserved_for_county]
    for r in current:
        if r.code in OVERRIDES:
            r.short = list(OVERRIDES[r.code])
    # A short form must not be the full name of another current division.
    names = {r.name for r in current}
    for r in current:
        r.short = [s for s in r.short if s not in names or s == r.name]
    # Former rows: the current gazetteer wins every clash.
    taken = names | {s for r in current for s in r.short}
    for r, given in former:
        if given == "-":
            r.short = []
        elif given:
            r.short = [s for s in given.split(",") if s]
        else:
            gen = {"province": province_shorts, "city": city_shorts,
                   "county": county_shorts}[r.level](r.name)
            r.short = [s for s in gen if s not in taken and s not in GENERIC]


def load_former(former_tsv):
    out = []
    for r in read_tsv(former_tsv):
        out.append((Row(r["code"], r["level"], r["name"], r["successor"], [], "former"),
                    r.get("short", "")))
    return out


def check(rows):
    errors = []
    current_level = {r.code: r.level for r in rows if r.status == "current"}
    current_codes = set(current_level)
    seen = set()
    for r in rows:
        if len(r.code) != 6 or not r.code.isdigit():
            errors.append("bad code %r (%s)" % (r.code, r.name))
        if r.level not in ("province", "city", "county"):
            errors.append("bad level %r (%s)" % (r.level, r.name))
        if r.status not in ("current", "former"):
            errors.append("bad status %r (%s)" % (r.status, r.name))
        key = (r.code, r.status)
        if key in seen:
            errors.append("duplicate code+status %s %s (%s)" % (r.code, r.status, r.name))
        seen.add(key)
        if r.level == "province" and r.status == "current":
            if r.parent:
                errors.append("province %s has a parent" % r.code)
        elif r.parent not in current_codes:
            errors.append("parent %r of %s %s is not a current division" % (r.parent, r.code, r.name))
        if r.status == "current" and r.level != "province" and r.parent:
            # hierarchy sanity: a city's parent is a province; a county's a city or province
            plevel = current_level[r.parent]
            want = {"city": ("province",), "county": ("city", "province")}[r.level]
            if plevel not in want:
                errors.append("%s %s: parent %s is a %s" % (r.code, r.name, r.parent, plevel))
            if r.parent[:2] != r.code[:2]:
                errors.append("%s %s: parent %s in another province" % (r.code, r.name, r.parent))
        for s in r.short:
            if not s or "\t" in s or "," in s:
                errors.append("bad short %r of %s" % (s, r.code))
    return errors


def write_tsv(rows, path):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("#code\tlevel\tname\tparent\tshort\tstatus\n")
        for r in rows:
            f.write("\t".join([r.code, r.level, r.name, r.parent, ",".join(r.short), r.status]) + "\n")


def write_ambiguous(rows, path):
    cur = [r for r in rows if r.status == "current"]
    by_name = collections.defaultdict(list)
    for r in cur:
        by_name[r.name].append(r.code)
    by_short = collections.defaultdict(list)
    for r in cur:
        for s in r.short:
            by_short[s].append(r.code)
    by_former = collections.defaultdict(list)
    for r in rows:
        if r.status == "former" and r.name in by_name:
            by_former[r.name].append(r.code)

    def section(title, table, note):
        items = sorted(((n, c) for n, c in table.items() if len(c) > 1 or note == "former"),
                       key=lambda x: (-len(x[1]), x[0]))
        out = ["# %s (%d)" % (title, len(items))]
        for n, codes in items:
            out.append("%s\t%d\t%s" % (n, len(codes), ",".join(sorted(codes))))
        return out

    lines = ["# Generated by tools/divisions/build.py -- do not edit.",
             "# name<TAB>count<TAB>codes; sorted by count, then name.", ""]
    lines += section("current full names held by more than one division", by_name, "")
    lines.append("")
    lines += section("short forms shared by more than one current division", by_short, "")
    lines.append("")
    former_table = {n: sorted(by_name[n]) + sorted(c) for n, c in by_former.items()}
    lines += section("former names that are also a current full name "
                     "(current codes first, then former)", former_table, "former")
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines) + "\n")
    return sum(1 for c in by_name.values() if len(c) > 1)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("provinces", help="dist/provinces.csv")
    ap.add_argument("cities", help="dist/cities.csv")
    ap.add_argument("areas", help="dist/areas.csv")
    ap.add_argument("--extra", default=os.path.join(HERE, "extra.tsv"))
    ap.add_argument("--former", default=os.path.join(HERE, "former.tsv"))
    ap.add_argument("--out", default="config/divisions/cn.tsv")
    ap.add_argument("--ambiguous", default="config/divisions/ambiguous.txt")
    a = ap.parse_args(argv)

    current, skipped = load_current(a.provinces, a.cities, a.areas, a.extra)
    former = load_former(a.former)
    assign_shorts(current, former)
    rows = current + [r for r, _ in former]
    rows.sort(key=lambda r: (r.code, r.status != "current"))

    errors = check(rows)
    if errors:
        for e in errors:
            print("error:", e, file=sys.stderr)
        return 1

    write_tsv(rows, a.out)
    n_amb = write_ambiguous(rows, a.ambiguous)

    counts = collections.Counter((r.status, r.level) for r in rows)
    for status in ("current", "former"):
        print("%-8s province %4d  city %4d  county %5d" % (
            status, counts[(status, "province")], counts[(status, "city")],
            counts[(status, "county")]))
    for what, n in sorted(skipped.items()):
        print("skipped %-40s %d" % (what, n))
    print("ambiguous current full names: %d" % n_amb)
    print("rows with a short form: %d of %d" % (sum(1 for r in rows if r.short), len(rows)))
    expect = {"province": (31, 34), "city": (330, 336), "county": (2830, 2860)}
    for lvl, (lo, hi) in expect.items():
        n = counts[("current", lvl)]
        if not lo <= n <= hi:
            print("warning: %d current %s rows, expected %d..%d" % (n, lvl, lo, hi), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
