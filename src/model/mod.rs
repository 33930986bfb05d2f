//! Plain domain types: typed ids, timestamps, roles and OAuth scopes.
//! Nothing here does I/O; every other layer speaks in these types.

pub mod account;
pub mod id;
pub mod media;
pub mod oauth;
pub mod poll;
pub mod role;
pub mod scope;
pub mod status;
pub mod time;

pub use account::{Account, Inactive, ProfileField, User};
pub use id::{AccountId, AppId, IdGenerator, TokenId, UserId};
pub use poll::Poll;
pub use role::{Permissions, Role};
pub use scope::{Scope, Scopes};
pub use status::{Page, Status, StatusId, Visibility};
pub use time::Timestamp;
