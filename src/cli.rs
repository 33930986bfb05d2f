//! The command line: `serve`, `migrate`, `init`, `backup`, `restore` and
//! `admin …`. Every failure
//! ends as one readable sentence on stderr and a non-zero exit status.

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};

use crate::config::{Config, DEFAULT_CONFIG_TOML};
use crate::crypto;
use crate::moderation::audit::Actor;
use crate::service::account_actions;
use crate::service::accounts::{self, NewLocalUser};
use crate::service::registration;
use crate::state::{AppState, redact};
use crate::store::Store;

#[derive(Parser, Debug)]
#[command(
    name = "loggia",
    version,
    about = "A self-hosted, federated employee microblog"
)]
pub struct Cli {
    /// Configuration file (TOML). Every key can also be set as LOGGIA_<KEY>.
    #[arg(long, global = true, env = "LOGGIA_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the server (creates and migrates the database if needed).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Write a commented default configuration file.
    Init {
        #[arg(long, default_value = "loggia.toml")]
        output: PathBuf,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Back up the database and local media into a new directory, while
    /// the server runs.
    ///
    /// SQLite: a consistent copy of the database (`loggia.sqlite`).
    /// PostgreSQL: `pg_dump -Fc` (`loggia.pgdump`; pg_dump must be installed).
    /// With `media_backend = "local"`, the media files go to `media/` (hard
    /// links where possible); a bucket is backed up by its own means. The
    /// directory appears complete or not at all.
    Backup {
        /// The backup directory to create.
        dir: PathBuf,
        /// Replace an existing directory.
        #[arg(long)]
        force: bool,
    },
    /// Restore a backup made by `loggia backup` (stop the server first).
    ///
    /// The backup goes into the configured database and media directory,
    /// then this version's migrations are applied. SQLite: the database
    /// file is replaced (an existing one only with --force). PostgreSQL: the
    /// database must exist and be empty (createdb); pg_restore must be
    /// installed.
    Restore {
        /// A directory written by `loggia backup`.
        dir: PathBuf,
        /// Replace an existing SQLite database file.
        #[arg(long)]
        force: bool,
    },
    /// Manage users.
    #[command(subcommand)]
    Admin(AdminCommand),
}

#[derive(Subcommand, Debug)]
pub enum AdminCommand {
    /// Create a local user. Without a password option, one is generated and printed.
    CreateUser {
        #[arg(long)]
        username: String,
        #[arg(long)]
        email: String,
        #[command(flatten)]
        password: PasswordArgs,
        #[arg(long, default_value = "user", value_parser = ["user", "reviewer", "moderator", "admin"])]
        role: String,
        /// Do nothing (and succeed) if an admin account already exists.
        #[arg(long)]
        skip_if_admin_exists: bool,
    },
    /// Change the role of a user.
    SetRole {
        #[arg(long)]
        username: String,
        #[arg(long, value_parser = ["user", "reviewer", "moderator", "admin"])]
        role: String,
    },
    /// Put a user in a team (an empty TEAM takes them out of theirs).
    SetTeam {
        /// User name or e-mail address.
        username: String,
        team: String,
    },
    /// Set a new password and sign the user out everywhere.
    ResetPassword {
        #[arg(long)]
        username: String,
        #[command(flatten)]
        password: PasswordArgs,
    },
    /// List local users.
    ListUsers,
    /// Approve a sign-up waiting for approval.
    Approve {
        #[arg(long)]
        username: String,
    },
    /// Manage invite links.
    #[command(subcommand)]
    Invite(InviteCommand),
    /// Which servers this instance federates with.
    #[command(subcommand)]
    Domain(DomainCommand),
    /// Moderation and brand-safety rules, as files to review in git.
    #[command(subcommand)]
    Rules(RulesCommand),
}

#[derive(Subcommand, Debug)]
pub enum DomainCommand {
    /// Block a domain (and its subdomains; `*.example.com` for only them).
    Block {
        domain: String,
        /// suspend: no federation at all; silence: hidden from public
        /// timelines, follows need approval; noop: only the options below.
        #[arg(long, default_value = "suspend", value_parser = ["suspend", "silence", "noop"])]
        severity: String,
        #[arg(long)]
        reject_media: bool,
        #[arg(long)]
        reject_reports: bool,
        /// Seen by staff only.
        #[arg(long, default_value = "")]
        comment: String,
        /// Shown publicly with the block.
        #[arg(long, default_value = "")]
        public_comment: String,
    },
    /// Lift a block.
    Unblock { domain: String },
    /// Add a partner to the allowlist.
    Allow { domain: String },
    /// Take a partner off the allowlist.
    Disallow { domain: String },
    /// List the federation mode, blocks and allows.
    List,
    /// Show or set the federation mode: open, blocklist or allowlist.
    Mode {
        #[arg(value_parser = ["open", "blocklist", "allowlist"])]
        mode: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum RulesCommand {
    /// Import rules from a TOML (or, by its extension, JSON) file: rules
    /// are matched by name, updated or created, and take the file's order.
    Import {
        file: std::path::PathBuf,
        /// Delete the rules the file does not name.
        #[arg(long)]
        replace: bool,
    },
    /// Print every rule in evaluation order.
    Export {
        #[arg(long, default_value = "toml", value_parser = ["toml", "json"])]
        format: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum InviteCommand {
    /// Create an invite link and print it.
    Create {
        /// How many accounts the link may create (default: unlimited).
        #[arg(long)]
        max_uses: Option<i64>,
        /// How long the link works: 30m, 12h, 7d (default: forever).
        #[arg(long, value_parser = parse_duration)]
        expires_in: Option<i64>,
        /// Whose invite it is (default: the first admin).
        #[arg(long)]
        by: Option<String>,
    },
    /// List invite links.
    List,
    /// Stop an invite link from working.
    Revoke { code: String },
}

/// `30m`, `12h`, `7d` or plain seconds, as seconds.
fn parse_duration(text: &str) -> Result<i64, String> {
    let text = text.trim();
    let (number, unit) = text.split_at(
        text.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len()),
    );
    let n: i64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration (examples: 30m, 12h, 7d)"))?;
    let factor = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => return Err(format!("unknown unit {unit:?} (use s, m, h, d or w)")),
    };
    n.checked_mul(factor)
        .ok_or_else(|| "duration too long".into())
}

#[derive(Args, Debug)]
#[group(multiple = false)]
pub struct PasswordArgs {
    /// The password (visible in the process list: prefer --password-stdin).
    #[arg(long)]
    password: Option<String>,
    /// Read the password from the first line of standard input.
    #[arg(long)]
    password_stdin: bool,
}

impl PasswordArgs {
    /// The chosen password, and whether it was generated (to be printed).
    fn resolve(&self) -> anyhow::Result<(String, bool)> {
        if let Some(password) = &self.password {
            return Ok((password.clone(), false));
        }
        if self.password_stdin {
            let stdin = std::io::stdin();
            if stdin.is_terminal() {
                eprint!("Password: ");
            }
            let mut line = String::new();
            stdin
                .lock()
                .read_line(&mut line)
                .context("cannot read the password from standard input")?;
            let password = line.trim_end_matches(['\r', '\n']).to_owned();
            if password.is_empty() {
                bail!("no password on standard input");
            }
            return Ok((password, false));
        }
        Ok((crypto::random_token(15), true))
    }
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    if let Command::Init { output, force } = &cli.command {
        return init(output, *force);
    }
    let config = Config::load(cli.config.as_deref(), std::env::vars())?;
    match cli.command {
        Command::Init { .. } => Ok(()),
        Command::Serve => serve(config).await,
        Command::Migrate => {
            open_store(&config).await?;
            println!("Database {} is up to date.", redact(&config.database_url));
            Ok(())
        }
        Command::Backup { dir, force } => {
            println!(
                "{}",
                crate::ops::backup::backup(&config, &dir, force).await?
            );
            Ok(())
        }
        Command::Restore { dir, force } => {
            println!(
                "{}",
                crate::ops::backup::restore(&config, &dir, force).await?
            );
            Ok(())
        }
        Command::Admin(command) => admin(config, command).await,
    }
}

fn init(output: &PathBuf, force: bool) -> anyhow::Result<()> {
    if output.exists() && !force {
        bail!(
            "{} already exists (use --force to overwrite it)",
            output.display()
        );
    }
    std::fs::write(output, DEFAULT_CONFIG_TOML)
        .with_context(|| format!("cannot write {}", output.display()))?;
    println!(
        "Wrote {}. Edit it, then run: loggia --config {} serve",
        output.display(),
        output.display()
    );
    Ok(())
}

async fn open_store(config: &Config) -> anyhow::Result<Store> {
    let store = Store::connect(&config.database_url, config.database_max_connections)
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "cannot open the database {}: {e}",
                redact(&config.database_url)
            )
        })?;
    store
        .migrate_exclusively()
        .await
        .map_err(|e| anyhow::anyhow!("cannot migrate the database: {e}"))?;
    Ok(store)
}

