//! `teams`, `channels`, `read` and `search`: cache first, refreshed from the
//! server when it can be reached.

use anyhow::Result;
use pausenhof_core::markdown::emoji_unicode;
use pausenhof_core::reads::{
    ChannelListItem, OlderPosts, PostView, SearchHit, SidebarSection, TeamView, TimelineWindow,
};
use pausenhof_core::texts::{Locale, Text};
use pausenhof_core::timeline::{
    PostItem, SendStatus, Target, TimelineItemKind, TimelineItems, TimelineOptions,
};
use pausenhof_core::Client;
use serde_json::json;

use crate::channel_ref::resolve;
use crate::output::{Output, Style};
use crate::sync_progress::refresh;

pub async fn teams(client: &Client, output: Output) -> Result<()> {
    refresh(client, output).await?;
    let teams = client.teams().await?;
    if output.json {
        output.json_value(&teams);
        return Ok(());
    }
    for team in teams {
        let marker = if team.mention_count > 0 {
            output.paint(Style::Mention, &format!(" @{}", team.mention_count))
        } else if team.has_unread {
            output.paint(Style::Unread, " •")
        } else {
            String::new()
        };
        output.line(format!("{} ({}){marker}", team.display_name, team.name));
    }
    Ok(())
}

/// The user's teams, or only the one named `team`; an error naming the
/// `teams` command when the user is in no team of that name.
pub async fn selected_teams(client: &Client, team: Option<&str>) -> Result<Vec<TeamView>> {
    let teams: Vec<TeamView> = client
        .teams()
        .await?
        .into_iter()
        .filter(|candidate| team.is_none_or(|wanted| wanted == candidate.name))
        .collect();
    if let Some(wanted) = team {
        if teams.is_empty() {
            anyhow::bail!("you are not in a team named `{wanted}` (see `pausenhof teams`)");
        }
    }
    Ok(teams)
}

pub async fn channels(client: &Client, team: Option<String>, output: Output) -> Result<()> {
    refresh(client, output).await?;
    let mut listed = Vec::new();
    for candidate in selected_teams(client, team.as_deref()).await? {
        let sections = client.channel_list(&candidate.id).await?;
        listed.push((candidate, sections));
    }
    if output.json {
        let teams: Vec<_> = listed
            .iter()
            .map(|(team, sections)| json!({"team": team, "sections": sections}))
            .collect();
        output.json_value(&teams);
        return Ok(());
    }
    for (team, sections) in &listed {
        output.line(output.paint(Style::Heading, &team.display_name));
        print_sections(sections, &team.name, output);
    }
    Ok(())
}

fn print_sections(sections: &[SidebarSection], team_name: &str, output: Output) {
    for section in sections.iter().filter(|s| !s.channels.is_empty()) {
        output.line(format!(
            "  {}",
            output.paint(Style::Dim, &section.name.to_uppercase())
        ));
        for channel in &section.channels {
            output.line(format!("    {}", channel_line(channel, team_name, output)));
        }
    }
}

fn channel_line(channel: &ChannelListItem, team_name: &str, output: Output) -> String {
    let address = if channel.team_id.is_empty() {
        channel.display_name.clone()
    } else {
        format!("{team_name}/{}", channel.name)
    };
    let mut line = if channel.is_unread() {
        output.paint(Style::Unread, &channel.display_name)
    } else {
        channel.display_name.clone()
    };
    if channel.mention_count > 0 {
        line.push_str(&output.paint(Style::Mention, &format!(" @{}", channel.mention_count)));
    } else if channel.unread_count > 0 && !channel.muted {
        line.push_str(&format!(" ({} new)", channel.unread_count));
    }
    if channel.muted {
        line.push_str(&output.paint(Style::Dim, " [muted]"));
    }
    if address != channel.display_name {
        line.push_str(&output.paint(Style::Dim, &format!("  {address}")));
    }
    line
}

