//! The Merkle tree of Sunledger's append-only log (RFC 6962 / RFC 9162 §2.1).
//!
//! Every booked fact is a leaf. The log is one Merkle tree whose root, signed in a checkpoint
//! (see [`crate::log::checkpoint`]), commits to every fact booked so far; inclusion proofs show that
//! a fact is in the log and consistency proofs show that a later log extends an earlier one.
//!
//! # Storage model
//!
//! Storage keeps the hash of every *perfect aligned subtree* as a node [`NodeId`] `(level,
//! index)` covering leaves `[index·2^level, (index+1)·2^level)`; level 0 holds the leaf hashes.
//! Appending leaf `n` stores node `(0, n)` and then the nodes that leaf completes
//! ([`completed_by_append`]), each the [`node_hash`] of its two children, so an append costs at
//! most `log2(n)` hashes and never reads more than the children it needs.
//!
//! The hash of every subtree that RFC 6962 uses in a root or a proof is the right fold
//! ([`fold_cover`]) of the stored nodes that [`range_cover`] names. Proof *shapes* come from
//! [`inclusion_proof_ranges`] and [`consistency_proof_ranges`]; [`proof_nodes`] lists the
//! distinct nodes to fetch (at most about `2·log2(size)` of them) and [`assemble_proof`] turns
//! fetched nodes into the proof.
//!
//! [`MemoryTree`] is the naive, by-the-RFC reference implementation: tests compare the node
//! based computation against it, and an offline verifier that has every leaf can use it.
//!
//! Everything here is a pure function: no I/O, no clock, no randomness.

use sha2::{Digest, Sha256};

mod memory;
pub use memory::MemoryTree;

/// A SHA-256 hash: a leaf hash, an interior node hash or a tree root.
pub type Hash = [u8; 32];

/// The root of the empty tree: SHA-256 of the empty string (RFC 6962 §2.1).
pub const EMPTY_ROOT: Hash = [
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
    0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
];

/// The hash of a leaf: SHA-256(0x00 ‖ data).
#[must_use]
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0x00]);
    h.update(data);
    h.finalize().into()
}

/// The hash of an interior node: SHA-256(0x01 ‖ left ‖ right).
#[must_use]
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([0x01]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// `x · 2^level`, saturating at `u64::MAX` (only reachable for absurd trees of 2^64 leaves).
fn shl_sat(x: u64, level: u32) -> u64 {
    if x == 0 {
        0
    } else if level >= 64 {
        u64::MAX
    } else {
        x.saturating_mul(1u64 << level)
    }
}

/// The largest power of two strictly smaller than `n`; `n` must be at least 2.
fn split_point(n: u64) -> u64 {
    debug_assert!(n >= 2);
    // n >= 2, so n - 1 >= 1 and has at most 63 leading zeros.
    1u64 << (63 - (n - 1).leading_zeros())
}

/// A perfect aligned subtree: `2^level` leaves starting at leaf `index · 2^level`.
///
/// Level 0 nodes are the leaf hashes themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId {
    /// Height above the leaves: the node covers `2^level` leaves.
    pub level: u32,
    /// Position among the nodes of its level, counted from 0 at the left edge.
    pub index: u64,
}

impl NodeId {
    /// A node.
    #[must_use]
    pub const fn new(level: u32, index: u64) -> Self {
        Self { level, index }
    }

    /// The level-0 node of leaf `index`.
    #[must_use]
    pub const fn leaf(index: u64) -> Self {
        Self { level: 0, index }
    }

    /// The first leaf the node covers.
    #[must_use]
    pub fn start(&self) -> u64 {
        shl_sat(self.index, self.level)
    }

    /// One past the last leaf the node covers.
    #[must_use]
    pub fn end(&self) -> u64 {
        shl_sat(self.index.saturating_add(1), self.level)
    }

    /// Its two children (left, right); `None` for a leaf.
    #[must_use]
    pub fn children(&self) -> Option<(NodeId, NodeId)> {
        let level = self.level.checked_sub(1)?;
        let left = self.index.checked_mul(2)?;
        Some((
            NodeId::new(level, left),
            NodeId::new(level, left.checked_add(1)?),
        ))
    }
}