async fn serve(config: Config) -> anyhow::Result<()> {
    crate::telemetry::init(&config);
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let address = listener
        .local_addr()
        .context("cannot read the listening address")?;
    let shutdown = crate::server::shutdown_signal().context("cannot install signal handlers")?;
    let state = AppState::init(config.clone()).await?;
    // A wrong bucket or key stops the start, not the first upload.
    state.media.prepare().await.map_err(anyhow::Error::msg)?;
    if !state.store.users().admin_exists().await? {
        eprintln!(
            "No admin account yet. Create one with: loggia admin create-user --username admin --email you@example.com --role admin"
        );
    }
    // Running ffmpeg and ffprobe takes a quarter of a second: the warning
    // need not hold up the start.
    let transcoder = state.transcoder.clone();
    tokio::spawn(async move {
        if !transcoder.available().await {
            tracing::warn!(
                "ffmpeg or ffprobe not found: video uploads are refused until ffmpeg is installed"
            );
        }
    });
    tracing::info!(
        listen = %address,
        url = %config.base_url(),
        database = state.store.backend_name(),
        role = config.role.as_str(),
        "Loggia is listening"
    );
    let background = config
        .role
        .runs_workers()
        .then(|| crate::node::Background::start(&state));
    let served = crate::node::serve(config.role, listener, state.clone(), shutdown).await;
    if let Some(background) = background {
        background.stop().await;
    }
    state.store.close().await;
    served.context("server error")?;
    Ok(())
}

