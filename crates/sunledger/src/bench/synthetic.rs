//! `sunledger regions generate`: a synthetic, deterministic region table shaped like the national
//! statistical division table, for benchmarks and tests.
//!
//! The national shape is 31 provinces (the real codes and names), 340 prefecture-level cities
//! (a few of them without counties, like 441900, whose townships sit directly under the city),
//! 2,978 county-level units, 41,352 townships and 620,573 villages: 665,274 rows. Codes follow the
//! real layout: county segment 01-20 districts (区), 21-80 counties (县), 81-99 county-level cities;
//! township segment 001-099 sub-districts (街道), 100-199 towns (镇), 200-398 townships (乡);
//! village segment 001-199 residents' committees (社区/居委会), 200-399 villages (村). Names are
//! made of common place-name characters. Rows are written depth-first, as the real tables are.
//!
//! `broken` rows can be interleaved, each right after a village and each rejected by the importer
//! for exactly one reason without rejecting anything else: a malformed code, a village under a
//! township that does not exist (township segment 399 is never generated), or a repeat of the
//! village just written under another name.
//!
//! Output: UTF-8 CSV with the header `code,name,level` (level: province, city, county, township,
//! village). Everything is derived from the seed with a local splitmix64 generator, so a seed gives
//! the same bytes on every platform and with every dependency version.
use anyhow::{anyhow, bail};
use std::io::{BufWriter, Write};
use std::path::Path;

/// How many regions of each level to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// At most 31.
    pub provinces: usize,
    /// Prefecture-level units, including `countyless_cities`.
    pub cities: usize,
    /// Prefecture-level cities without counties (their townships hang directly under the city).
    pub countyless_cities: usize,
    pub counties: usize,
    pub townships: usize,
    pub villages: usize,
}

impl Shape {
    /// The national table: 665,274 rows.
    pub const NATIONAL: Shape = Shape {
        provinces: 31,
        cities: 340,
        countyless_cities: 4,
        counties: 2978,
        townships: 41_352,
        villages: 620_573,
    };

    /// A table of a few hundred rows for tests: 2 provinces, 3 cities (one without counties),
    /// 4 counties, 30 townships, 300 villages.
    pub const SMALL: Shape = Shape {
        provinces: 2,
        cities: 3,
        countyless_cities: 1,
        counties: 4,
        townships: 30,
        villages: 300,
    };

    /// The national proportions scaled to `counties` county-level units.
    pub fn scaled(counties: usize) -> Shape {
        let n = Shape::NATIONAL;
        let part = |x: usize| {
            ((x as u128 * counties as u128 + n.counties as u128 / 2) / n.counties as u128) as usize
        };
        let provinces = part(n.provinces).clamp(1, 31);
        let countyless = part(n.countyless_cities);
        let cities = part(n.cities).max(provinces).max(countyless + 1);
        Shape {
            provinces,
            cities,
            countyless_cities: countyless,
            counties: counties.max(cities - countyless),
            townships: part(n.townships).max(counties),
            villages: part(n.villages),
        }
    }

    /// `small`, `national`, or a number of counties (national proportions).
    pub fn from_scale(scale: &str) -> Option<Shape> {
        match scale.trim() {
            "small" => Some(Shape::SMALL),
            "national" => Some(Shape::NATIONAL),
            s => s
                .parse::<usize>()
                .ok()
                .filter(|&n| n > 0)
                .map(Shape::scaled),
        }
    }

    pub fn rows(&self) -> u64 {
        (self.provinces + self.cities + self.counties + self.townships + self.villages) as u64
    }
}

/// What was written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GenSummary {
    /// Data rows written (header excluded), broken rows included.
    pub rows: u64,
    /// Good rows per level, province first.
    pub per_level: [u64; 5],
    /// Broken rows written (each one is rejected by the importer).
    pub broken: u64,
}

/// Writes a synthetic table of `shape` to `path`. See the module documentation.
pub fn write_synthetic_table(
    path: &Path,
    seed: u64,
    shape: &Shape,
    broken: usize,
) -> std::io::Result<GenSummary> {
    let file = std::fs::File::create(path)?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let summary = write_synthetic(&mut out, seed, shape, broken)?;
    out.flush()?;
    out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    Ok(summary)
}

