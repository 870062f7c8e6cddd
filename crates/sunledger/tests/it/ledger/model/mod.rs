//! The reference model of Book 1 and the store-only invariants (see `ledger`'s docs).
use super::*;
/// The store-only invariants (see the module docs) over the funds with id >= `min_fund`.
fn check_invariants(accs: &[RawAcc], trs: &[RawTr]) -> Result<(), String> {
    let mut replay: HashMap<i64, [i64; 4]> = HashMap::new();
    let by_id: HashMap<i64, &RawTr> = trs.iter().map(|t| (t.id, t)).collect();
    let (mut e_in, mut e_out, mut open_holds) = (0i64, 0i64, 0i64);
    // Confirmed appropriations into each account, less those reversed after confirmation.
    let mut received: HashMap<i64, i64> = HashMap::new();
    for t in trs {
        let a = t.amount;
        let mut add = |acc: Option<i64>, f: usize, v: i64| -> Result<(), String> {
            let id = acc.ok_or_else(|| format!("transfer {} lacks an account: {t:?}", t.id))?;
            replay.entry(id).or_default()[f] += v;
            Ok(())
        };
        match (t.kind.as_str(), t.state.as_deref()) {
            ("receive", _) => add(t.to, 0, a)?,
            ("appropriate", Some("received")) => {
                add(t.from, 1, a)?;
                add(t.to, 0, a)?;
                *received.entry(t.to.unwrap_or_default()).or_default() += a;
            }
            ("appropriate", Some("dispatched")) => {
                add(t.from, 1, a)?;
                add(t.to, 3, a)?;
            }
            ("arrange" | "refund", None) => {
                add(t.from, 1, a)?;
                add(t.to, 0, a)?;
            }
            ("disburse", Some("approved" | "held")) => {
                add(t.from, 2, a)?;
                open_holds += a;
            }
            ("disburse", Some("paid")) => {
                add(t.from, 1, a)?;
                e_out += a;
            }
            ("disburse", Some("voided")) => {}
            ("reverse", None) => {
                let orig = by_id
                    .get(&t.reverses.ok_or("a reversal without `reverses`")?)
                    .ok_or_else(|| format!("reversal {} of a missing transfer", t.id))?;
                if orig.from != t.to || orig.to != t.from || orig.amount != a {
                    return Err(format!("reversal {t:?} does not mirror {orig:?}"));
                }
                if orig.kind == "appropriate" && orig.state.as_deref() == Some("received") {
                    *received.entry(t.from.unwrap_or_default()).or_default() -= a;
                }
                if t.from.is_some() {
                    let unconfirmed =
                        orig.kind == "appropriate" && orig.state.as_deref() == Some("dispatched");
                    if unconfirmed {
                        add(t.from, 3, -a)?;
                    } else {
                        add(t.from, 1, a)?;
                    }
                } else {
                    e_in += a;
                }
                if t.to.is_some() {
                    add(t.to, 0, a)?;
                } else {
                    e_out += a;
                }
            }
            _ => return Err(format!("unexpected transfer kind/state: {t:?}")),
        }
        if t.from.is_none() && t.kind == "receive" {
            e_in += a;
        }
    }
    let (mut sum, mut held) = (0i64, 0i64);
    for acc in accs {
        let [c, d, h, tr] = acc.b;
        if c < 0 || d < 0 || h < 0 || tr < 0 || c - d - h < 0 {
            return Err(format!("negative balance: {acc:?}"));
        }
        let want_received = received.get(&acc.id).copied().unwrap_or_default();
        if acc.received != want_received {
            return Err(format!(
                "account {acc:?}: received {} but the confirmed appropriations into it total {want_received}",
                acc.received
            ));
        }
        let want = replay.remove(&acc.id).unwrap_or_default();
        if want != acc.b {
            return Err(format!(
                "account {acc:?}: totals {:?} but the entries say {want:?}",
                acc.b
            ));
        }
        sum += c - d + tr;
        held += h;
    }
    if let Some((id, b)) = replay.into_iter().next() {
        return Err(format!(
            "entries touch account {id} ({b:?}) that is not there"
        ));
    }
    if sum != e_in - e_out {
        return Err(format!(
            "conservation: Σ(credited − debited + in_transit) = {sum}, in − out = {e_in} − {e_out}"
        ));
    }
    if held != open_holds {
        return Err(format!(
            "Σ held = {held} but open payments total {open_holds}"
        ));
    }
    Ok(())
}