async fn admin(config: Config, command: AdminCommand) -> anyhow::Result<()> {
    let store = open_store(&config).await?;
    match command {
        AdminCommand::CreateUser {
            username,
            email,
            password,
            role,
            skip_if_admin_exists,
        } => {
            if skip_if_admin_exists && store.users().admin_exists().await? {
                println!("An admin account already exists; no user created.");
                return Ok(());
            }
            let (password, generated) = password.resolve()?;
            let created = accounts::create_local_user(
                &store,
                &config,
                &NewLocalUser {
                    username,
                    email,
                    password: password.clone(),
                    role,
                },
            )
            .await?;
            println!(
                "Created {} user @{}@{} <{}>.",
                created.role.name,
                created.account.username,
                config.domain(),
                created.user.email
            );
            if generated {
                println!("Password: {password}");
            }
            println!("Sign in at {}/auth/sign_in", config.base_url());
        }
        AdminCommand::SetRole { username, role } => {
            let found = accounts::find_user(&store, &username).await?;
            account_actions::set_role_as(&store, &Actor::Cli, &found, &role).await?;
            println!("@{} is now {role}.", found.account.username);
        }
        AdminCommand::SetTeam { username, team } => {
            let found = accounts::find_user(&store, &username).await?;
            match account_actions::set_team_as(&store, &Actor::Cli, &found, &team).await? {
                Some(team) => println!("@{} is now in team {team:?}.", found.account.username),
                None => println!("@{} is in no team now.", found.account.username),
            }
        }
        AdminCommand::ResetPassword { username, password } => {
            let found = accounts::find_user(&store, &username).await?;
            let (password, generated) = password.resolve()?;
            accounts::reset_password(&store, found.user.id, &password).await?;
            println!(
                "Password of @{} changed; all their sessions and tokens were revoked.",
                found.account.username
            );
            if generated {
                println!("New password: {password}");
            }
        }
        AdminCommand::ListUsers => {
            let users = store.users().list().await?;
            println!(
                "{:<30} {:<40} {:<10} {:<10}",
                "USERNAME", "EMAIL", "ROLE", "CREATED"
            );
            for (user, username, role) in users {
                let created = user.created_at.to_datetime().format("%Y-%m-%d");
                let state = match user.inactive() {
                    None => "",
                    Some(crate::model::Inactive::Disabled) => " (disabled)",
                    Some(crate::model::Inactive::Unconfirmed) => " (unconfirmed)",
                    Some(crate::model::Inactive::PendingApproval) => " (pending approval)",
                };
                println!(
                    "{username:<30} {:<40} {role:<10} {created}{state}",
                    user.email
                );
            }
        }
        AdminCommand::Approve { username } => {
            let found = accounts::find_user(&store, &username).await?;
            if !store.users().approve(found.user.id).await? {
                bail!("@{} is not waiting for approval", found.account.username);
            }
            println!("@{} is approved.", found.account.username);
        }
        AdminCommand::Invite(command) => invite(&store, &config, command).await?,
        AdminCommand::Domain(command) => {
            store.close().await;
            return domain(config, command).await;
        }
        AdminCommand::Rules(command) => {
            store.close().await;
            return rules(config, command).await;
        }
    }
    store.close().await;
    Ok(())
}