pub async fn read(client: &Client, channel: &str, limit: usize, output: Output) -> Result<()> {
    refresh(client, output).await?;
    let target = resolve(client, channel).await?;
    let window = timeline_loaded(client, &target.id, limit).await?;
    let locale = terminal_locale();
    let timeline = client
        .open_timeline(
            Target::Channel {
                channel_id: target.id.clone(),
            },
            TimelineOptions {
                time_zone: None,
                locale,
                page_size: limit.max(1),
            },
        )
        .await?;
    let items = timeline.items().await?;
    if output.json {
        output.json_value(&json!({"channel": target, "timeline": window, "items": items}));
        return Ok(());
    }
    print_items(&target.display_name, &items, locale, output);
    Ok(())
}

/// The language of the terminal (`LC_ALL`, `LC_MESSAGES`, `LANG`).
fn terminal_locale() -> Locale {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|value| !value.is_empty())
        .map_or(Locale::English, |tag| Locale::from_tag(&tag))
}

fn print_items(title: &str, timeline: &TimelineItems, locale: Locale, output: Output) {
    output.line(output.paint(Style::Heading, title));
    match timeline.older {
        OlderPosts::Gap => {
            output.line(output.paint(Style::Dim, "  … some older messages are not loaded yet"))
        }
        OlderPosts::OnServer | OlderPosts::Cached => output.line(output.paint(Style::Dim, "  …")),
        OlderPosts::None => {}
    }
    for item in &timeline.items {
        match &item.kind {
            TimelineItemKind::DaySeparator(day) => {
                output.line(output.paint(Style::Dim, &format!("── {} ──", day.label)))
            }
            TimelineItemKind::NewMessages { label } => {
                output.line(output.paint(Style::Mention, &format!("── {label} ──")))
            }
            TimelineItemKind::System(system) => output
                .line(output.paint(Style::Dim, &format!("  {} · {}", system.time, system.text))),
            TimelineItemKind::Post(post) => {
                for line in item_lines(post, locale, output) {
                    output.line(line);
                }
            }
        }
    }
    if timeline.newer_missing {
        output.line(output.paint(
            Style::Dim,
            "  (newer messages will appear after the next sync)",
        ));
    }
}

/// A post as terminal lines: time and author unless it continues the
/// author's previous post, the text without Markdown, then its markers.
fn item_lines(post: &PostItem, locale: Locale, output: Output) -> Vec<String> {
    const INDENT: &str = "        ";
    let mut lines = Vec::new();
    let mut text = post.plain_text.lines();
    let first = text.next().unwrap_or("");
    let first = if post.deleted {
        output.paint(Style::Dim, first)
    } else if post.emote {
        format!("* {} {first}", post.author_name)
    } else {
        first.to_owned()
    };
    if post.grouped {
        lines.push(format!("{INDENT}{first}"));
    } else {
        lines.push(format!(
            "  {} {}: {first}",
            output.paint(Style::Dim, &post.time),
            output.paint(Style::Heading, &post.author_name)
        ));
    }
    lines.extend(text.map(|line| format!("{INDENT}{line}")));
    let mut markers = String::new();
    if post.edited && !post.deleted {
        markers.push_str(&output.paint(Style::Dim, &format!(" {}", Text::Edited.get(locale))));
    }
    match &post.send_state {
        SendStatus::Sent => {}
        SendStatus::Pending => markers.push_str(&output.paint(Style::Dim, " (sending…)")),
        SendStatus::Failed { explanation, .. } => {
            markers.push_str(&output.paint(Style::Bad, &format!(" (not sent: {explanation})")))
        }
    }
    if let Some(thread) = &post.thread {
        markers.push_str(&output.paint(Style::Dim, &format!(" [{} replies]", thread.reply_count)));
    }
    if post.pinned {
        markers.push_str(&output.paint(Style::Dim, " [pinned]"));
    }
    for reaction in &post.reactions {
        let emoji = emoji_unicode(&reaction.emoji_name)
            .map_or_else(|| format!(":{}:", reaction.emoji_name), str::to_owned);
        markers.push_str(&format!(" {emoji} {}", reaction.count));
    }
    for file in &post.files {
        markers.push_str(&output.paint(Style::Dim, &format!(" [file: {}]", file.name)));
    }
    if let Some(last) = lines.last_mut() {
        last.push_str(&markers);
    }
    lines
}

