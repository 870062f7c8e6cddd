//! What the demo library is made of: where projects end up ([`Scenario`] and the patterns
//! cycled through), project templates, milestones and objections.
use Scenario as S;
use sunledger_core::project::{Category, Status};

/// Where a demo project ends up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scenario {
    Draft,
    Declared,
    ReturnedToVillage,
    /// Under notice since `days` days, with `objections` recorded of which `answered` answered.
    Noticed {
        days: i64,
        objections: u8,
        answered: u8,
    },
    ReturnedToTownship,
    /// In the library (recorded with the city or not), in an implementation status.
    Library {
        recorded: bool,
        status: Status,
    },
    Revoked,
}

pub(super) const fn lib(recorded: bool, status: Status) -> Scenario {
    S::Library { recorded, status }
}
pub(super) const fn noticed(days: i64, objections: u8, answered: u8) -> Scenario {
    S::Noticed {
        days,
        objections,
        answered,
    }
}

/// The mix of outcomes, cycled through each county's projects.
pub(super) const PATTERN: [Scenario; 24] = [
    lib(false, Status::InProgress),
    lib(true, Status::InProgress),
    noticed(3, 0, 0),
    lib(false, Status::Planned),
    lib(true, Status::Completed),
    S::Declared,
    lib(true, Status::Accepted),
    noticed(12, 1, 1),
    lib(false, Status::InProgress),
    S::Draft,
    lib(true, Status::Evaluated),
    S::ReturnedToVillage,
    lib(true, Status::InProgress),
    noticed(6, 2, 1),
    lib(false, Status::Completed),
    S::ReturnedToTownship,
    lib(true, Status::Planned),
    lib(true, Status::Evaluated),
    S::Declared,
    S::Revoked,
    lib(false, Status::Accepted),
    noticed(13, 1, 0),
    lib(true, Status::InProgress),
    S::Draft,
];

/// The featured village's own projects: one in every stage and status (besides the two projects
/// of the demo ledger, approved and in progress).
pub(super) const FEATURED: [Scenario; 12] = [
    S::Draft,
    S::Declared,
    S::ReturnedToVillage,
    noticed(4, 1, 0),
    noticed(12, 1, 1),
    S::ReturnedToTownship,
    lib(false, Status::Planned),
    lib(true, Status::InProgress),
    lib(true, Status::Completed),
    lib(true, Status::Accepted),
    lib(true, Status::Evaluated),
    S::Revoked,
];

/// A kind of project: its name (after the village's name), outputs (`{n}` is drawn from `n`,
/// `{h}` is the households), the income effect (`{m}` drawn from `m`), households and budget in
/// units of 10,000 yuan (万元).
pub(super) struct Template {
    pub(super) category: Category,
    pub(super) name: &'static str,
    pub(super) outputs: &'static str,
    pub(super) n: (i64, i64),
    pub(super) income: &'static str,
    pub(super) m: (i64, i64),
    pub(super) households: (i64, i64),
    pub(super) wan: (i64, i64),
}

#[allow(clippy::too_many_arguments)]
const fn t(
    category: Category,
    name: &'static str,
    outputs: &'static str,
    n: (i64, i64),
    income: &'static str,
    m: (i64, i64),
    households: (i64, i64),
    wan: (i64, i64),
) -> Template {
    Template {
        category,
        name,
        outputs,
        n,
        income,
        m,
        households,
        wan,
    }
}