async fn domain(config: Config, command: DomainCommand) -> anyhow::Result<()> {
    use crate::moderation::domains::{FederationMode, normalize_pattern};
    use crate::service::domain_policy::{self, BlockSettings};
    let state = crate::state::AppState::init(config).await?;
    let pattern = |d: &str| {
        normalize_pattern(d)
            .with_context(|| format!("{d:?} is not a domain (example.com or *.example.com)"))
    };
    match command {
        DomainCommand::Block {
            domain,
            severity,
            reject_media,
            reject_reports,
            comment,
            public_comment,
        } => {
            let settings = BlockSettings {
                severity,
                reject_media,
                reject_reports,
                private_comment: comment,
                public_comment,
                obfuscate: false,
            };
            let existing = state
                .store
                .domains()
                .blocks()
                .await?
                .into_iter()
                .find(|b| Some(&b.domain) == pattern(&domain).ok().as_ref());
            let block = match existing {
                Some(b) => domain_policy::update_block(&state, &Actor::Cli, b.id, settings).await?,
                None => domain_policy::block(&state, &Actor::Cli, &domain, settings).await?,
            };
            println!("{} is blocked ({}).", block.domain, block.severity);
        }
        DomainCommand::Unblock { domain } => {
            let wanted = pattern(&domain)?;
            let block = state
                .store
                .domains()
                .blocks()
                .await?
                .into_iter()
                .find(|b| b.domain == wanted)
                .with_context(|| format!("{wanted} is not blocked"))?;
            domain_policy::unblock(&state, &Actor::Cli, block.id).await?;
            println!("{wanted} is no longer blocked.");
        }
        DomainCommand::Allow { domain } => {
            let allow = domain_policy::allow(&state, &Actor::Cli, &domain).await?;
            println!("{} is allowed.", allow.domain);
            if domain_policy::mode(&state).await? != FederationMode::Allowlist {
                eprintln!(
                    "Note: allows apply in allowlist mode (`loggia admin domain mode allowlist`)."
                );
            }
        }
        DomainCommand::Disallow { domain } => {
            let wanted = pattern(&domain)?;
            let allow = state
                .store
                .domains()
                .allows()
                .await?
                .into_iter()
                .find(|a| a.domain == wanted)
                .with_context(|| format!("{wanted} is not on the allowlist"))?;
            domain_policy::disallow(&state, &Actor::Cli, allow.id).await?;
            println!("{wanted} is no longer allowed.");
        }
        DomainCommand::List => {
            println!("mode: {}", domain_policy::mode(&state).await?.as_str());
            for b in state.store.domains().blocks().await? {
                let mut flags = vec![b.severity.clone()];
                if b.reject_media {
                    flags.push("reject-media".into());
                }
                if b.reject_reports {
                    flags.push("reject-reports".into());
                }
                println!("block {:<40} {}", b.domain, flags.join(","));
            }
            for a in state.store.domains().allows().await? {
                println!("allow {}", a.domain);
            }
        }
        DomainCommand::Mode { mode } => match mode {
            None => println!("{}", domain_policy::mode(&state).await?.as_str()),
            Some(mode) => {
                let mode = FederationMode::parse(&mode).context("unknown mode")?;
                domain_policy::set_mode(&state, &Actor::Cli, mode).await?;
                println!("Federation mode is now {}.", mode.as_str());
            }
        },
    }
    state.store.close().await;
    Ok(())
}

