//! Records for what the UI shows, mirrored from core's read views. Field
//! meanings are core's; see `pausenhof_core::reads`.

use pausenhof_core::{reads, sync};

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Team {
    pub id: String,
    pub name: String,
    pub display_name: String,
    /// Some unmuted channel of the team has unread posts.
    pub has_unread: bool,
    pub mention_count: i64,
}

/// One group of the sidebar (favorites, channels, direct messages, or a
/// custom category).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SidebarSection {
    pub kind: SectionKind,
    pub category_id: Option<String>,
    pub name: String,
    pub collapsed: bool,
    pub channels: Vec<ChannelListItem>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum SectionKind {
    Favorites,
    Channels,
    DirectMessages,
    Custom,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ChannelListItem {
    pub id: String,
    /// Empty for direct and group messages.
    pub team_id: String,
    pub name: String,
    /// For a direct message the other person's name.
    pub display_name: String,
    pub kind: ChannelKind,
    pub unread_count: i64,
    pub mention_count: i64,
    pub muted: bool,
    /// Whether the channel shows as unread (muted ones only for mentions).
    pub is_unread: bool,
    pub last_post_at: i64,
    pub last_viewed_at: i64,
    pub other_user_id: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ChannelKind {
    Public,
    Private,
    Direct,
    Group,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Post {
    pub id: String,
    pub channel_id: String,
    /// Empty for a root post.
    pub root_id: String,
    pub user_id: String,
    pub author_name: String,
    pub author_username: String,
    pub message: String,
    /// Empty for normal posts, `system_*` for system messages.
    pub post_type: String,
    /// The post's `props` as JSON text.
    pub props_json: String,
    pub create_at: i64,
    pub edited: bool,
    pub edit_at: i64,
    pub deleted: bool,
    pub is_pinned: bool,
    pub reply_count: i64,
    pub reactions: Vec<Reaction>,
    pub files: Vec<FileAttachment>,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Reaction {
    pub emoji_name: String,
    pub count: u64,
    pub user_ids: Vec<String>,
    /// The signed-in user reacted with it.
    pub mine: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FileAttachment {
    pub id: String,
    pub name: String,
    pub extension: String,
    pub size: i64,
    pub mime_type: String,
    pub width: i64,
    pub height: i64,
    pub has_preview_image: bool,
    pub mini_preview: Option<String>,
}

/// The newest contiguous cached part of a channel's timeline.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TimelineWindow {
    pub channel_id: String,
    /// Oldest first.
    pub posts: Vec<Post>,
    pub older: OlderPosts,
    /// Newer posts exist than the cached ones: a sync is due.
    pub newer_missing: bool,
    pub never_loaded: bool,
}

/// What lies before the oldest post of a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum OlderPosts {
    Cached,
    None,
    OnServer,
    Gap,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Thread {
    pub root_id: String,
    pub root: Option<Post>,
    /// Oldest first.
    pub replies: Vec<Post>,
    /// All replies the server counted are cached.
    pub complete: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SearchHit {
    pub post: Post,
    pub channel_display_name: String,
    pub team_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Person {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub first_name: String,
    pub last_name: String,
    pub nickname: String,
    pub position: String,
    pub is_bot: bool,
    pub deactivated: bool,
}

/// What a sync did.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SyncReport {
    /// Everything fetched (first sync) rather than only what changed.
    pub full: bool,
    pub channels_with_posts_fetched: Vec<String>,
    /// Channels where a gap before the newest page was recorded.
    pub gaps_left: Vec<String>,
}

/// What a prefetch for offline reading did.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PrefetchReport {
    /// Channels whose newest page is now cached.
    pub channels_fetched: Vec<String>,
    /// Channels that failed or were not tried once the network was gone.
    pub channels_failed: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct LoadOlderOutcome {
    pub fetched: u64,
    pub reached_start: bool,
    pub closed_gap: bool,
}

impl From<reads::TeamView> for Team {
    fn from(t: reads::TeamView) -> Self {
        Team {
            id: t.id,
            name: t.name,
            display_name: t.display_name,
            has_unread: t.has_unread,
            mention_count: t.mention_count,
        }
    }
}

impl From<reads::SidebarSection> for SidebarSection {
    fn from(s: reads::SidebarSection) -> Self {
        SidebarSection {
            kind: match s.kind {
                reads::SectionKind::Favorites => SectionKind::Favorites,
                reads::SectionKind::Channels => SectionKind::Channels,
                reads::SectionKind::DirectMessages => SectionKind::DirectMessages,
                reads::SectionKind::Custom => SectionKind::Custom,
            },
            category_id: s.category_id,
            name: s.name,
            collapsed: s.collapsed,
            channels: s.channels.into_iter().map(Into::into).collect(),
        }
    }
}

impl From<reads::ChannelListItem> for ChannelListItem {
    fn from(c: reads::ChannelListItem) -> Self {
        ChannelListItem {
            is_unread: c.is_unread(),
            id: c.id,
            team_id: c.team_id,
            name: c.name,
            display_name: c.display_name,
            kind: match c.kind {
                reads::ChannelKind::Public => ChannelKind::Public,
                reads::ChannelKind::Private => ChannelKind::Private,
                reads::ChannelKind::Direct => ChannelKind::Direct,
                reads::ChannelKind::Group => ChannelKind::Group,
            },
            unread_count: c.unread_count,
            mention_count: c.mention_count,
            muted: c.muted,
            last_post_at: c.last_post_at,
            last_viewed_at: c.last_viewed_at,
            other_user_id: c.other_user_id,
        }
    }
}

impl From<reads::PostView> for Post {
    fn from(p: reads::PostView) -> Self {
        Post {
            id: p.id,
            channel_id: p.channel_id,
            root_id: p.root_id,
            user_id: p.user_id,
            author_name: p.author_name,
            author_username: p.author_username,
            message: p.message,
            post_type: p.post_type,
            props_json: p.props.to_string(),
            create_at: p.create_at,
            edited: p.edited,
            edit_at: p.edit_at,
            deleted: p.deleted,
            is_pinned: p.is_pinned,
            reply_count: p.reply_count,
            reactions: p.reactions.into_iter().map(Into::into).collect(),
            files: p.files.into_iter().map(Into::into).collect(),
        }
    }
}

impl From<reads::ReactionView> for Reaction {
    fn from(r: reads::ReactionView) -> Self {
        Reaction {
            emoji_name: r.emoji_name,
            count: r.count as u64,
            user_ids: r.user_ids,
            mine: r.mine,
        }
    }
}

impl From<reads::FileView> for FileAttachment {
    fn from(f: reads::FileView) -> Self {
        FileAttachment {
            id: f.id,
            name: f.name,
            extension: f.extension,
            size: f.size,
            mime_type: f.mime_type,
            width: f.width,
            height: f.height,
            has_preview_image: f.has_preview_image,
            mini_preview: f.mini_preview,
        }
    }
}

impl From<reads::TimelineWindow> for TimelineWindow {
    fn from(w: reads::TimelineWindow) -> Self {
        TimelineWindow {
            channel_id: w.channel_id,
            posts: w.posts.into_iter().map(Into::into).collect(),
            older: w.older.into(),
            newer_missing: w.newer_missing,
            never_loaded: w.never_loaded,
        }
    }
}

impl From<reads::OlderPosts> for OlderPosts {
    fn from(older: reads::OlderPosts) -> Self {
        match older {
            reads::OlderPosts::Cached => OlderPosts::Cached,
            reads::OlderPosts::None => OlderPosts::None,
            reads::OlderPosts::OnServer => OlderPosts::OnServer,
            reads::OlderPosts::Gap => OlderPosts::Gap,
        }
    }
}

impl From<reads::ThreadView> for Thread {
    fn from(t: reads::ThreadView) -> Self {
        Thread {
            root_id: t.root_id,
            root: t.root.map(Into::into),
            replies: t.replies.into_iter().map(Into::into).collect(),
            complete: t.complete,
        }
    }
}

impl From<reads::SearchHit> for SearchHit {
    fn from(h: reads::SearchHit) -> Self {
        SearchHit {
            post: h.post.into(),
            channel_display_name: h.channel_display_name,
            team_id: h.team_id,
        }
    }
}

impl From<reads::UserView> for Person {
    fn from(u: reads::UserView) -> Self {
        Person {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            first_name: u.first_name,
            last_name: u.last_name,
            nickname: u.nickname,
            position: u.position,
            is_bot: u.is_bot,
            deactivated: u.deactivated,
        }
    }
}

impl From<sync::SyncReport> for SyncReport {
    fn from(r: sync::SyncReport) -> Self {
        SyncReport {
            full: r.kind == sync::SyncKind::Full,
            channels_with_posts_fetched: r.channels_with_posts_fetched.into_iter().collect(),
            gaps_left: r.gaps_left.into_iter().collect(),
        }
    }
}

impl From<sync::PrefetchReport> for PrefetchReport {
    fn from(r: sync::PrefetchReport) -> Self {
        PrefetchReport {
            channels_fetched: r.channels_fetched,
            channels_failed: r.channels_failed as u64,
        }
    }
}

impl From<sync::LoadOlderOutcome> for LoadOlderOutcome {
    fn from(o: sync::LoadOlderOutcome) -> Self {
        LoadOlderOutcome {
            fetched: o.fetched as u64,
            reached_start: o.reached_start,
            closed_gap: o.closed_gap,
        }
    }
}