/// The CLI command `sunledger regions generate --out FILE --seed N --scale small|national|COUNTIES
/// [--broken K]`: writes the table and prints what it wrote on stdout.
pub fn run_generate_cli(out: &Path, seed: u64, scale: &str, broken: usize) -> anyhow::Result<()> {
    let Some(shape) = Shape::from_scale(scale) else {
        bail!("--scale {scale:?}: expected `small`, `national` or a number of counties");
    };
    let s = write_synthetic_table(out, seed, &shape, broken)
        .map_err(|e| anyhow!("cannot write {}: {e}", out.display()))?;
    let [p, c, d, t, v] = s.per_level;
    println!(
        "wrote {} rows to {}: {p} provinces, {c} cities, {d} counties, {t} townships, {v} villages, {} broken",
        s.rows,
        out.display(),
        s.broken
    );
    Ok(())
}

/// splitmix64: tiny, fast and fully specified, so output never changes with a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: u64) -> u64 {
        ((self.next() as u128 * n as u128) >> 64) as u64
    }
    /// True with probability `percent`/100.
    fn percent(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items
            .get(self.below(items.len() as u64) as usize)
            .copied()
            .unwrap_or("")
    }
}

const PROVINCES: [(&str, &str); 31] = [
    ("11", "北京市"),
    ("12", "天津市"),
    ("13", "河北省"),
    ("14", "山西省"),
    ("15", "内蒙古自治区"),
    ("21", "辽宁省"),
    ("22", "吉林省"),
    ("23", "黑龙江省"),
    ("31", "上海市"),
    ("32", "江苏省"),
    ("33", "浙江省"),
    ("34", "安徽省"),
    ("35", "福建省"),
    ("36", "江西省"),
    ("37", "山东省"),
    ("41", "河南省"),
    ("42", "湖北省"),
    ("43", "湖南省"),
    ("44", "广东省"),
    ("45", "广西壮族自治区"),
    ("46", "海南省"),
    ("50", "重庆市"),
    ("51", "四川省"),
    ("52", "贵州省"),
    ("53", "云南省"),
    ("54", "西藏自治区"),
    ("61", "陕西省"),
    ("62", "甘肃省"),
    ("63", "青海省"),
    ("64", "宁夏回族自治区"),
    ("65", "新疆维吾尔自治区"),
];
const MUNICIPALITIES: [&str; 4] = ["11", "12", "31", "50"];

/// Characters common in Chinese place names.
const SYLLABLES: &[&str] = &[
    "东", "西", "南", "北", "中", "上", "下", "前", "后", "大", "小", "新", "老", "高", "长", "安",
    "平", "和", "兴", "隆", "龙", "凤", "金", "银", "石", "桥", "河", "山", "岭", "坪", "沟", "湾",
    "塘", "溪", "庄", "寨", "岗", "坝", "营", "堡", "林", "松", "柏", "柳", "杨", "桃", "花", "青",
    "白", "红", "黄", "马", "牛", "羊", "鹤", "云", "水", "泉", "湖", "江", "田", "丰", "宁", "康",
    "福", "寿", "永", "泰", "盛", "旺", "昌", "华", "明", "光", "阳", "春", "清", "源", "德", "仁",
    "义", "家", "坡", "口", "坳", "铺", "店", "集", "关", "园", "坊", "场", "里", "岩", "洞", "峰",
    "川", "洲", "滩", "茶",
];

fn place_name(rng: &mut Rng, suffix: &str) -> String {
    let mut s = String::with_capacity(16);
    let len = if rng.percent(80) { 2 } else { 3 };
    for _ in 0..len {
        s.push_str(rng.pick(SYLLABLES));
    }
    s.push_str(suffix);
    s
}

