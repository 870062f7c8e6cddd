//! The annual county assessment (issue 21), through the real server on both backends over the
//! demo city: an informed criticism costs its county exactly its points, and the drill-down names
//! the escalation and its document number; a publication holds while the books move on, and the
//! page shows the difference; an appeal upheld restores the points, both events in the log; a
//! broken scheme is refused naming the item; the same scheme and moment give the same table on
//! SQLite and PostgreSQL; the printed notice of the published ranking; a refused form kept as
//! typed.
use crate::support::*;

mod flow;
mod measures;
mod pages;
