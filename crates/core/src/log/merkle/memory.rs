//! The reference tree, by the recursive definitions of RFC 6962 §2.1: for tests and offline
//! verification of a whole log.
use super::{EMPTY_ROOT, Hash, leaf_hash, node_hash, split_point};

/// The reference tree: every leaf hash in memory, roots and proofs by the recursive
/// definitions of RFC 6962 §2.1 (MTH, PATH, PROOF/SUBPROOF).
///
/// Costs O(size) hashes per root or proof: for tests and offline verification of a whole log,
/// not for serving.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemoryTree {
    leaves: Vec<Hash>,
}

impl MemoryTree {
    /// An empty tree.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A tree of these leaf hashes.
    #[must_use]
    pub fn from_leaf_hashes(leaves: Vec<Hash>) -> Self {
        Self { leaves }
    }

    /// Appends a leaf hash; returns its index.
    pub fn push(&mut self, leaf: Hash) -> u64 {
        self.leaves.push(leaf);
        self.size() - 1
    }

    /// Appends the leaf `data` (hashed with [`leaf_hash`]); returns its index.
    pub fn push_data(&mut self, data: &[u8]) -> u64 {
        self.push(leaf_hash(data))
    }

    /// The number of leaves.
    #[must_use]
    pub fn size(&self) -> u64 {
        self.leaves.len() as u64
    }

    /// The leaf hashes.
    #[must_use]
    pub fn leaves(&self) -> &[Hash] {
        &self.leaves
    }

    fn prefix(&self, size: u64) -> Option<&[Hash]> {
        self.leaves.get(..usize::try_from(size).ok()?)
    }

    /// MTH(D\[size\]): the root of the first `size` leaves; `None` if `size` exceeds the tree.
    #[must_use]
    pub fn root(&self, size: u64) -> Option<Hash> {
        self.prefix(size)
            .map(|leaves| Rfc6962::default().root(leaves))
    }

    /// PATH(index, D\[size\]); `None` if `index >= size` or `size` exceeds the tree.
    #[must_use]
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Option<Vec<Hash>> {
        Rfc6962::default().inclusion_proof(index, self.prefix(size)?)
    }

    /// PROOF(old_size, D\[new_size\]); empty for `old_size == 0` or `old_size == new_size`;
    /// `None` if `old_size > new_size` or `new_size` exceeds the tree.
    #[must_use]
    pub fn consistency_proof(&self, old_size: u64, new_size: u64) -> Option<Vec<Hash>> {
        Rfc6962::default().consistency_proof(old_size, self.prefix(new_size)?)
    }
}

/// Splits `leaves` (at least 2) at the largest power of two smaller than its length.
fn split(leaves: &[Hash]) -> (&[Hash], &[Hash]) {
    let k = split_point(leaves.len() as u64) as usize;
    leaves.split_at(k)
}

/// The recursive definitions of RFC 6962 §2.1 over a slice of leaf hashes, optionally
/// memoizing MTH of the subtrees (keyed by offset and length; the leaves never change).
#[derive(Default)]
pub(super) struct Rfc6962 {
    pub(super) memo: Option<std::collections::HashMap<(usize, usize), Hash>>,
}

impl Rfc6962 {
    /// MTH(D\[n\]) of `leaves`, which start at leaf `off`.
    pub(super) fn mth(&mut self, off: usize, leaves: &[Hash]) -> Hash {
        match leaves {
            [] => EMPTY_ROOT,
            [leaf] => *leaf,
            _ => {
                let key = (off, leaves.len());
                if let Some(h) = self.memo.as_ref().and_then(|m| m.get(&key)) {
                    return *h;
                }
                let (left, right) = split(leaves);
                let h = node_hash(&self.mth(off, left), &self.mth(off + left.len(), right));
                if let Some(memo) = self.memo.as_mut() {
                    memo.insert(key, h);
                }
                h
            }
        }
    }

    /// PATH(m, D\[n\]) (RFC 6962 §2.1.1); `m < leaves.len()`.
    pub(super) fn path(&mut self, m: usize, off: usize, leaves: &[Hash], out: &mut Vec<Hash>) {
        if leaves.len() <= 1 {
            return;
        }
        let (left, right) = split(leaves);
        let k = left.len();
        if m < k {
            self.path(m, off, left, out);
            out.push(self.mth(off + k, right));
        } else {
            self.path(m - k, off + k, right, out);
            out.push(self.mth(off, left));
        }
    }

    /// SUBPROOF(m, D\[n\], b) (RFC 6962 §2.1.2); `0 < m <= leaves.len()`.
    pub(super) fn subproof(
        &mut self,
        m: usize,
        off: usize,
        leaves: &[Hash],
        b: bool,
        out: &mut Vec<Hash>,
    ) {
        if m == leaves.len() {
            if !b {
                out.push(self.mth(off, leaves));
            }
            return;
        }
        let (left, right) = split(leaves);
        let k = left.len();
        if m <= k {
            self.subproof(m, off, left, b, out);
            out.push(self.mth(off + k, right));
        } else {
            self.subproof(m - k, off + k, right, false, out);
            out.push(self.mth(off, left));
        }
    }

    pub(super) fn root(&mut self, leaves: &[Hash]) -> Hash {
        self.mth(0, leaves)
    }

    pub(super) fn inclusion_proof(&mut self, index: u64, leaves: &[Hash]) -> Option<Vec<Hash>> {
        let index = usize::try_from(index).ok()?;
        if index >= leaves.len() {
            return None;
        }
        let mut proof = Vec::new();
        self.path(index, 0, leaves, &mut proof);
        Some(proof)
    }

    pub(super) fn consistency_proof(
        &mut self,
        old_size: u64,
        leaves: &[Hash],
    ) -> Option<Vec<Hash>> {
        let m = usize::try_from(old_size).ok()?;
        if m > leaves.len() {
            return None;
        }
        let mut proof = Vec::new();
        if m > 0 && m < leaves.len() {
            self.subproof(m, 0, leaves, true, &mut proof);
        }
        Some(proof)
    }
}
