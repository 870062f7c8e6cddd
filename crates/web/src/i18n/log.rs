//! The `log` part of the translation catalogue.
//! The tamper-evident log and proofs of record.
use super::Entry;

/// (key, zh-CN, en)
pub(super) const ENTRIES: &[Entry] = &[
    ("proof.title", "防篡改证明", "Tamper-evidence proof"),
    ("proof.link", "查看防篡改证明", "Tamper-evidence proof"),
    (
        "proof.explain",
        "这条记录在记账时已写入只能追加的默克尔日志（RFC 6962）。下面是它的原始数据、从该数据到已签名树根的包含证明，以及签名的检查点。下载后可在离线状态下核验，无需信任本系统。",
        "This record was written into the append-only Merkle log (RFC 6962) when it was booked. Below are its bytes, the inclusion proof from them to a signed tree root, and the signed checkpoint. Download it and check it offline, without trusting this server.",
    ),
    ("proof.download", "下载证明文件", "Download the proof"),
    ("proof.record", "记录", "Record"),
    ("proof.record.projects", "项目", "Project"),
    ("proof.record.departments", "部门", "Department"),
    ("proof.record.inspections", "检查", "Inspection"),
    ("proof.record.problems", "问题", "Problem"),
    (
        "proof.record.responsibility_letters",
        "责任书",
        "Responsibility letter",
    ),
    ("proof.leaf", "日志叶子", "Log leaf"),
    ("proof.leaf_hash", "叶子哈希", "Leaf hash"),
    (
        "proof.path",
        "包含证明（自叶至根）",
        "Inclusion proof (leaf to root)",
    ),
    ("proof.checkpoint", "签名检查点", "Signed checkpoint"),
    ("proof.keys", "验证公钥", "Verifier keys"),
    ("log.title", "防篡改记录", "Tamper-evident log"),
    (
        "log.explain",
        "每一项记账事实都按 RFC 6962 追加为默克尔树的叶子；检查点由本系统的 ed25519 密钥签名，每个检查点都附有与上一个检查点的一致性证明。核验方法见 docs/VERIFY.md。",
        "Every booked fact is appended as a leaf of an RFC 6962 Merkle tree; checkpoints are signed with this system's ed25519 key, each with a consistency proof from the one before. How to check: docs/VERIFY.md.",
    ),
    ("log.size", "叶子数", "Leaves"),
    ("log.root", "当前树根", "Current root"),
    (
        "log.no_checkpoint",
        "尚无签名检查点。",
        "No signed checkpoint yet.",
    ),
];