/// Splits `total` over `buckets`, each at least 1 (when `total` allows) and at most `cap`, with
/// random weights. Exact unless `total` exceeds `buckets * cap` (the excess is dropped).
fn distribute(rng: &mut Rng, total: usize, buckets: usize, cap: usize) -> Vec<usize> {
    if buckets == 0 {
        return Vec::new();
    }
    let cap = cap.max(1);
    let total = total.min(buckets * cap);
    let base = usize::from(total >= buckets);
    let mut out = vec![base; buckets];
    let rest = total - base * buckets;
    let weights: Vec<u64> = (0..buckets).map(|_| 200 + rng.below(1000)).collect();
    let sum: u64 = weights.iter().sum();
    let mut given = 0;
    for (o, w) in out.iter_mut().zip(&weights) {
        let share = (rest as u128 * *w as u128 / sum as u128) as usize;
        *o += share;
        given += share;
    }
    // The rounding remainder, then anything above the cap, one at a time to buckets with room.
    let mut left = rest - given;
    for o in out.iter_mut() {
        if *o > cap {
            left += *o - cap;
            *o = cap;
        }
    }
    let start = rng.below(buckets as u64) as usize;
    let mut i = start;
    while left > 0 {
        if let Some(o) = out.get_mut(i % buckets)
            && *o < cap
        {
            *o += 1;
            left -= 1;
        }
        i += 1;
    }
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum HolderKind {
    District,
    County,
    CountyCity,
    CountylessCity,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum TownKind {
    Subdistrict,
    Town,
    Township,
}

struct Writer<'a, W: Write> {
    out: &'a mut W,
    rng: Rng,
    summary: GenSummary,
    /// Villages still to come, and broken rows still to place after them (selection sampling).
    villages_left: u64,
    broken_left: u64,
    broken_kind: u64,
    /// Per township-holder (6-digit prefix) counter of "missing parent" rows.
    missing_parent_seq: u64,
}

const LEVEL_KEYS: [&str; 5] = ["province", "city", "county", "township", "village"];

impl<W: Write> Writer<'_, W> {
    fn row(&mut self, code: &str, name: &str, level: usize) -> std::io::Result<()> {
        writeln!(
            self.out,
            "{code},{name},{}",
            LEVEL_KEYS.get(level).copied().unwrap_or("")
        )?;
        self.summary.rows += 1;
        if let Some(n) = self.summary.per_level.get_mut(level) {
            *n += 1;
        }
        Ok(())
    }

    fn broken_row(&mut self, code: String, name: &str) -> std::io::Result<()> {
        writeln!(self.out, "{code},{name},village")?;
        self.summary.rows += 1;
        self.summary.broken += 1;
        Ok(())
    }

    /// After each village: maybe a broken row, so that exactly the requested number is placed.
    fn maybe_broken(&mut self, village: &str, name: &str, holder: &str) -> std::io::Result<()> {
        let pick = self.broken_left > 0 && self.rng.below(self.villages_left) < self.broken_left;
        self.villages_left = self.villages_left.saturating_sub(1);
        if !pick {
            return Ok(());
        }
        self.broken_left -= 1;
        let k = self.broken_kind;
        self.broken_kind += 1;
        match k % 3 {
            0 => {
                let code = match (k / 3) % 4 {
                    0 => format!("{village}0"),
                    1 => format!("{}X", village.get(..11).unwrap_or(village)),
                    2 => format!(
                        "{}000{}",
                        village.get(..6).unwrap_or(""),
                        village.get(9..).unwrap_or("")
                    ),
                    _ => format!("{}.0", village.get(..9).unwrap_or("")),
                };
                self.broken_row(code, "坏码村")
            }
            1 => {
                // Township segment 399 is never generated, so the parent does not exist.
                self.missing_parent_seq += 1;
                let seq = 1 + self.missing_parent_seq % 399;
                let code = format!("{holder}399{seq:03}");
                let name = place_name(&mut self.rng, "村");
                self.broken_row(code, &name)
            }
            _ => self.broken_row(village.to_string(), &format!("新{name}")),
        }
    }
}

