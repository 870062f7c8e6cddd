//! Book 3 (problems), inspections and letters through the pages.
mod pages;
