//! The command line: global options and one subcommand per task.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "pausenhof",
    version,
    about = "A Mattermost client for schools, in the terminal",
    after_help = "Try `pausenhof demo` first: it needs no server and no network."
)]
pub struct Cli {
    /// Where accounts, the offline cache and the session secret live
    /// (default: the OS data directory).
    #[arg(long, global = true, value_name = "DIR", env = "PAUSENHOF_DATA_DIR")]
    pub data_dir: Option<PathBuf>,

    /// Which signed-in account to use: `user`, `server` or
    /// `user@server` (default: the one used last). It becomes the one
    /// used last.
    #[arg(long, global = true, value_name = "ACCOUNT", env = "PAUSENHOF_ACCOUNT")]
    pub account: Option<String>,

    /// Print JSON for scripts instead of text.
    #[arg(long, global = true)]
    pub json: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// A live tour on an embedded test server: no network, no arguments.
    Demo,
    /// Sign in to a Mattermost server (another account when one is
    /// signed in already: both stay signed in).
    Login(LoginArgs),
    /// Sign out and erase everything this account left on this device;
    /// other accounts stay signed in.
    Logout,
    /// The accounts signed in on this device.
    Accounts,
    /// The teams you belong to.
    Teams,
    /// The channel list of a team, grouped like the sidebar.
    Channels {
        /// Team name (default: every team).
        #[arg(long)]
        team: Option<String>,
    },
    /// The newest posts of a channel (`team/channel` or `@username`).
    Read {
        channel: String,
        /// How many posts.
        #[arg(long, default_value_t = 30)]
        limit: usize,
    },
    /// Send a message (queued offline, delivered exactly once), or run a
    /// slash command (`/mute`, `/leave`, `/away`...; online only).
    Send { channel: String, text: String },
    /// Messages written but not sent (the drafts of every channel and
    /// thread, this device's and the server's).
    Drafts,
    /// The threads you follow, newest reply first, with what is unread.
    Threads {
        /// Team name (default: every team).
        #[arg(long)]
        team: Option<String>,
    },
    /// Follow live events until Ctrl-C.
    Tail,
    /// Search messages on the server and in the cache, with Mattermost's
    /// modifiers (`from:anna in:klasse-7a after:2026-03-01 "a phrase" -word word*`).
    Search {
        /// `-word` excludes a word; put options before the terms.
        #[arg(allow_hyphen_values = true)]
        terms: Vec<String>,
        /// Only the offline cache.
        #[arg(long)]
        offline: bool,
    },
    /// Open a Mattermost link (permalink, channel or message link): where
    /// it leads on the signed-in server.
    Open { link: String },
    /// Write your own data (profile, teams, channels, your posts) to a JSON
    /// file: the GDPR Art. 20 export.
    Export {
        /// Output file.
        #[arg(long, short, default_value = "pausenhof-export.json")]
        output: PathBuf,
    },
    /// Without arguments: account, session and sync state. With one: set
    /// your status, e.g. `status dnd 1h` (do not disturb for an hour).
    Status {
        status: Option<StatusChoice>,
        /// How long do-not-disturb lasts (`30m`, `1h`, `2h30m`, `1d`).
        duration: Option<String>,
    },
    /// Join a team (`team`) or a public channel (`team/channel-name`).
    Join { what: String },
    /// Leave a team (`team`) or a channel (`team/channel-name`).
    Leave { what: String },
    /// Open the direct message with `@user` (or the group message with
    /// several people).
    Dm {
        #[arg(required = true)]
        people: Vec<String>,
    },
    /// Show your profile; with options, change it (e.g. `profile
    /// --position "Klassenlehrerin 7b"`; an empty value clears nickname or
    /// position).
    Profile(ProfileArgs),
}

#[derive(Debug, Default, clap::Args)]
pub struct ProfileArgs {
    #[arg(long)]
    pub first_name: Option<String>,
    #[arg(long)]
    pub last_name: Option<String>,
    #[arg(long)]
    pub nickname: Option<String>,
    #[arg(long)]
    pub position: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StatusChoice {
    Online,
    Away,
    /// Do not disturb.
    Dnd,
    Offline,
}

#[derive(Debug, clap::Args)]
pub struct LoginArgs {
    /// The server address as people type it, e.g. `chat.schule.example`.
    pub server: String,
    /// Email or username (prompted when not given).
    #[arg(long)]
    pub login_id: Option<String>,
    /// Sign in with a personal access token (read from PAUSENHOF_TOKEN, or
    /// prompted; never given as an argument).
    #[arg(long, conflicts_with_all = ["login_id", "sso"])]
    pub token: bool,
    /// Sign in through single sign-on (gitlab, saml, openid, office365,
    /// google): prints the browser address, then asks for the token or code.
    #[arg(long, value_name = "PROVIDER")]
    pub sso: Option<String>,
}