pub(super) const GAIN: &str = "带动受益户户均年增收 {m} 元";
#[rustfmt::skip]
pub(super) const TEMPLATES: [Template; 37] = [
    t(Category::Industry, "肉牛养殖产业项目", "新建标准化牛舍 {n} 平方米及青贮池，购置能繁母牛", (600, 2000), GAIN, (1500, 4000), (20, 80), (60, 200)),
    t(Category::Industry, "茶园提质增效项目", "改造低产茶园 {n} 亩，新建茶叶初制厂房 1 座", (200, 1200), GAIN, (1200, 3000), (40, 200), (50, 180)),
    t(Category::Industry, "食用菌种植基地建设项目", "新建食用菌种植大棚 {n} 个及配套冷库", (20, 80), GAIN, (2000, 5000), (20, 90), (40, 120)),
    t(Category::Industry, "精品水果种植项目", "种植精品水果 {n} 亩，配套水肥一体化设施", (100, 600), GAIN, (1000, 3000), (30, 150), (30, 120)),
    t(Category::Industry, "中药材种植基地项目", "种植中药材 {n} 亩", (200, 1000), GAIN, (800, 2500), (40, 160), (25, 90)),
    t(Category::Industry, "林下生态养鸡项目", "林下养殖生态鸡 {n} 羽，新建鸡舍 6 栋", (5000, 30000), GAIN, (1000, 3000), (20, 100), (15, 60)),
    t(Category::Industry, "村级光伏电站项目", "建设村级光伏电站 {n} 千瓦", (100, 300), "村集体经济年增收 {m} 元，收益用于公益岗位和受益户分红", (60000, 200000), (30, 120), (60, 200)),
    t(Category::Industry, "蔬菜大棚建设项目", "新建钢架蔬菜大棚 {n} 亩", (30, 200), GAIN, (1500, 4000), (20, 100), (40, 150)),
    t(Category::Industry, "刺梨种植项目", "种植刺梨 {n} 亩，配套产业便道", (300, 1500), GAIN, (800, 2000), (50, 200), (30, 100)),
    t(Category::Industry, "农产品冷链仓储项目", "建设冷库 {n} 立方米及分拣车间", (500, 3000), "农产品损耗率降低，带动户均年增收 {m} 元", (500, 1500), (80, 300), (80, 250)),
    t(Category::Infrastructure, "通组公路硬化项目", "硬化通组公路 {n} 公里，路面宽 4.5 米", (2, 12), "户均年节约运输成本 {m} 元，解决 {h} 户出行难", (300, 1200), (60, 300), (80, 400)),
    t(Category::Infrastructure, "人饮安全巩固提升工程", "新建蓄水池 {n} 座，铺设供水管网", (2, 8), "巩固提升 {h} 户饮水安全，自来水普及率达 100%", (0, 0), (50, 300), (30, 120)),
    t(Category::Infrastructure, "产业路建设项目", "新建产业路 {n} 公里", (2, 10), "降低产业基地运输成本，户均年增收 {m} 元", (300, 1000), (40, 200), (60, 300)),
    t(Category::Infrastructure, "串户路硬化项目", "硬化串户路 {n} 米", (1500, 8000), "改善 {h} 户出行条件", (0, 0), (40, 200), (20, 80)),
    t(Category::Infrastructure, "农田灌溉渠道修缮项目", "修缮灌溉渠道 {n} 米", (2000, 9000), "改善灌溉面积，户均年增收 {m} 元", (300, 900), (60, 250), (30, 150)),
    t(Category::Infrastructure, "便民桥建设项目", "新建便民桥 {n} 座", (1, 3), "解决 {h} 户群众雨季出行难", (0, 0), (40, 200), (40, 160)),
    t(Category::Infrastructure, "小水窖建设项目", "新建小水窖 {n} 口", (30, 150), "解决 {h} 户生产生活用水", (0, 0), (30, 150), (15, 60)),
    t(Category::Relocation, "易地扶贫搬迁集中安置点配套设施项目", "配套建设安置点道路、给排水和公共服务设施，安置 {h} 户", (0, 0), "搬迁户就近就业，户均年增收 {m} 元", (3000, 8000), (80, 600), (300, 1500)),
    t(Category::Relocation, "安置点扶贫车间建设项目", "新建扶贫车间 {n} 平方米", (1000, 5000), "吸纳搬迁劳动力就业，人均月收入 {m} 元", (1800, 3000), (60, 300), (100, 400)),
    t(Category::Relocation, "搬迁户旧房拆除复垦项目", "拆除搬迁户旧房并复垦 {n} 亩", (50, 300), "复垦耕地流转，户均年增收 {m} 元", (300, 800), (40, 200), (50, 200)),
    t(Category::Relocation, "安置社区服务中心建设项目", "新建社区服务中心 {n} 平方米", (800, 3000), "为 {h} 户搬迁群众提供就业、医疗和教育服务", (0, 0), (150, 800), (150, 500)),
    t(Category::Education, "教学点改扩建项目", "改扩建教学用房 {n} 平方米", (300, 1200), "改善 {h} 户适龄儿童就近入学条件", (0, 0), (40, 200), (60, 250)),
    t(Category::Education, "村级幼儿园建设项目", "新建幼儿园 1 所，可容纳幼儿 {n} 名", (60, 180), "适龄幼儿就近入园", (0, 0), (50, 180), (80, 300)),
    t(Category::Education, "雨露计划职业教育补助项目", "资助职业院校在读学生 {n} 人", (20, 120), "每生每学期补助 1500 元，毕业生就业后户均年增收 {m} 元", (10000, 30000), (20, 120), (6, 36)),
    t(Category::Health, "村卫生室标准化建设项目", "新建标准化村卫生室 {n} 平方米", (80, 200), "群众小病不出村，户均年减少就医支出 {m} 元", (200, 600), (80, 400), (15, 50)),
    t(Category::Health, "家庭医生签约服务项目", "签约服务贫困人口 {n} 人", (200, 1500), "慢病患者规范管理率达 90%", (0, 0), (80, 400), (5, 25)),
    t(Category::Health, "村卫生室设备配置项目", "配置诊疗设备 {n} 台（套）", (10, 40), "户均年减少就医支出 {m} 元", (200, 500), (80, 400), (5, 20)),
    t(Category::Employment, "劳动力转移就业培训项目", "开展转移就业技能培训 {n} 人次", (50, 300), "培训后转移就业人均年增收 {m} 元", (6000, 15000), (40, 200), (5, 30)),
    t(Category::Employment, "扶贫公益性岗位开发项目", "开发护路、保洁、管水等公益性岗位 {n} 个", (10, 60), "每个岗位每月补贴 {m} 元", (500, 1000), (10, 60), (10, 60)),
    t(Category::Employment, "农村电商服务站项目", "建设村级电商服务站 1 个，培训电商人员 {n} 人", (20, 80), "农产品线上销售，户均年增收 {m} 元", (500, 1500), (30, 150), (10, 40)),
    t(Category::Ecology, "生态护林员项目", "选聘建档立卡贫困人口生态护林员 {n} 名", (10, 60), "护林员每人每年劳务报酬 {m} 元", (8000, 10000), (10, 60), (10, 60)),
    t(Category::Ecology, "石漠化综合治理项目", "治理石漠化面积 {n} 亩", (500, 3000), "林草植被覆盖率提高，户均年增收 {m} 元", (300, 800), (60, 300), (50, 250)),
    t(Category::Ecology, "退耕还林补助项目", "实施退耕还林 {n} 亩", (200, 1500), "退耕户每亩补助 1200 元，户均年增收 {m} 元", (500, 1500), (50, 250), (30, 180)),
    t(Category::Ecology, "人居环境整治项目", "新建垃圾收集池 {n} 个，整治村庄环境", (10, 40), "村庄环境明显改善", (0, 0), (80, 400), (20, 80)),
    t(Category::Other, "村集体经济发展项目", "发展村集体经济合作社 1 个，入社农户 {h} 户", (0, 0), "村集体经济年收入达到 {m} 元", (50000, 150000), (40, 200), (30, 100)),
    t(Category::Other, "扶贫小额信贷贴息项目", "为 {h} 户贫困户提供扶贫小额信贷贴息", (0, 0), "支持发展生产，户均年增收 {m} 元", (1000, 3000), (30, 150), (10, 50)),
    t(Category::Other, "村级综合服务中心建设项目", "新建村级综合服务中心 {n} 平方米", (200, 600), "为 {h} 户群众提供便民服务", (0, 0), (80, 400), (40, 120)),
];