/// The nodes of level ≥ 1 whose last leaf is `leaf_index`, by increasing level.
///
/// After storing leaf node `(0, leaf_index)`, compute and store each of these in order as
/// `node_hash(left child, right child)` (see [`NodeId::children`]): each one's children are the
/// previous one (or the leaf) and a node stored earlier.
#[must_use]
pub fn completed_by_append(leaf_index: u64) -> Vec<NodeId> {
    (1..=leaf_index.trailing_ones())
        .filter_map(|level| Some(NodeId::new(level, leaf_index.checked_shr(level)?)))
        .collect()
}

/// The perfect aligned nodes, left to right with decreasing sizes, whose right fold
/// ([`fold_cover`]) is the RFC 6962 hash MTH(D\[start:end\]).
///
/// They follow the binary decomposition of `end - start`. Every subtree that RFC 6962 uses in a
/// root or proof (and so every range from [`inclusion_proof_ranges`] and
/// [`consistency_proof_ranges`]) starts at a multiple of the largest power of two not above
/// its size, which makes all of them aligned. A range that is empty, reversed or not so aligned
/// has no such cover: the result is then empty (and `fold_cover` of it is `None`).
#[must_use]
pub fn range_cover(start: u64, end: u64) -> Vec<NodeId> {
    let Some(size) = end.checked_sub(start) else {
        return Vec::new();
    };
    let mut nodes = Vec::with_capacity(size.count_ones() as usize);
    let mut pos = start;
    for level in (0..64u32).rev() {
        let width = 1u64 << level;
        if size & width == 0 {
            continue;
        }
        if pos & (width - 1) != 0 {
            return Vec::new();
        }
        nodes.push(NodeId::new(level, pos >> level));
        pos += width;
    }
    nodes
}

/// The right fold of the hashes of a [`range_cover`]: `node_hash(P1, node_hash(P2, … Pk))`.
///
/// `None` for no hashes (use [`EMPTY_ROOT`] for the empty tree).
#[must_use]
pub fn fold_cover(hashes: &[Hash]) -> Option<Hash> {
    let (last, rest) = hashes.split_last()?;
    Some(rest.iter().rev().fold(*last, |acc, h| node_hash(h, &acc)))
}

/// The nodes whose fold is the root of the tree of the first `size` leaves.
#[must_use]
pub fn root_nodes(size: u64) -> Vec<NodeId> {
    range_cover(0, size)
}

/// The subtree ranges `[a, b)` whose hashes MTH(D\[a:b\]) form the audit path PATH(index, D\[size\])
/// (RFC 6962 §2.1.1), in proof order: from the leaf's sibling up to the root's child.
///
/// Empty when `index >= size` (there is no proof) and when `size == 1` (the proof is empty).
#[must_use]
pub fn inclusion_proof_ranges(index: u64, size: u64) -> Vec<(u64, u64)> {
    let mut ranges = Vec::new();
    if index >= size {
        return ranges;
    }
    let (mut lo, mut hi) = (0u64, size);
    while hi - lo > 1 {
        let k = split_point(hi - lo);
        if index - lo < k {
            ranges.push((lo + k, hi));
            hi = lo + k;
        } else {
            ranges.push((lo, lo + k));
            lo += k;
        }
    }
    ranges.reverse();
    ranges
}

/// The subtree ranges `[a, b)` whose hashes form the consistency proof PROOF(old_size,
/// D\[new_size\]) (RFC 6962 §2.1.2, RFC 9162 §2.1.4.1: SUBPROOF with the flag b), in proof order.
///
/// Empty when `old_size == 0`, `old_size == new_size` (the proof is empty) or `old_size >
/// new_size` (there is no proof).
#[must_use]
pub fn consistency_proof_ranges(old_size: u64, new_size: u64) -> Vec<(u64, u64)> {
    let mut ranges = Vec::new();
    if old_size == 0 || old_size >= new_size {
        return ranges;
    }
    let (mut lo, mut hi) = (0u64, new_size);
    // b: whether the subtree [lo, hi) is the whole old tree's left edge, whose hash the verifier
    // already knows (the old root) when the old tree ends exactly at hi.
    let mut on_left_edge = true;
    loop {
        let (m, n) = (old_size - lo, hi - lo);
        if m == n {
            if !on_left_edge {
                ranges.push((lo, hi));
            }
            break;
        }
        let k = split_point(n);
        if m <= k {
            ranges.push((lo + k, hi));
            hi = lo + k;
        } else {
            ranges.push((lo, lo + k));
            lo += k;
            on_left_edge = false;
        }
    }
    ranges.reverse();
    ranges
}

