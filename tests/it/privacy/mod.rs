//! The privacy matrix: every audience × every viewer × every door that
//! can reveal a status (client API, streaming, federation GETs, public
//! pages, deliveries, counters). Who may see what is written once, in
//! [`visible`]; each door adds only which posts it selects at all (a home
//! timeline shows followed accounts, a public timeline listed posts). Every
//! cell is checked both ways — a leak and a miss are both failures — and
//! all mismatches are reported together with the whole table, so one run
//! shows every leak.

mod client;
mod federation;
mod streams;
mod world;

use std::fmt::Write as _;

/// Who a status was written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Public,
    Unlisted,
    /// Followers-only.
    Private,
    Direct,
    /// Company-only (`local_only`, the API's `visibility=local`).
    Company,
    /// Public, but held for review by the outbound moderation pipeline.
    Held,
}

impl Audience {
    pub const ALL: [Audience; 6] = [
        Audience::Public,
        Audience::Unlisted,
        Audience::Private,
        Audience::Direct,
        Audience::Company,
        Audience::Held,
    ];

    /// A word unique to this audience's posts (found by search and in pages).
    pub fn slug(self) -> &'static str {
        match self {
            Audience::Public => "public",
            Audience::Unlisted => "unlisted",
            Audience::Private => "private",
            Audience::Direct => "direct",
            Audience::Company => "company",
            Audience::Held => "held",
        }
    }

    /// Listed in public, local and hashtag timelines and on profile pages
    /// (what Mastodon calls public visibility; company-only posts are
    /// public posts that stay here, held ones public posts that wait).
    pub fn listed(self) -> bool {
        matches!(self, Audience::Public | Audience::Company | Audience::Held)
    }
}

/// Who looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    Author,
    /// A local account following the author.
    Follower,
    /// A local account every post mentions (not following).
    Mentioned,
    /// Another employee: local, neither following nor mentioned.
    Colleague,
    /// A server where an account follows the author (requests signed as
    /// that account; deliveries to its inbox).
    RemoteFollower,
    /// A server where nobody follows the author.
    RemoteStranger,
    /// No account, no signature.
    Anonymous,
}

impl Viewer {
    pub const ALL: [Viewer; 7] = [
        Viewer::Author,
        Viewer::Follower,
        Viewer::Mentioned,
        Viewer::Colleague,
        Viewer::RemoteFollower,
        Viewer::RemoteStranger,
        Viewer::Anonymous,
    ];
    pub const LOCAL: [Viewer; 4] = [
        Viewer::Author,
        Viewer::Follower,
        Viewer::Mentioned,
        Viewer::Colleague,
    ];

    fn column(self) -> &'static str {
        match self {
            Viewer::Author => "author",
            Viewer::Follower => "follower",
            Viewer::Mentioned => "mentioned",
            Viewer::Colleague => "colleague",
            Viewer::RemoteFollower => "rem-follower",
            Viewer::RemoteStranger => "rem-stranger",
            Viewer::Anonymous => "anonymous",
        }
    }

    pub fn is_local(self) -> bool {
        Viewer::LOCAL.contains(&self)
    }
}

/// THE rule: may `viewer` see a post written for `audience`? Mastodon's
/// semantics plus Loggia's: company-only never leaves the instance, and a
/// held post is its author's alone until a reviewer approves it.
pub fn visible(audience: Audience, viewer: Viewer) -> bool {
    use Viewer::*;
    if viewer == Author {
        return true;
    }
    match audience {
        Audience::Public | Audience::Unlisted => true,
        Audience::Private => matches!(viewer, Follower | Mentioned | RemoteFollower),
        Audience::Direct => viewer == Mentioned,
        Audience::Company => viewer.is_local(),
        Audience::Held => false,
    }
}

/// Whether a reply raises its parent's `replies_count`, which everyone who
/// sees the parent sees: only when every one of them may see the reply
/// (Mastodon counts public and unlisted replies only).
pub fn counted_as_reply(audience: Audience) -> bool {
    Viewer::ALL.iter().all(|v| visible(audience, *v))
}

/// Whether a post raises its author's `statuses_count`: as in Mastodon,
/// every post but direct messages — once published (a held post does not
/// exist for others yet).
pub fn counted_for_author(audience: Audience) -> bool {
    !matches!(audience, Audience::Direct | Audience::Held)
}

/// One checked cell.
struct Cell {
    door: String,
    audience: Audience,
    viewer: Viewer,
    expected: bool,
    actual: bool,
}

/// The cells of one test function; [`Matrix::finish`] prints the table
/// and fails with every mismatch.
#[derive(Default)]
pub struct Matrix {
    cells: Vec<Cell>,
}

impl Matrix {
    /// Records what `viewer` saw of the `audience` post through `door`
    /// against what `expect` says.
    pub fn check(
        &mut self,
        door: &str,
        expect: fn(Audience, Viewer) -> bool,
        audience: Audience,
        viewer: Viewer,
        actual: bool,
    ) {
        self.cells.push(Cell {
            door: door.to_owned(),
            audience,
            viewer,
            expected: expect(audience, viewer),
            actual,
        });
    }

    /// The table: one line per door and audience, one column per viewer.
    /// `yes`/`no` as expected, `LEAK` seen but must not be, `MISS` not seen
    /// but should be, `-` not applicable to that viewer.
    pub fn table(&self) -> String {
        let mut doors: Vec<&str> = Vec::new();
        for cell in &self.cells {
            if !doors.contains(&cell.door.as_str()) {
                doors.push(&cell.door);
            }
        }
        let width = doors.iter().map(|d| d.len()).max().unwrap_or(4) + 10;
        let mut out = format!("{:width$}", "door / audience");
        for v in Viewer::ALL {
            let _ = write!(out, " {:>12}", v.column());
        }
        out.push('\n');
        for door in doors {
            for a in Audience::ALL {
                let row: Vec<&Cell> = self
                    .cells
                    .iter()
                    .filter(|c| c.door == door && c.audience == a)
                    .collect();
                if row.is_empty() {
                    continue;
                }
                let _ = write!(out, "{:width$}", format!("{door} / {}", a.slug()));
                for v in Viewer::ALL {
                    let mark = match row.iter().find(|c| c.viewer == v) {
                        None => "-",
                        Some(c) => match (c.expected, c.actual) {
                            (true, true) => "yes",
                            (false, false) => "no",
                            (false, true) => "LEAK",
                            (true, false) => "MISS",
                        },
                    };
                    let _ = write!(out, " {mark:>12}");
                }
                out.push('\n');
            }
        }
        out
    }

    /// Prints the table and fails if any cell is wrong, or if a door
    /// was never expected to show anything (a vacuous check).
    #[track_caller]
    pub fn finish(self) {
        let table = self.table();
        println!("{table}");
        let mut problems: Vec<String> = self
            .cells
            .iter()
            .filter(|c| c.expected != c.actual)
            .map(|c| {
                format!(
                    "{}: {} post {} {}",
                    c.door,
                    c.audience.slug(),
                    if c.actual {
                        "LEAKS to"
                    } else {
                        "is MISSING for"
                    },
                    c.viewer.column()
                )
            })
            .collect();
        let mut doors: Vec<&str> = self.cells.iter().map(|c| c.door.as_str()).collect();
        doors.dedup();
        for door in doors {
            if !self.cells.iter().any(|c| c.door == door && c.expected) {
                problems.push(format!("{door}: no cell expects a post to be seen"));
            }
        }
        assert!(
            problems.is_empty(),
            "{} privacy mismatches:\n{}\n\n{table}",
            problems.len(),
            problems.join("\n")
        );
    }
}