/// Category shares of the library, percent.
pub(super) const CATEGORY_WEIGHTS: [(Category, u64); 8] = [
    (Category::Industry, 30),
    (Category::Infrastructure, 30),
    (Category::Relocation, 5),
    (Category::Education, 7),
    (Category::Health, 7),
    (Category::Employment, 8),
    (Category::Ecology, 8),
    (Category::Other, 5),
];

/// Milestones (name, weight) of a category's projects.
pub(super) fn milestones(c: Category) -> &'static [(&'static str, i64)] {
    match c {
        Category::Industry => &[
            ("基地平整和圈舍（大棚）建设", 40),
            ("种苗、畜禽采购发放", 40),
            ("技术培训和指导", 20),
        ],
        Category::Infrastructure | Category::Relocation => &[
            ("勘察设计和招标", 15),
            ("主体工程施工", 65),
            ("完工自验和资料整理", 20),
        ],
        Category::Education | Category::Health => {
            &[("招标采购", 30), ("建设和设备安装", 50), ("投入使用", 20)]
        }
        Category::Employment => &[("摸底报名", 20), ("组织实施", 60), ("就业跟踪", 20)],
        Category::Ecology => &[("作业设计", 20), ("治理施工", 60), ("管护检查", 20)],
        Category::Other => &[("方案制定", 30), ("资金拨付和实施", 70)],
    }
}

