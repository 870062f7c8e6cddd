//! Households: the register import.
mod households;
