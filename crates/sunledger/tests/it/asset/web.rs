//! Pages and API of project assets through the real server (see below).