/// Writes a synthetic table of `shape` to `out`. See the module documentation.
pub fn write_synthetic<W: Write>(
    out: &mut W,
    seed: u64,
    shape: &Shape,
    broken: usize,
) -> std::io::Result<GenSummary> {
    let mut rng = Rng(seed);
    // Decide the whole tree's numbers first, then write it depth-first.
    let nprov = shape.provinces.clamp(1, PROVINCES.len());
    let provinces: Vec<(&str, &str)> = if nprov == PROVINCES.len() {
        PROVINCES.to_vec()
    } else {
        let mut all = PROVINCES.to_vec();
        for i in 0..nprov {
            let j = i + rng.below((all.len() - i) as u64) as usize;
            all.swap(i, j);
        }
        all.truncate(nprov);
        all.sort();
        all
    };
    let ncities = shape.cities.max(nprov);
    let countyless = shape.countyless_cities.min(ncities.saturating_sub(1));
    let cities_per_prov = distribute(&mut rng, ncities, nprov, 70);
    // Which cities have no counties: spread over the table, never a municipality's.
    let mut countyless_at = vec![false; ncities];
    let mut placed = 0;
    let mut guard = 0;
    while placed < countyless && guard < 100 * ncities {
        guard += 1;
        let i = rng.below(ncities as u64) as usize;
        let mut p = 0;
        let mut first = 0;
        for (k, n) in cities_per_prov.iter().enumerate() {
            if i < first + n {
                p = k;
                break;
            }
            first += n;
        }
        let muni = provinces
            .get(p)
            .is_some_and(|(c, _)| MUNICIPALITIES.contains(c));
        if let Some(slot) = countyless_at.get_mut(i)
            && !*slot
            && !muni
        {
            *slot = true;
            placed += 1;
        }
    }
    let with_counties = countyless_at.iter().filter(|c| !**c).count();
    let counties_per_city = distribute(
        &mut rng,
        shape.counties.max(with_counties),
        with_counties,
        95,
    );
    let holders = counties_per_city.iter().sum::<usize>() + placed;
    let towns_per_holder = distribute(&mut rng, shape.townships.max(holders), holders, 398);
    let ntowns: usize = towns_per_holder.iter().sum();
    let villages_per_town = distribute(&mut rng, shape.villages, ntowns, 399);
    let total_villages: usize = villages_per_town.iter().sum();

    let mut w = Writer {
        out,
        rng,
        summary: GenSummary::default(),
        villages_left: total_villages as u64,
        broken_left: broken.min(total_villages) as u64,
        broken_kind: 0,
        missing_parent_seq: 0,
    };
    w.out.write_all(b"code,name,level\n")?;

    let mut city_i = 0usize;
    let mut county_i = 0usize;
    let mut holder_i = 0usize;
    let mut town_i = 0usize;
    for ((pcode, pname), &ncity) in provinces.iter().zip(&cities_per_prov) {
        let muni = MUNICIPALITIES.contains(pcode);
        w.row(&format!("{pcode}0000000000"), pname, 0)?;
        for c in 0..ncity {
            let ccode = format!("{pcode}{:02}", c + 1);
            let is_countyless = countyless_at.get(city_i).copied().unwrap_or(false);
            city_i += 1;
            let cname = if muni {
                if c == 0 {
                    "市辖区".to_string()
                } else {
                    "县".to_string()
                }
            } else if is_countyless {
                place_name(&mut w.rng, "市")
            } else {
                let suffix = match w.rng.below(100) {
                    0..=79 => "市",
                    80..=91 => "自治州",
                    92..=96 => "地区",
                    _ => "盟",
                };
                place_name(&mut w.rng, suffix)
            };
            w.row(&format!("{ccode}00000000"), &cname, 1)?;
            if is_countyless {
                let nt = towns_per_holder.get(holder_i).copied().unwrap_or(0);
                holder_i += 1;
                write_holder(
                    &mut w,
                    &format!("{ccode}00"),
                    HolderKind::CountylessCity,
                    nt,
                    &villages_per_town,
                    &mut town_i,
                )?;
                continue;
            }
            let nc = counties_per_city.get(county_i).copied().unwrap_or(0);
            county_i += 1;
            // County segments: 01-20 districts, 21-80 counties, 81-99 county-level cities.
            let (nd, ncc) = if muni {
                (nc.min(20), 0)
            } else {
                let nd = (nc * 3 / 10).min(20);
                let ncc = ((nc - nd) / 6).min(19);
                (nd, ncc)
            };
            for k in 0..nc {
                let (seg, kind) = if k < nd {
                    (k + 1, HolderKind::District)
                } else if k < nc - ncc {
                    (21 + k - nd, HolderKind::County)
                } else {
                    (81 + k - (nc - ncc), HolderKind::CountyCity)
                };
                if seg > 99 {
                    break;
                }
                let dcode = format!("{ccode}{seg:02}");
                let dname = match kind {
                    HolderKind::District => place_name(&mut w.rng, "区"),
                    HolderKind::CountyCity => place_name(&mut w.rng, "市"),
                    _ if w.rng.percent(8) => place_name(&mut w.rng, "自治县"),
                    _ => place_name(&mut w.rng, "县"),
                };
                w.row(&format!("{dcode}000000"), &dname, 2)?;
                let nt = towns_per_holder.get(holder_i).copied().unwrap_or(0);
                holder_i += 1;
                write_holder(&mut w, &dcode, kind, nt, &villages_per_town, &mut town_i)?;
            }
        }
    }
    Ok(w.summary)
}

