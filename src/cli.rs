//! The command line: `serve`, `migrate`, `init` and `admin …`. Every failure
//! ends as one readable sentence on stderr and a non-zero exit status.

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};

use crate::config::{Config, DEFAULT_CONFIG_TOML};
use crate::crypto;
use crate::service::accounts::{self, NewLocalUser};
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
        #[arg(long, default_value = "user", value_parser = ["user", "moderator", "admin"])]
        role: String,
        /// Do nothing (and succeed) if an admin account already exists.
        #[arg(long)]
        skip_if_admin_exists: bool,
    },
    /// Change the role of a user.
    SetRole {
        #[arg(long)]
        username: String,
        #[arg(long, value_parser = ["user", "moderator", "admin"])]
        role: String,
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
        .migrate()
        .await
        .map_err(|e| anyhow::anyhow!("cannot migrate the database: {e}"))?;
    Ok(store)
}

async fn serve(config: Config) -> anyhow::Result<()> {
    crate::telemetry::init(&config);
    std::fs::create_dir_all(&config.media_dir).with_context(|| {
        format!(
            "cannot create the media directory {}",
            config.media_dir.display()
        )
    })?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let address = listener
        .local_addr()
        .context("cannot read the listening address")?;
    let shutdown = crate::server::shutdown_signal().context("cannot install signal handlers")?;
    let state = AppState::init(config.clone()).await?;
    if !state.store.users().admin_exists().await? {
        eprintln!(
            "No admin account yet. Create one with: loggia admin create-user --username admin --email you@example.com --role admin"
        );
    }
    tracing::info!(
        listen = %address,
        url = %config.base_url(),
        database = state.store.backend_name(),
        "Loggia is listening"
    );
    let housekeeping = crate::service::maintenance::spawn(state.clone());
    let deliveries = crate::federation::delivery::spawn(state.clone());
    let served = crate::server::serve(listener, state.clone(), shutdown).await;
    housekeeping.abort();
    deliveries.stop().await;
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
            accounts::set_role(&store, found.user.id, &role).await?;
            println!("@{} is now {role}.", found.account.username);
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
                println!("{username:<30} {:<40} {role:<10} {created}", user.email);
            }
        }
    }
    store.close().await;
    Ok(())
}