pub(super) const OBJECTIONS: [(&str, &str, &str); 4] = [
    (
        "第三村民小组村民",
        "项目选址占用我家承包地，补偿标准没有公示。",
        "经乡镇核实，占地已按县定标准补偿，补偿协议和标准已在村务公开栏张贴。",
    ),
    (
        "匿名群众（12317 热线转办）",
        "受益户名单中有两户家有小车和县城商品房，不应享受。",
        "经逐户核查并比对车辆、房产信息，其中一户不符合条件，已从名单中删除并重新公示。",
    ),
    (
        "村民代表",
        "施工单位怎么选的不清楚，希望公开招标结果。",
        "项目按规定公开招标，中标结果已在县公共资源交易中心网站和村务公开栏公示。",
    ),
    (
        "第五村民小组组长",
        "建议将道路延伸至第五村民小组，方便 20 户群众出行。",
        "已纳入下一年度项目库统筹考虑，本项目按村民代表大会决议实施。",
    ),
];

/// Days before today the featured county's earlier completed projects were declared: accepted
/// some 3½, 2½ and 1½ years ago.
pub(super) const HISTORY: [i64; 3] = [1_420, 1_050, 700];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_library_plans_cover_every_stage_and_status() {
        use sunledger_core::project::Stage;
        let stage = |s: &Scenario| match s {
            S::Draft => Stage::Draft,
            S::Declared => Stage::Declared,
            S::ReturnedToVillage => Stage::ReturnedToVillage,
            S::Noticed { .. } => Stage::Noticed,
            S::ReturnedToTownship => Stage::ReturnedToTownship,
            S::Library {
                recorded: false, ..
            } => Stage::Approved,
            S::Library { recorded: true, .. } => Stage::Recorded,
            S::Revoked => Stage::Revoked,
        };
        for plans in [&PATTERN[..], &FEATURED[..]] {
            for s in Stage::ALL {
                assert!(plans.iter().any(|p| stage(p) == *s), "{s:?}");
            }
        }
        for s in Status::ALL {
            assert!(
                PATTERN
                    .iter()
                    .any(|p| matches!(p, S::Library { status, .. } if status == s)),
                "{s:?}"
            );
        }
        // Noticed plans: objections answered and not, notices running and elapsed.
        assert!(PATTERN.iter().any(|p| matches!(p, S::Noticed { days, objections, answered } if *days >= 10 && objections > answered)));
        assert!(PATTERN.iter().any(
            |p| matches!(p, S::Noticed { days, answered, .. } if *days < 10 && *answered > 0)
        ));
        for t in &TEMPLATES {
            assert!(!milestones(t.category).is_empty());
            assert!(t.wan.0 > 0 && t.wan.0 <= t.wan.1 && t.households.0 > 0);
            assert!(t.outputs.contains("{n}") || t.outputs.contains("{h}") || t.n == (0, 0));
        }
    }
}
