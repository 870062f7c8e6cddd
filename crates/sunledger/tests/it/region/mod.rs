//! Regions: the region table import.
mod import;
