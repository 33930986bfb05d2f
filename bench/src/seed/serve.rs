//! `loggia-bench serve`: a seeded database served by hand, with what one
//! needs to try it (a token, a deep `max_id`).

use std::path::Path;

use anyhow::Result;

use super::Seeded;
use crate::backend::Database;
use crate::server::Server;

pub async fn serve(bin: &Path, db: &Database) -> Result<()> {
    let seeded = Seeded::read(db)?;
    let server = Server::start(bin, db, &[]).await?;
    let user = &seeded.users[0];
    let deep = seeded.deep_max_ids.first();
    eprintln!(
        "loggia is up on {} ({} statuses, started in {:?}); log: {}",
        server.base,
        seeded.statuses,
        server.startup,
        db.dir.join("loggia.log").display()
    );
    eprintln!("  user {} token {}", user.username, user.token);
    if let Some((index, max_id)) = deep {
        eprintln!(
            "  deep page: token {} max_id {max_id}",
            seeded.users[*index].token
        );
    }
    eprintln!("  all tokens: {}", Seeded::path(db).display());
    eprintln!("Ctrl-C stops it.");
    tokio::signal::ctrl_c().await?;
    server.stop().await
}