// --- 1. the model ------------------------------------------------------------------------------

/// The regions of the model, by index; `PARENT` gives each one's parent index.
const REGS: [&str; 6] = [CITY, K, K2, T, T2, V];
const PARENT: [Option<usize>; 6] = [None, Some(0), Some(0), Some(1), Some(1), Some(3)];
/// Where each case's three projects are: at the village, at the township, at the other county.
const PROJ_AT: [usize; 3] = [5, 3, 2];
/// Appropriations tried (from, to): the first five are one level down, the rest are not.
const APPROP: [(usize, usize); 8] = [
    (0, 1),
    (0, 2),
    (1, 3),
    (1, 4),
    (3, 5),
    (0, 3),
    (2, 3),
    (1, 5),
];
/// Refunds tried (from, to region): children to parents and projects to regions containing them
/// first, then some that are neither.
const REFUND: [(MO, usize); 13] = [
    (MO::R(1), 0),
    (MO::R(2), 0),
    (MO::R(3), 1),
    (MO::R(4), 1),
    (MO::R(5), 3),
    (MO::P(0), 3),
    (MO::P(0), 0),
    (MO::P(1), 1),
    (MO::P(2), 2),
    (MO::R(5), 1),
    (MO::R(3), 0),
    (MO::P(2), 1),
    (MO::P(0), 4),
];
const PAYEES: usize = 3;

fn within(mut i: usize, ancestor: usize) -> bool {
    loop {
        if i == ancestor {
            return true;
        }
        match PARENT[i] {
            Some(p) => i = p,
            None => return false,
        }
    }
}

