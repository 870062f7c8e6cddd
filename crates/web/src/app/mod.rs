//! What every feature shares: the state, the error type, the request context, the page frame,
//! the API's document and extractors, the export table writer, the cross-origin guard and
//! helpers used by several features. `app` uses no feature.
pub mod api;
pub mod ctx;
pub mod error;
pub mod forms;
pub mod guard;
pub mod limit;
pub mod ops;
pub mod page;
pub mod replica;
pub mod state;
pub mod table;