/// The newest cached posts; a channel the first sync skipped (nothing
/// unread there) gets its newest page fetched first, when online.
pub async fn timeline_loaded(
    client: &Client,
    channel_id: &str,
    limit: usize,
) -> Result<TimelineWindow> {
    let window = client.timeline(channel_id, limit).await?;
    let short = window.posts.len() < limit && window.older == OlderPosts::OnServer;
    if (window.never_loaded || short) && client.load_older(channel_id).await.is_ok() {
        return Ok(client.timeline(channel_id, limit).await?);
    }
    Ok(window)
}

pub fn post_line(post: &PostView, output: Output) -> String {
    let time = format_time(post.create_at);
    let mut line = format!(
        "  {} {}: ",
        output.paint(Style::Dim, &time),
        output.paint(Style::Heading, &post.author_name)
    );
    if post.deleted {
        line.push_str(&output.paint(Style::Dim, "(message deleted)"));
        return line;
    }
    line.push_str(&post.message);
    if post.edited {
        line.push_str(&output.paint(Style::Dim, " (edited)"));
    }
    if post.reply_count > 0 {
        line.push_str(&output.paint(Style::Dim, &format!(" [{} replies]", post.reply_count)));
    }
    for reaction in &post.reactions {
        line.push_str(&format!(" :{}: {}", reaction.emoji_name, reaction.count));
    }
    for file in &post.files {
        line.push_str(&output.paint(Style::Dim, &format!(" [file: {}]", file.name)));
    }
    line
}

/// `YYYY-MM-DD HH:MM` in UTC: no time-zone database needed, and sortable.
fn format_time(millis: i64) -> String {
    let seconds = millis.div_euclid(1000);
    let days = seconds.div_euclid(86_400);
    let time_of_day = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}",
        time_of_day / 3600,
        time_of_day % 3600 / 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's
/// well-known algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

pub async fn search(
    client: &Client,
    terms: &[String],
    offline: bool,
    output: Output,
) -> Result<()> {
    let terms = terms.join(" ");
    if terms.trim().is_empty() {
        anyhow::bail!("give something to search for, e.g. `pausenhof search hausaufgaben`");
    }
    let (hits, from_server) = if offline {
        (client.search_offline(&terms, None, 50).await?, false)
    } else {
        refresh(client, output).await?;
        search_every_team(client, &terms).await?
    };
    if output.json {
        output.json_value(&hits);
        return Ok(());
    }
    if !offline && !from_server {
        output.line(output.paint(
            Style::Dim,
            "(the server cannot be reached: cached messages only)",
        ));
    }
    if hits.is_empty() {
        output.line(format!("No message matches “{terms}”."));
    }
    for hit in &hits {
        output.line(format!(
            "{} {}",
            output.paint(Style::Dim, &format!("[{}]", hit.channel_display_name)),
            post_line(&hit.post, output).trim_start()
        ));
    }
    Ok(())
}

/// The server's search (with its modifiers) of every team, merged with the
/// cache's; whether the server answered for all of them.
async fn search_every_team(client: &Client, terms: &str) -> Result<(Vec<SearchHit>, bool)> {
    let mut hits: Vec<SearchHit> = Vec::new();
    let mut from_server = true;
    for team in client.teams().await? {
        let results = client.search_posts(&team.id, terms, None, 50).await?;
        from_server &= results.from_server;
        hits.extend(results.hits);
    }
    hits.sort_by(|a, b| (b.post.create_at, &b.post.id).cmp(&(a.post.create_at, &a.post.id)));
    // Direct messages belong to every team's search.
    hits.dedup_by(|a, b| a.post.id == b.post.id);
    hits.truncate(50);
    Ok((hits, from_server))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_utc_calendar_dates() {
        assert_eq!(format_time(0), "1970-01-01 00:00");
        // 2026-11-27 21:11:16 UTC
        assert_eq!(format_time(1_795_813_876_000), "2026-11-27 21:11");
        // A leap day.
        assert_eq!(format_time(951_782_400_000), "2000-02-29 00:00");
    }
}