async fn rules(config: Config, command: RulesCommand) -> anyhow::Result<()> {
    use crate::service::rules::{self, RuleSet};
    let state = crate::state::AppState::init(config).await?;
    match command {
        RulesCommand::Import { file, replace } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let json = file
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("json"));
            let set: RuleSet = if json {
                serde_json::from_str(&text)
                    .with_context(|| format!("{} is not a rule file", file.display()))?
            } else {
                toml::from_str(&text)
                    .with_context(|| format!("{} is not a rule file", file.display()))?
            };
            let summary = rules::import(&state, &Actor::Cli, set, replace).await?;
            println!(
                "Rules imported: {} created, {} updated, {} deleted.",
                summary.created, summary.updated, summary.deleted
            );
        }
        RulesCommand::Export { format } => {
            let set = rules::export(&state).await?;
            let text = if format == "json" {
                serde_json::to_string_pretty(&set)?
            } else {
                toml::to_string(&set)?
            };
            println!("{text}");
        }
    }
    state.store.close().await;
    Ok(())
}

async fn invite(store: &Store, config: &Config, command: InviteCommand) -> anyhow::Result<()> {
    match command {
        InviteCommand::Create {
            max_uses,
            expires_in,
            by,
        } => {
            let creator = match by {
                Some(login) => accounts::find_user(store, &login).await?,
                None => {
                    let users = store.users().list().await?;
                    let admin = users
                        .into_iter()
                        .find(|(_, _, role)| role == "admin")
                        .context("no admin account yet: create one with `loggia admin create-user --role admin`")?;
                    accounts::find_user(store, &admin.1).await?
                }
            };
            let invite =
                registration::create_invite(store, config, &creator, max_uses, expires_in).await?;
            println!("{}", registration::invite_url(config, &invite));
            let uses = invite
                .max_uses
                .map_or("unlimited uses".to_owned(), |n| format!("{n} use(s)"));
            let until = invite.expires_at.map_or("never expires".to_owned(), |t| {
                format!("expires {}", t.to_rfc3339())
            });
            eprintln!("Invite by @{}: {uses}, {until}.", creator.account.username);
        }
        InviteCommand::List => {
            println!(
                "{:<14} {:<8} {:<10} {:<26} STATE",
                "CODE", "USES", "MAX", "EXPIRES"
            );
            let now = crate::model::Timestamp::now();
            for invite in store.invites().list(None).await? {
                let state = if invite.revoked_at.is_some() {
                    "revoked"
                } else if invite.is_usable(now) {
                    "usable"
                } else {
                    "expired or used up"
                };
                println!(
                    "{:<14} {:<8} {:<10} {:<26} {state}",
                    invite.code,
                    invite.uses,
                    invite.max_uses.map_or("-".into(), |n| n.to_string()),
                    invite.expires_at.map_or("-".into(), |t| t.to_rfc3339()),
                );
            }
        }
        InviteCommand::Revoke { code } => {
            let invite = store
                .invites()
                .by_code(&code)
                .await?
                .with_context(|| format!("no invite with code {code:?}"))?;
            if !store.invites().revoke(invite.id, None).await? {
                bail!("invite {code:?} was revoked already");
            }
            println!("Invite {code} revoked.");
        }
    }
    Ok(())
}