/// Writes the townships (and their villages) of one county, or of a city without counties.
fn write_holder<W: Write>(
    w: &mut Writer<'_, W>,
    holder: &str,
    kind: HolderKind,
    ntowns: usize,
    villages_per_town: &[usize],
    town_i: &mut usize,
) -> std::io::Result<()> {
    // Percentages of sub-districts and towns (the rest are townships).
    let (sub, town) = match kind {
        HolderKind::District => (70, 30),
        HolderKind::County => (5, 50),
        HolderKind::CountyCity => (30, 60),
        HolderKind::CountylessCity => (40, 60),
    };
    let mut kinds: Vec<TownKind> = (0..ntowns)
        .map(|_| {
            let r = w.rng.below(100);
            if r < sub {
                TownKind::Subdistrict
            } else if r < sub + town {
                TownKind::Town
            } else {
                TownKind::Township
            }
        })
        .collect();
    // Codes are listed in order: sub-districts, then towns, then townships.
    kinds.sort_by_key(|k| *k as u8);
    let (mut next_sub, mut next_town, mut next_ts) = (1usize, 100usize, 200usize);
    for k in kinds {
        // A full range spills into the next one with room (399 stays free for broken rows).
        let k = match k {
            TownKind::Subdistrict if next_sub <= 99 => TownKind::Subdistrict,
            TownKind::Subdistrict | TownKind::Town if next_town <= 199 => TownKind::Town,
            _ if next_ts <= 398 => TownKind::Township,
            _ if next_town <= 199 => TownKind::Town,
            _ => TownKind::Subdistrict,
        };
        let (seg, suffix, community_pct) = match k {
            TownKind::Subdistrict => {
                next_sub += 1;
                (next_sub - 1, "街道", 90)
            }
            TownKind::Town => {
                next_town += 1;
                (next_town - 1, "镇", 15)
            }
            TownKind::Township => {
                next_ts += 1;
                (next_ts - 1, "乡", 3)
            }
        };
        let nv = villages_per_town.get(*town_i).copied().unwrap_or(0);
        *town_i += 1;
        if seg > 399 {
            continue;
        }
        let tcode = format!("{holder}{seg:03}");
        let tname = place_name(&mut w.rng, suffix);
        w.row(&format!("{tcode}000"), &tname, 3)?;
        let communities = (0..nv)
            .filter(|_| w.rng.percent(community_pct))
            .count()
            .min(199);
        let villages = (nv - communities).min(200);
        for v in 0..communities + villages {
            let (seg, name) = if v < communities {
                let suffix = if w.rng.percent(25) {
                    "居委会"
                } else {
                    "社区"
                };
                (v + 1, place_name(&mut w.rng, suffix))
            } else {
                (200 + v - communities, place_name(&mut w.rng, "村"))
            };
            let vcode = format!("{tcode}{seg:03}");
            w.row(&vcode, &name, 4)?;
            w.maybe_broken(&vcode, &name, holder)?;
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use sunledger_core::{Level, RegionCode};

    fn generate(seed: u64, shape: &Shape, broken: usize) -> (Vec<u8>, GenSummary) {
        let mut buf = Vec::new();
        let s = write_synthetic(&mut buf, seed, shape, broken).unwrap();
        (buf, s)
    }

    #[test]
    fn deterministic() {
        let (a, _) = generate(7, &Shape::SMALL, 5);
        let (b, _) = generate(7, &Shape::SMALL, 5);
        let (c, _) = generate(8, &Shape::SMALL, 5);
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    /// Every good row is well formed, unique, and has its parent earlier in the file.
    #[test]
    fn small_shape_is_a_tree() {
        let (buf, s) = generate(1, &Shape::SMALL, 0);
        assert_eq!(s.per_level, [2, 3, 4, 30, 300]);
        assert_eq!(s.rows, Shape::SMALL.rows());
        let text = String::from_utf8(buf).unwrap();
        let mut seen: HashMap<RegionCode, String> = HashMap::new();
        let mut countyless_towns = 0;
        for line in text.lines().skip(1) {
            let mut f = line.split(',');
            let (code, name) = (f.next().unwrap(), f.next().unwrap());
            let code = RegionCode::parse(code).unwrap();
            assert_eq!(code.as_str().len(), 12);
            if let Some(p) = code.parent() {
                assert!(seen.contains_key(&p), "{code} before its parent");
            }
            if code.level() == Level::Township && code.ancestor_at(Level::County).is_none() {
                countyless_towns += 1;
            }
            assert!(!name.is_empty());
            assert!(
                seen.insert(code, name.to_string()).is_none(),
                "{code} twice"
            );
        }
        assert!(countyless_towns > 0);
    }

    #[test]
    fn broken_rows_are_counted() {
        let (buf, s) = generate(3, &Shape::SMALL, 12);
        assert_eq!(s.broken, 12);
        assert_eq!(s.rows, Shape::SMALL.rows() + 12);
        assert_eq!(
            String::from_utf8(buf).unwrap().lines().count() as u64,
            s.rows + 1
        );
    }

    #[test]
    fn national_shape() {
        let mut sink = std::io::sink();
        let s = write_synthetic(&mut sink, 42, &Shape::NATIONAL, 0).unwrap();
        assert_eq!(s.per_level, [31, 340, 2978, 41_352, 620_573]);
        assert_eq!(s.rows, 665_274);
        assert_eq!(Shape::scaled(2978), Shape::NATIONAL);
        assert_eq!(Shape::from_scale("small"), Some(Shape::SMALL));
        assert_eq!(Shape::from_scale("0"), None);
    }
}