/// The distinct stored nodes needed to hash the given ranges (in first-use order): what to fetch
/// in one query before [`assemble_proof`].
///
/// For the ranges of an inclusion or consistency proof in a tree of `size` leaves these are at
/// most about `2·log2(size)` nodes: the ranges that end at `size` share the tail of
/// [`root_nodes`]`(size)`, every other range is a single perfect node.
#[must_use]
pub fn proof_nodes(ranges: &[(u64, u64)]) -> Vec<NodeId> {
    let mut out: Vec<NodeId> = Vec::new();
    for &(a, b) in ranges {
        for node in range_cover(a, b) {
            if !out.contains(&node) {
                out.push(node);
            }
        }
    }
    out
}

/// The hash MTH(D\[start:end\]) from stored nodes; `None` when the range has no cover or a node
/// is missing.
pub fn range_hash(
    start: u64,
    end: u64,
    mut lookup: impl FnMut(NodeId) -> Option<Hash>,
) -> Option<Hash> {
    let hashes = range_cover(start, end)
        .into_iter()
        .map(&mut lookup)
        .collect::<Option<Vec<Hash>>>()?;
    fold_cover(&hashes)
}

/// The proof hashes for `ranges` (from [`inclusion_proof_ranges`] or
/// [`consistency_proof_ranges`]) from stored nodes; `None` when a node is missing.
pub fn assemble_proof(
    ranges: &[(u64, u64)],
    mut lookup: impl FnMut(NodeId) -> Option<Hash>,
) -> Option<Vec<Hash>> {
    ranges
        .iter()
        .map(|&(a, b)| range_hash(a, b, &mut lookup))
        .collect()
}

/// Checks an inclusion proof (RFC 9162 §2.1.3.2): that the leaf with hash `leaf` is leaf number
/// `index` of the tree of `size` leaves whose root is `root`.
///
/// Malformed input (`index >= size`, a proof of the wrong length) is rejected, never a panic.
#[must_use]
pub fn verify_inclusion(leaf: &Hash, index: u64, size: u64, proof: &[Hash], root: &Hash) -> bool {
    if index >= size {
        return false;
    }
    let (mut fnode, mut snode) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if snode == 0 {
            return false;
        }
        if fnode & 1 == 1 || fnode == snode {
            r = node_hash(p, &r);
            if fnode & 1 == 0 {
                while fnode & 1 == 0 && fnode != 0 {
                    fnode >>= 1;
                    snode >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    snode == 0 && r == *root
}

/// Checks a consistency proof (RFC 9162 §2.1.4.2): that the tree of `new_size` leaves with root
/// `new_root` extends the tree of `old_size` leaves with root `old_root`.
///
/// As in the reference implementations: equal sizes need an empty proof and equal roots; an
/// empty old tree is consistent with every tree, with an empty proof. `old_size > new_size`, a
/// proof of the wrong length or a wrong hash is rejected, never a panic.
#[must_use]
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> bool {
    if old_size > new_size {
        return false;
    }
    if old_size == new_size {
        return proof.is_empty() && old_root == new_root;
    }
    if old_size == 0 {
        return proof.is_empty();
    }
    // 0 < old_size < new_size from here on.
    let Some((first, rest)) = proof.split_first() else {
        return false;
    };
    // When the old tree is a perfect subtree, its root is the proof's implicit first element.
    let (seed, path) = if old_size.is_power_of_two() {
        (old_root, proof)
    } else {
        (first, rest)
    };
    let (mut fnode, mut snode) = (old_size - 1, new_size - 1);
    while fnode & 1 == 1 {
        fnode >>= 1;
        snode >>= 1;
    }
    let (mut fr, mut sr) = (*seed, *seed);
    for c in path {
        if snode == 0 {
            return false;
        }
        if fnode & 1 == 1 || fnode == snode {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if fnode & 1 == 0 {
                while fnode & 1 == 0 && fnode != 0 {
                    fnode >>= 1;
                    snode >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    snode == 0 && fr == *old_root && sr == *new_root
}

#[cfg(test)]
mod tests;
