use super::memory::Rfc6962;
use super::*;
use proptest::prelude::*;
use std::collections::{HashMap, HashSet};

fn h(s: &str) -> Hash {
    assert_eq!(s.len(), 64, "{s}");
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap();
    }
    out
}

fn bytes(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

// ---------------------------------------------------------------------------------------
// Test vectors of the certificate-transparency / Trillian Merkle tests, as kept in
// transparency-dev/merkle, file proof/verify_test.go (variables `leaves`, `roots`,
// `inclusionProofs`, `consistencyProofs`; the corruption probes below follow that file's
// corruptInclusionProof / corruptConsistencyProof). In that file inclusion vectors are
// written {leaf, size, proof} with a 1-based leaf number; here indices are 0-based.
// ---------------------------------------------------------------------------------------

const LEAVES: [&str; 8] = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
];

/// Roots of the trees of the first 1..=8 leaves.
const ROOTS: [&str; 8] = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

/// (0-based leaf index, tree size, audit path).
const INCLUSION: [(u64, u64, &[&str]); 5] = [
    (0, 1, &[]),
    (
        0,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        &[
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        3,
        &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
    ),
    (
        1,
        5,
        &[
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
];

/// (old size, new size, consistency proof).
const CONSISTENCY: [(u64, u64, &[&str]); 5] = [
    (1, 1, &[]),
    (
        1,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        &[
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        &[
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        &[
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
];

/// `sha256SomeHash` of the same file.
const SOME_HASH: &str = "abacaba000000000000000000000000000000000000000000060061e00123456";

fn vector_tree() -> MemoryTree {
    let mut t = MemoryTree::new();
    for l in LEAVES {
        t.push_data(&bytes(l));
    }
    t
}

fn hashes(v: &[&str]) -> Vec<Hash> {
    v.iter().map(|s| h(s)).collect()
}

/// A node store as the storage layer keeps it: leaves and completed perfect nodes only.
#[derive(Default)]
struct NodeStore {
    nodes: HashMap<NodeId, Hash>,
    size: u64,
}

impl NodeStore {
    fn append(&mut self, leaf: Hash) {
        let n = self.size;
        self.nodes.insert(NodeId::leaf(n), leaf);
        for node in completed_by_append(n) {
            assert_eq!(node.end(), n + 1, "{node:?} must end at the new leaf");
            let (l, r) = node.children().unwrap();
            let hash = node_hash(&self.nodes[&l], &self.nodes[&r]);
            assert!(
                self.nodes.insert(node, hash).is_none(),
                "{node:?} stored twice"
            );
        }
        self.size += 1;
    }

    fn get(&self, id: NodeId) -> Option<Hash> {
        self.nodes.get(&id).copied()
    }

    fn root(&self, size: u64) -> Hash {
        if size == 0 {
            return EMPTY_ROOT;
        }
        let hs: Vec<Hash> = root_nodes(size)
            .into_iter()
            .map(|n| self.nodes[&n])
            .collect();
        fold_cover(&hs).unwrap()
    }

    fn inclusion_proof(&self, index: u64, size: u64) -> Vec<Hash> {
        let ranges = inclusion_proof_ranges(index, size);
        // Only nodes that exist in the tree of `size` leaves may be used.
        for node in proof_nodes(&ranges) {
            assert!(node.end() <= size, "{node:?} beyond size {size}");
        }
        assemble_proof(&ranges, |id| self.get(id)).unwrap()
    }

    fn consistency_proof(&self, old: u64, new: u64) -> Vec<Hash> {
        let ranges = consistency_proof_ranges(old, new);
        for node in proof_nodes(&ranges) {
            assert!(node.end() <= new, "{node:?} beyond size {new}");
        }
        assemble_proof(&ranges, |id| self.get(id)).unwrap()
    }
}

fn store_of(tree: &MemoryTree) -> NodeStore {
    let mut s = NodeStore::default();
    for l in tree.leaves() {
        s.append(*l);
    }
    s
}

fn flip(proof: &[Hash], i: usize) -> Vec<Hash> {
    let mut p = proof.to_vec();
    p[i][0] ^= 8;
    p
}

#[test]
fn hashing_primitives() {
    let empty: Hash = Sha256::digest(b"").into();
    assert_eq!(EMPTY_ROOT, empty);
    assert_eq!(MemoryTree::new().root(0), Some(EMPTY_ROOT));
    // The one-leaf root is the leaf hash of the empty string.
    assert_eq!(leaf_hash(b""), h(ROOTS[0]));
    let mut pre = vec![1u8];
    pre.extend_from_slice(&h(ROOTS[0]));
    pre.extend_from_slice(&h(ROOTS[1]));
    let direct: Hash = Sha256::digest(&pre).into();
    assert_eq!(node_hash(&h(ROOTS[0]), &h(ROOTS[1])), direct);
}

#[test]
fn vector_roots() {
    let t = vector_tree();
    let s = store_of(&t);
    for (i, want) in ROOTS.iter().enumerate() {
        let size = i as u64 + 1;
        assert_eq!(t.root(size), Some(h(want)), "memory root {size}");
        assert_eq!(s.root(size), h(want), "node root {size}");
    }
    assert_eq!(t.root(9), None);
}

#[test]
fn vector_inclusion_proofs() {
    let t = vector_tree();
    let s = store_of(&t);
    for (index, size, proof) in INCLUSION {
        let proof = hashes(proof);
        assert_eq!(
            t.inclusion_proof(index, size).unwrap(),
            proof,
            "memory {index}/{size}"
        );
        assert_eq!(
            s.inclusion_proof(index, size),
            proof,
            "nodes {index}/{size}"
        );
        let leaf = t.leaves()[index as usize];
        let root = h(ROOTS[size as usize - 1]);
        assert!(
            verify_inclusion(&leaf, index, size, &proof, &root),
            "{index}/{size}"
        );
        assert_no_corrupt_inclusion(&leaf, index, size, &proof, &root);
    }
}

/// transparency-dev/merkle proof/verify_test.go corruptInclusionProof, plus a few more.
fn assert_no_corrupt_inclusion(leaf: &Hash, index: u64, size: u64, proof: &[Hash], root: &Hash) {
    let some = h(SOME_HASH);
    let mut probes: Vec<(String, u64, u64, Hash, Vec<Hash>, Hash)> = vec![
        (
            "index-1".into(),
            index.wrapping_sub(1),
            size,
            *leaf,
            proof.to_vec(),
            *root,
        ),
        (
            "index+1".into(),
            index + 1,
            size,
            *leaf,
            proof.to_vec(),
            *root,
        ),
        (
            "index^2".into(),
            index ^ 2,
            size,
            *leaf,
            proof.to_vec(),
            *root,
        ),
        (
            "size*2".into(),
            index,
            size * 2,
            *leaf,
            proof.to_vec(),
            *root,
        ),
        (
            "size/2".into(),
            index,
            size / 2,
            *leaf,
            proof.to_vec(),
            *root,
        ),
        (
            "wrong leaf".into(),
            index,
            size,
            leaf_hash(b"WrongLeaf"),
            proof.to_vec(),
            *root,
        ),
        (
            "empty root".into(),
            index,
            size,
            *leaf,
            proof.to_vec(),
            EMPTY_ROOT,
        ),
        (
            "random root".into(),
            index,
            size,
            *leaf,
            proof.to_vec(),
            some,
        ),
        (
            "index=size".into(),
            size,
            size,
            *leaf,
            proof.to_vec(),
            *root,
        ),
        (
            "index=max".into(),
            u64::MAX,
            size,
            *leaf,
            proof.to_vec(),
            *root,
        ),
        ("size=0".into(), index, 0, *leaf, proof.to_vec(), *root),
    ];
    let mut with = |desc: &str, p: Vec<Hash>| {
        probes.push((desc.into(), index, size, *leaf, p, *root));
    };
    let mut p = proof.to_vec();
    p.push([0; 32]);
    with("trailing zeros", p);
    let mut p = proof.to_vec();
    p.push(*root);
    with("trailing root", p);
    let mut p = vec![[0; 32]];
    p.extend_from_slice(proof);
    with("preceding zeros", p);
    let mut p = vec![*root];
    p.extend_from_slice(proof);
    with("preceding root", p);
    for i in 0..proof.len() {
        with(&format!("flipped proof[{i}]"), flip(proof, i));
    }
    if let Some((_, init)) = proof.split_last() {
        with("removed last", init.to_vec());
    }
    if !proof.is_empty() {
        with("removed first", proof[1..].to_vec());
    }
    if proof.len() > 1 {
        let mut p = vec![proof[0], some];
        p.extend_from_slice(&proof[1..]);
        with("inserted component", p);
        let mut p = proof.to_vec();
        p.swap(0, 1);
        if p != proof {
            with("swapped", p);
        }
    }
    for (desc, i, s, l, p, r) in probes {
        if (i, s, l, r) == (index, size, *leaf, *root) && p == proof {
            continue;
        }
        assert!(
            !verify_inclusion(&l, i, s, &p, &r),
            "accepted corrupt inclusion probe {desc} for {index}/{size}"
        );
    }
}

#[test]
fn vector_consistency_proofs() {
    let t = vector_tree();
    let s = store_of(&t);
    for (old, new, proof) in CONSISTENCY {
        let proof = hashes(proof);
        assert_eq!(
            t.consistency_proof(old, new).unwrap(),
            proof,
            "memory {old}->{new}"
        );
        assert_eq!(s.consistency_proof(old, new), proof, "nodes {old}->{new}");
        let (r1, r2) = (h(ROOTS[old as usize - 1]), h(ROOTS[new as usize - 1]));
        assert!(
            verify_consistency(old, new, &r1, &r2, &proof),
            "{old}->{new}"
        );
        if !proof.is_empty() {
            assert_no_corrupt_consistency(old, new, &r1, &r2, &proof);
        }
    }
}

/// transparency-dev/merkle proof/verify_test.go corruptConsistencyProof, plus a few more.
fn assert_no_corrupt_consistency(old: u64, new: u64, r1: &Hash, r2: &Hash, proof: &[Hash]) {
    let wrong = leaf_hash(b"WrongRoot");
    let mut probes: Vec<(String, u64, u64, Hash, Hash, Vec<Hash>)> = vec![
        ("old-1".into(), old - 1, new, *r1, *r2, proof.to_vec()),
        ("old+1".into(), old + 1, new, *r1, *r2, proof.to_vec()),
        ("old^2".into(), old ^ 2, new, *r1, *r2, proof.to_vec()),
        ("new*2".into(), old, new * 2, *r1, *r2, proof.to_vec()),
        ("new/2".into(), old, new / 2, *r1, *r2, proof.to_vec()),
        ("wrong root1".into(), old, new, wrong, *r2, proof.to_vec()),
        ("wrong root2".into(), old, new, *r1, wrong, proof.to_vec()),
        ("swapped roots".into(), old, new, *r2, *r1, proof.to_vec()),
        ("swapped sizes".into(), new, old, *r2, *r1, proof.to_vec()),
        ("empty proof".into(), old, new, *r1, *r2, vec![]),
    ];
    let mut with = |desc: &str, p: Vec<Hash>| probes.push((desc.into(), old, new, *r1, *r2, p));
    for extra in [[0u8; 32], *r1, *r2] {
        let mut p = proof.to_vec();
        p.push(extra);
        with("trailing", p);
        let mut p = vec![extra];
        p.extend_from_slice(proof);
        with("preceding", p);
    }
    let mut p = vec![proof[0]];
    p.extend_from_slice(proof);
    with("preceding proof[0]", p);
    with("truncated", proof[..proof.len() - 1].to_vec());
    with("removed first", proof[1..].to_vec());
    for i in 0..proof.len() {
        let mut p = proof.to_vec();
        p[i][0] ^= 16;
        with(&format!("flipped proof[{i}]"), p);
    }
    for (desc, s1, s2, a, b, p) in probes {
        assert!(
            !verify_consistency(s1, s2, &a, &b, &p),
            "accepted corrupt consistency probe {desc} for {old}->{new}"
        );
    }
}

/// transparency-dev/merkle proof/verify_test.go TestVerifyConsistency edge cases.
#[test]
fn consistency_edge_cases() {
    let (r1, r2) = (leaf_hash(b"don't care 1"), leaf_hash(b"don't care 2"));
    let e = EMPTY_ROOT;
    let none: &[Hash] = &[];
    let one: &[Hash] = &[e];
    type Case<'a> = (u64, u64, Hash, Hash, &'a [Hash], bool);
    let cases: [Case; 13] = [
        (0, 0, r1, r2, none, false),
        (1, 1, r1, r2, none, false),
        (0, 0, r1, r1, none, true),
        (0, 1, r1, r2, none, true),
        (1, 1, r2, r2, none, true),
        (1, 0, r1, r2, none, false),
        (2, 1, r1, r2, none, false),
        (1, 2, r1, r2, none, false),
        (0, 0, e, r2, none, false),
        (1, 1, e, r2, none, false),
        (0, 0, e, e, one, false),
        (0, 1, e, e, one, false),
        (1, 1, e, e, one, false),
    ];
    for (i, (s1, s2, a, b, p, ok)) in cases.into_iter().enumerate() {
        assert_eq!(verify_consistency(s1, s2, &a, &b, p), ok, "case {i}");
    }
    assert!(!verify_consistency(u64::MAX, 1, &r1, &r2, &[r1]));
    assert!(!verify_consistency(3, u64::MAX, &r1, &r2, &[r1; 70]));
}

/// transparency-dev/merkle proof/verify_test.go TestVerifyInclusion(SingleEntry) edge cases.
#[test]
fn inclusion_edge_cases() {
    let some = h(SOME_HASH);
    for (index, size) in [(0, 0), (1, 0), (2, 1), (u64::MAX, u64::MAX)] {
        assert!(!verify_inclusion(&some, index, size, &[], &some));
        assert!(!verify_inclusion(&some, index, size, &[], &EMPTY_ROOT));
    }
    let leaf = leaf_hash(b"data");
    assert!(verify_inclusion(&leaf, 0, 1, &[], &leaf));
    assert!(!verify_inclusion(&leaf, 0, 1, &[], &some));
    assert!(!verify_inclusion(&some, 0, 1, &[], &leaf));
    assert!(!verify_inclusion(&leaf, 0, 1, &[leaf], &leaf));
    assert!(!verify_inclusion(
        &leaf,
        u64::MAX - 1,
        u64::MAX,
        &[leaf; 80],
        &leaf
    ));
    assert!(inclusion_proof_ranges(5, 5).is_empty());
    assert!(consistency_proof_ranges(6, 5).is_empty());
    assert_eq!(vector_tree().inclusion_proof(8, 8), None);
    assert_eq!(vector_tree().inclusion_proof(0, 9), None);
    assert_eq!(vector_tree().consistency_proof(5, 4), None);
    assert_eq!(vector_tree().consistency_proof(0, 8), Some(vec![]));
}

#[test]
fn node_geometry() {
    let n = NodeId::new(3, 2);
    assert_eq!((n.start(), n.end()), (16, 24));
    assert_eq!(n.children(), Some((NodeId::new(2, 4), NodeId::new(2, 5))));
    assert_eq!(NodeId::leaf(7).children(), None);
    assert_eq!(NodeId::new(64, 1).start(), u64::MAX);
    assert_eq!(NodeId::new(63, 1).end(), u64::MAX);
    assert_eq!(completed_by_append(0), vec![]);
    assert_eq!(completed_by_append(1), vec![NodeId::new(1, 0)]);
    assert_eq!(completed_by_append(6), vec![]);
    assert_eq!(
        completed_by_append(7),
        vec![NodeId::new(1, 3), NodeId::new(2, 1), NodeId::new(3, 0)]
    );
    assert_eq!(
        completed_by_append(11),
        vec![NodeId::new(1, 5), NodeId::new(2, 2)]
    );
    // Leaf 2^64 - 1 would complete a node of 2^64 leaves, which has no NodeId.
    assert_eq!(completed_by_append(u64::MAX).len(), 63);
    assert_eq!(root_nodes(0), vec![]);
    assert_eq!(root_nodes(8), vec![NodeId::new(3, 0)]);
    assert_eq!(
        root_nodes(13),
        vec![NodeId::new(3, 0), NodeId::new(2, 2), NodeId::new(0, 12)]
    );
    assert_eq!(
        range_cover(8, 14),
        vec![NodeId::new(2, 2), NodeId::new(1, 6)]
    );
    assert_eq!(
        range_cover(4, 10),
        vec![NodeId::new(2, 1), NodeId::new(1, 4)]
    );
    // Not aligned, reversed, empty: no cover.
    assert_eq!(range_cover(2, 8), vec![]);
    assert_eq!(range_cover(9, 8), vec![]);
    assert_eq!(range_cover(8, 8), vec![]);
    assert_eq!(root_nodes(u64::MAX).len(), 64);
    assert_eq!(fold_cover(&[]), None);
    assert_eq!(range_hash(2, 8, |_| Some([0; 32])), None);
    assert_eq!(
        inclusion_proof_ranges(5, 13),
        vec![(4, 5), (6, 8), (0, 4), (8, 13)]
    );
    assert_eq!(consistency_proof_ranges(6, 8), vec![(4, 6), (6, 8), (0, 4)]);
    assert_eq!(consistency_proof_ranges(4, 8), vec![(4, 8)]);
}

/// Every size 1..=300: the node store, with only perfect nodes, gives the reference roots and
/// proofs for every index and every pair of sizes, and they all verify.
#[test]
fn node_store_matches_reference_exhaustively() {
    const N: u64 = 300;
    let mut tree = MemoryTree::new();
    let mut store = NodeStore::default();
    for i in 0..N {
        let leaf = leaf_hash(&i.to_be_bytes());
        tree.push(leaf);
        store.append(leaf);
    }
    // The store holds exactly the leaves and the perfect nodes: 2N - popcount(N).
    assert_eq!(store.nodes.len() as u64, 2 * N - u64::from(N.count_ones()));
    // The same RFC recursions as MemoryTree, memoizing MTH so that the ~90,000 proofs
    // below stay fast in debug builds; checked against the plain MemoryTree up to size 64.
    let mut reference = Rfc6962 {
        memo: Some(HashMap::new()),
    };
    let leaves = tree.leaves().to_vec();
    let prefix = |size: u64| &leaves[..size as usize];
    let roots: Vec<Hash> = (0..=N).map(|n| reference.root(prefix(n))).collect();
    let log2 = |n: u64| 64 - u64::from(n.saturating_sub(1).leading_zeros());
    for size in 1..=N {
        let root = roots[size as usize];
        assert_eq!(store.root(size), root, "root {size}");
        let plain = size <= 64;
        if plain {
            assert_eq!(tree.root(size), Some(root));
        }
        for index in 0..size {
            let proof = reference.inclusion_proof(index, prefix(size)).unwrap();
            if plain {
                assert_eq!(tree.inclusion_proof(index, size).unwrap(), proof);
            }
            assert_eq!(
                store.inclusion_proof(index, size),
                proof,
                "inclusion {index}/{size}"
            );
            let leaf = leaves[index as usize];
            assert!(
                verify_inclusion(&leaf, index, size, &proof, &root),
                "{index}/{size}"
            );
            let needed = proof_nodes(&inclusion_proof_ranges(index, size)).len() as u64;
            assert!(
                needed <= 2 * log2(size),
                "{needed} nodes for {index}/{size}"
            );
        }
        for old in 0..=size {
            let proof = reference.consistency_proof(old, prefix(size)).unwrap();
            if plain {
                assert_eq!(tree.consistency_proof(old, size).unwrap(), proof);
            }
            assert_eq!(
                store.consistency_proof(old, size),
                proof,
                "consistency {old}->{size}"
            );
            let old_root = roots[old as usize];
            assert!(
                verify_consistency(old, size, &old_root, &root, &proof),
                "{old}->{size}"
            );
            let needed = proof_nodes(&consistency_proof_ranges(old, size)).len() as u64;
            assert!(
                needed <= 2 * log2(size) + 1,
                "{needed} nodes for {old}->{size}"
            );
        }
    }
}

/// Every corruption of every proof up to size 40 is rejected.
#[test]
fn corrupt_proofs_rejected_exhaustively() {
    let mut tree = MemoryTree::new();
    for i in 0u32..40 {
        tree.push_data(&i.to_le_bytes());
    }
    for size in 1..=tree.size() {
        let root = tree.root(size).unwrap();
        for index in 0..size {
            let proof = tree.inclusion_proof(index, size).unwrap();
            let leaf = tree.leaves()[index as usize];
            assert_no_corrupt_inclusion(&leaf, index, size, &proof, &root);
        }
        for old in 1..size {
            let proof = tree.consistency_proof(old, size).unwrap();
            let r1 = tree.root(old).unwrap();
            assert_no_corrupt_consistency(old, size, &r1, &root, &proof);
        }
    }
}

#[test]
fn appends_complete_each_node_once() {
    let mut seen = HashSet::new();
    for n in 0..1024u64 {
        for node in completed_by_append(n) {
            assert!(node.level >= 1);
            assert_eq!(node.end(), n + 1);
            assert!(seen.insert(node));
        }
    }
    // Exactly the perfect nodes of level >= 1 in a tree of 1024 leaves.
    assert_eq!(seen.len(), 1023);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn random_sizes_match_reference(
        size in 1u64..5_000,
        picks in proptest::collection::vec((any::<u64>(), any::<u64>()), 16),
    ) {
        let mut tree = MemoryTree::new();
        let mut store = NodeStore::default();
        for i in 0..size {
            let leaf = leaf_hash(&i.to_le_bytes());
            tree.push(leaf);
            store.append(leaf);
        }
        let leaves = tree.leaves();
        let root = tree.root(size).unwrap();
        prop_assert_eq!(store.root(size), root);
        let mut reference = Rfc6962 { memo: Some(HashMap::new()) };
        for (pick, (a, b)) in picks.into_iter().enumerate() {
            let index = a % size;
            let proof = reference.inclusion_proof(index, leaves).unwrap();
            prop_assert_eq!(&store.inclusion_proof(index, size), &proof);
            let leaf = leaves[index as usize];
            prop_assert!(verify_inclusion(&leaf, index, size, &proof, &root));
            if !proof.is_empty() {
                let bad = flip(&proof, (b as usize) % proof.len());
                prop_assert!(!verify_inclusion(&leaf, index, size, &bad, &root));
            }
            prop_assert!(!verify_inclusion(&leaf_hash(b"other"), index, size, &proof, &root));

            let old = b % (size + 1);
            let old_root = reference.root(&leaves[..old as usize]);
            let cproof = reference.consistency_proof(old, leaves).unwrap();
            prop_assert_eq!(&store.consistency_proof(old, size), &cproof);
            prop_assert!(verify_consistency(old, size, &old_root, &root, &cproof));
            if !cproof.is_empty() {
                let bad = flip(&cproof, (a as usize) % cproof.len());
                prop_assert!(!verify_consistency(old, size, &old_root, &root, &bad));
                prop_assert!(!verify_consistency(old, size, &old_root, &root, &cproof[1..]));
            }
            if pick == 0 {
                // The memoized reference is the plain MemoryTree.
                prop_assert_eq!(tree.inclusion_proof(index, size).unwrap(), proof);
                prop_assert_eq!(tree.consistency_proof(old, size).unwrap(), cproof);
                prop_assert_eq!(tree.root(old).unwrap(), old_root);
            }
        }
    }
}