/// A model account owner: region index or project index (of the case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum MO {
    R(usize),
    P(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum St {
    Dispatched,
    Received,
    Approved,
    Held,
    Paid,
    Voided,
}

impl St {
    fn key(self) -> &'static str {
        match self {
            St::Dispatched => "dispatched",
            St::Received => "received",
            St::Approved => "approved",
            St::Held => "held",
            St::Paid => "paid",
            St::Voided => "voided",
        }
    }
    /// The model's own payment state machine.
    fn after(self, a: PaymentAction) -> Option<St> {
        use PaymentAction as A;
        match (self, a) {
            (St::Approved, A::Hold) => Some(St::Held),
            (St::Held, A::Release) => Some(St::Approved),
            (St::Approved, A::Pay) => Some(St::Paid),
            (St::Approved | St::Held, A::Void) => Some(St::Voided),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
struct MT {
    id: i64,
    fund: i64,
    kind: TransferKind,
    from: Option<MO>,
    to: Option<MO>,
    payee: Option<usize>,
    amount: i64,
    state: Option<St>,
    reversed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Project(usize),
    Region(usize),
    Payee(usize),
}
const TARGETS: [Target; 11] = [
    Target::Project(0),
    Target::Project(1),
    Target::Project(2),
    Target::Region(0),
    Target::Region(1),
    Target::Region(2),
    Target::Region(3),
    Target::Region(4),
    Target::Region(5),
    Target::Payee(0),
    Target::Payee(1),
];

#[derive(Debug, Clone)]
struct MS {
    id: i64,
    target: Target,
    doc: String,
    active: bool,
}

#[derive(Debug, Default)]
struct Model {
    bal: BTreeMap<(i64, MO), [i64; 4]>,
    transfers: Vec<MT>,
    susp: Vec<MS>,
    funds: Vec<i64>,
}

impl Model {
    fn avail(&self, fund: i64, o: MO) -> i64 {
        let [c, d, h, _] = self.bal.get(&(fund, o)).copied().unwrap_or_default();
        c - d - h
    }
    fn add(&mut self, fund: i64, o: MO, field: usize, v: i64) {
        self.bal.entry((fund, o)).or_default()[field] += v;
    }
    /// Active suspensions stopping money into / payments from `region` (a project's region for
    /// projects), `project`, `payee`: (id, document).
    fn blocking(
        &self,
        region: usize,
        project: Option<usize>,
        payee: Option<usize>,
    ) -> Vec<(i64, String)> {
        self.susp
            .iter()
            .filter(|s| s.active)
            .filter(|s| match s.target {
                Target::Region(r) => within(region, r),
                Target::Project(p) => project == Some(p),
                Target::Payee(p) => payee == Some(p),
            })
            .map(|s| (s.id, s.doc.clone()))
            .collect()
    }
}

/// What the model says an operation must do.
#[derive(Debug, Default)]
struct Expect {
    ok: bool,
    /// When failing: a rule error is acceptable.
    rule: bool,
    /// When failing: a suspension error naming one of these is acceptable.
    suspended: Vec<(i64, String)>,
    not_found: bool,
    conflict: bool,
}

impl Expect {
    fn ok() -> Expect {
        Expect {
            ok: true,
            ..Expect::default()
        }
    }
    fn rule() -> Expect {
        Expect {
            rule: true,
            ..Expect::default()
        }
    }
    /// Refused for a suspension (any of `blk`) and/or a rule (`rule`), or fine when neither.
    fn unless(blk: Vec<(i64, String)>, rule: bool) -> Expect {
        Expect {
            ok: blk.is_empty() && !rule,
            rule,
            suspended: blk,
            ..Expect::default()
        }
    }
    fn accepts(&self, e: &StoreError) -> bool {
        match e {
            _ if self.ok => false,
            StoreError::Rule(_) => self.rule,
            StoreError::Suspended {
                id, document_no, ..
            } => self.suspended.contains(&(*id, document_no.clone())),
            StoreError::NotFound(_) => self.not_found,
            StoreError::Conflict { .. } => self.conflict,
            _ => false,
        }
    }
}

#[derive(Debug, Clone)]
enum Op {
    /// Allocate: a new fund received at the city.
    Fund {
        amount: i64,
    },
    Appropriate {
        fund: usize,
        edge: usize,
        amount: i64,
    },
    Confirm {
        pick: usize,
    },
    Arrange {
        fund: usize,
        region: usize,
        project: usize,
        amount: i64,
    },
    Refund {
        fund: usize,
        edge: usize,
        amount: i64,
    },
    /// Hold: a disbursement approved (its amount held on the project account).
    Disburse {
        fund: usize,
        project: usize,
        payee: usize,
        amount: i64,
    },
    /// Post (pay), void, hold back or release a disbursement.
    Payment {
        pick: usize,
        action: PaymentAction,
    },
    Suspend {
        target: usize,
    },
    Resume {
        pick: usize,
    },
    Reverse {
        pick: usize,
    },
}

fn op_strategy() -> impl Strategy<Value = Op> {
    let amount = (1i64..=40).prop_map(|x| x * 100);
    let action = prop_oneof![
        3 => Just(PaymentAction::Pay),
        2 => Just(PaymentAction::Void),
        1 => Just(PaymentAction::Hold),
        1 => Just(PaymentAction::Release),
    ];
    prop_oneof![
        1 => (100i64..=600).prop_map(|x| Op::Fund { amount: x * 100 }),
        3 => (0..4usize, 0..APPROP.len(), amount.clone())
            .prop_map(|(fund, edge, amount)| Op::Appropriate { fund, edge, amount }),
        3 => (0..64usize).prop_map(|pick| Op::Confirm { pick }),
        // Mostly from the city, which has the money, so that projects get some to pay out.
        4 => (0..4usize, prop_oneof![2 => Just(0usize), 1 => 0..REGS.len()], 0..PROJ_AT.len(), amount.clone())
            .prop_map(|(fund, region, project, amount)| Op::Arrange { fund, region, project, amount }),
        1 => (0..4usize, 0..REFUND.len(), amount.clone())
            .prop_map(|(fund, edge, amount)| Op::Refund { fund, edge, amount }),
        4 => (0..4usize, 0..PROJ_AT.len(), 0..PAYEES, (1i64..=15).prop_map(|x| x * 100))
            .prop_map(|(fund, project, payee, amount)| Op::Disburse { fund, project, payee, amount }),
        5 => (0..64usize, action).prop_map(|(pick, action)| Op::Payment { pick, action }),
        1 => (0..TARGETS.len()).prop_map(|target| Op::Suspend { target }),
        1 => (0..16usize).prop_map(|pick| Op::Resume { pick }),
        2 => (0..64usize).prop_map(|pick| Op::Reverse { pick }),
    ]
}

/// How an operation's fund, accounts and amount are chosen: as generated (often refused for lack
/// of money), or steered at runtime to a source the model says has money (`Funded`), with the
/// amount also brought within what it has (`Fits`). Steering keeps the sequences reaching
/// payments, confirmations and reversals instead of mostly bouncing off empty accounts.
#[derive(Debug, Clone, Copy)]
enum Steer {
    Off,
    Funded(usize),
    Fits(usize),
}

fn ops_strategy() -> impl Strategy<Value = Vec<(Op, Steer)>> {
    let steer = prop_oneof![
        3 => Just(Steer::Off),
        4 => (0..1024usize).prop_map(Steer::Funded),
        3 => (0..1024usize).prop_map(Steer::Fits),
    ];
    // Every case starts with a fund, so that there is money to move.
    (
        (100i64..=600).prop_map(|x| Op::Fund { amount: x * 100 }),
        proptest::collection::vec((op_strategy(), steer), 4..48),
    )
        .prop_map(|(first, mut rest)| {
            rest.insert(0, (first, Steer::Off));
            rest
        })
}

/// Applies `s` to `op` (see [`Steer`]).
fn steer(c: &Case, op: &Op, s: Steer) -> Op {
    let (seed, clamp) = match s {
        Steer::Off => return op.clone(),
        Steer::Funded(x) => (x, false),
        Steer::Fits(x) => (x, true),
    };
    let m = &c.m;
    let funded = |o: MO| -> Vec<(usize, i64)> {
        m.funds
            .iter()
            .enumerate()
            .map(|(i, f)| (i, m.avail(*f, o)))
            .filter(|(_, a)| *a > 0)
            .collect()
    };
    let funded = &funded;
    let fit = |amount: i64, avail: i64| {
        if clamp {
            1 + (amount - 1) % avail
        } else {
            amount
        }
    };
    match *op {
        Op::Appropriate { amount, .. } => {
            let cands: Vec<_> = (0..5)
                .flat_map(|e| {
                    funded(MO::R(APPROP[e].0))
                        .into_iter()
                        .map(move |(f, a)| (f, e, a))
                })
                .collect();
            match pick(cands, seed) {
                Some((fund, edge, a)) => Op::Appropriate {
                    fund,
                    edge,
                    amount: fit(amount, a),
                },
                None => op.clone(),
            }
        }
        Op::Arrange { amount, .. } => {
            let cands: Vec<_> = (0..REGS.len())
                .flat_map(|r| (0..PROJ_AT.len()).map(move |p| (r, p)))
                .filter(|(r, p)| within(PROJ_AT[*p], *r))
                .flat_map(|(r, p)| funded(MO::R(r)).into_iter().map(move |(f, a)| (f, r, p, a)))
                .collect();
            match pick(cands, seed) {
                Some((fund, region, project, a)) => Op::Arrange {
                    fund,
                    region,
                    project,
                    amount: fit(amount, a),
                },
                None => op.clone(),
            }
        }
        Op::Refund { amount, .. } => {
            let cands: Vec<_> = (0..9)
                .flat_map(|e| funded(REFUND[e].0).into_iter().map(move |(f, a)| (f, e, a)))
                .collect();
            match pick(cands, seed) {
                Some((fund, edge, a)) => Op::Refund {
                    fund,
                    edge,
                    amount: fit(amount, a),
                },
                None => op.clone(),
            }
        }
        Op::Disburse { payee, amount, .. } => {
            let cands: Vec<_> = (0..PROJ_AT.len())
                .flat_map(|p| funded(MO::P(p)).into_iter().map(move |(f, a)| (f, p, a)))
                .collect();
            match pick(cands, seed) {
                Some((fund, project, a)) => Op::Disburse {
                    fund,
                    project,
                    payee,
                    amount: fit(amount, a),
                },
                None => op.clone(),
            }
        }
        // Steered payment actions go to an open payment (a held one, to release).
        Op::Payment { action, .. } => {
            let open: Vec<usize> = kinds(m, TransferKind::Disburse)
                .iter()
                .enumerate()
                .filter(|(_, t)| match action {
                    PaymentAction::Release => t.state == Some(St::Held),
                    _ => matches!(t.state, Some(St::Approved | St::Held)),
                })
                .map(|(i, _)| i)
                .collect();
            match pick(open, seed) {
                Some(pick) => Op::Payment { pick, action },
                None => op.clone(),
            }
        }
        _ => op.clone(),
    }
}

struct Ctx {
    store: Arc<dyn Store>,
    raw: tokio::sync::Mutex<Raw>,
    cases: AtomicU64,
    steps: AtomicU64,
    /// Per operation: [booked, refused, skipped], to see that the sequences reach every path.
    stats: std::sync::Mutex<BTreeMap<String, [u64; 3]>>,
}

fn op_name(op: &Op) -> String {
    let s = format!("{op:?}");
    let name: String = s.chars().take_while(|c| c.is_alphanumeric()).collect();
    match op {
        Op::Payment { action, .. } => format!("{name}/{action:?}"),
        _ => name,
    }
}

/// One case's world: its projects and payees, and the model.
struct Case {
    n: u64,
    projects: [i64; 3],
    payees: [String; PAYEES],
    m: Model,
}

impl Case {
    fn owner(&self, o: MO) -> Owner {
        match o {
            MO::R(i) => Owner::Region(rc(REGS[i])),
            MO::P(i) => Owner::Project(self.projects[i]),
        }
    }
    fn mo_of(&self, a: &RawAcc) -> Option<MO> {
        match a.project {
            Some(pid) => self.projects.iter().position(|p| *p == pid).map(MO::P),
            None => REGS
                .iter()
                .position(|r| rc(r).as_str() == a.region)
                .map(MO::R),
        }
    }
}

macro_rules! ensure {
    ($cond:expr, $($fmt:tt)*) => {
        if !$cond {
            return Err(TestCaseError::fail(format!($($fmt)*)));
        }
    };
}

/// Compares a store result with the model's expectation: `Ok(Some(v))` for an expected success,
/// `Ok(None)` for an expected refusal.
fn settle<V: std::fmt::Debug>(
    what: &str,
    expect: &Expect,
    r: Result<V, StoreError>,
) -> Result<Option<V>, TestCaseError> {
    match r {
        Ok(v) if expect.ok => Ok(Some(v)),
        Ok(v) => Err(TestCaseError::fail(format!(
            "{what}: the model refuses ({expect:?}) but the store booked {v:?}"
        ))),
        Err(e) if expect.accepts(&e) => Ok(None),
        Err(e) => Err(TestCaseError::fail(format!(
            "{what}: expected {expect:?}, the store said {} ({e})",
            kind_of(&e)
        ))),
    }
}

fn fund_of(c: &Case, i: usize) -> Option<i64> {
    (!c.m.funds.is_empty()).then(|| c.m.funds[i % c.m.funds.len()])
}

fn pick<T>(v: Vec<T>, i: usize) -> Option<T> {
    let n = v.len();
    v.into_iter().nth(i.checked_rem(n)?)
}

/// What the model expects of `op` (None: nothing to do it on, skipped).
fn plan(c: &Case, op: &Op) -> Option<Expect> {
    let m = &c.m;
    Some(match *op {
        Op::Fund { .. } => Expect::ok(),
        Op::Appropriate { fund, edge, amount } => {
            let f = fund_of(c, fund)?;
            let (s, d) = APPROP[edge];
            if PARENT[d] != Some(s) {
                Expect::rule()
            } else {
                Expect::unless(m.blocking(d, None, None), m.avail(f, MO::R(s)) < amount)
            }
        }
        Op::Confirm { pick: i } => {
            let t = pick(kinds(m, TransferKind::Appropriate), i)?;
            if t.state == Some(St::Dispatched) && !t.reversed {
                Expect::ok()
            } else {
                Expect::rule()
            }
        }
        Op::Arrange {
            fund,
            region,
            project,
            amount,
        } => {
            let f = fund_of(c, fund)?;
            if !within(PROJ_AT[project], region) {
                Expect::rule()
            } else {
                Expect::unless(
                    m.blocking(PROJ_AT[project], Some(project), None),
                    m.avail(f, MO::R(region)) < amount,
                )
            }
        }
        Op::Refund { fund, edge, amount } => {
            let f = fund_of(c, fund)?;
            let (src, dst) = REFUND[edge];
            let valid = match src {
                MO::R(r) => PARENT[r] == Some(dst),
                MO::P(p) => within(PROJ_AT[p], dst),
            };
            if !valid || m.avail(f, src) < amount {
                Expect::rule()
            } else {
                Expect::ok()
            }
        }
        Op::Disburse {
            fund,
            project,
            payee,
            amount,
        } => {
            let f = fund_of(c, fund)?;
            Expect::unless(
                m.blocking(PROJ_AT[project], Some(project), Some(payee)),
                m.avail(f, MO::P(project)) < amount,
            )
        }
        Op::Payment { pick: i, action } => {
            let t = pick(kinds(m, TransferKind::Disburse), i)?;
            let st = t.state?;
            match st.after(action) {
                None => Expect::rule(),
                Some(_) if matches!(action, PaymentAction::Pay | PaymentAction::Release) => {
                    let MO::P(p) = t.from? else { return None };
                    Expect::unless(m.blocking(PROJ_AT[p], Some(p), t.payee), false)
                }
                Some(_) => Expect::ok(),
            }
        }
        Op::Suspend { .. } => Expect::ok(),
        Op::Resume { pick: i } => {
            let s = pick(m.susp.clone(), i)?;
            if s.active {
                Expect::ok()
            } else {
                Expect {
                    not_found: true,
                    ..Expect::default()
                }
            }
        }
        Op::Reverse { pick: i } => {
            let t = pick(m.transfers.clone(), i)?;
            match (t.kind, t.state) {
                (TransferKind::Reverse, _) => Expect::rule(),
                // The second reversal: refused, either by the rules or by the one-reversal index.
                _ if t.reversed => Expect {
                    rule: true,
                    conflict: true,
                    ..Expect::default()
                },
                (TransferKind::Disburse, Some(St::Paid)) => Expect::ok(),
                (TransferKind::Disburse, _) => Expect::rule(),
                (TransferKind::Appropriate, Some(St::Dispatched)) => Expect::ok(),
                _ => {
                    if m.avail(t.fund, t.to?) < t.amount {
                        Expect::rule()
                    } else {
                        Expect::ok()
                    }
                }
            }
        }
    })
}

fn kinds(m: &Model, k: TransferKind) -> Vec<MT> {
    m.transfers
        .iter()
        .filter(|t| t.kind == k)
        .cloned()
        .collect()
}

fn index_of(m: &Model, id: i64) -> usize {
    m.transfers.iter().position(|t| t.id == id).unwrap()
}

mod sequences;
