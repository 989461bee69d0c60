//! Who is asking and who may: sign-up, login and the viewer (`account`),
//! users, families, sessions and the audit log (`users`).

pub mod account;
pub mod users;
