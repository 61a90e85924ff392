//! Scenarios of search and links: the server's search with Mattermost's
//! modifiers, and a permalink opened to its post. Every search carries a
//! tag word of its own, so other runs' posts on a real server stay out.

use anyhow::{ensure, Context, Result};
use pausenhof_core::reads::{NewerPosts, WindowAround};
use pausenhof_core::{LinkDestination, PageSide, PostJump};

use crate::scenarios::{eventually, post_now, uuid_like, Device};
use crate::sut::{School, ServerUnderTest};

/// A word no other post contains.
fn tag_word() -> String {
    format!("zq{}", uuid_like().trim_start_matches('#'))
}

/// Posts of the school's two students, searched by the student with
/// `from:`, `in:`, `on:`, `-word` and a phrase; the server answers.
pub async fn server_search_with_modifiers(sut: &impl ServerUnderTest) -> Result<()> {
    let school = sut.school();
    let student = Device::signed_in(&sut.url(), &school.student).await?;
    let classmate = Device::signed_in(&sut.url(), &school.classmate).await?;
    student.client.sync().await?;
    classmate.client.sync().await?;
    let town = student
        .channel(&school.team, School::SHARED_CHANNEL)
        .await?;
    let team_id = student
        .client
        .teams()
        .await?
        .into_iter()
        .find(|t| t.name == school.team)
        .context("the school team")?
        .id;
    let tag = tag_word();
    post_now(&classmate, &town.id, "", &format!("{tag} Elefant eins")).await?;
    post_now(
        &classmate,
        &town.id,
        "",
        &format!("{tag} Elefant zwei Giraffe"),
    )
    .await?;
    post_now(&student, &town.id, "", &format!("{tag} Giraffe drei")).await?;
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();

    let search = |terms: String| {
        let client = student.client.clone();
        let team_id = team_id.clone();
        async move {
            let results = client
                .search_posts(&team_id, &terms, Some("UTC"), 20)
                .await?;
            ensure!(results.from_server, "the server did not answer `{terms}`");
            let mut found: Vec<String> = results.hits.into_iter().map(|h| h.post.message).collect();
            found.sort();
            Ok(found)
        }
    };
    let all = eventually("all three posts found", || async {
        let found = search(tag.clone()).await?;
        Ok((found.len() == 3).then_some(found))
    })
    .await?;
    ensure!(
        all[0].ends_with("Elefant eins"),
        "{}: unexpected hits {all:?}",
        sut.name()
    );
    let cases = [
        (format!("{tag} from:{}", school.classmate.username), 2),
        (format!("{tag} from:@{}", school.student.username), 1),
        (format!("{tag} -giraffe"), 1),
        (format!("\"{tag} elefant zwei\""), 1),
        (format!("{tag} in:{}", School::SHARED_CHANNEL), 3),
        (format!("{tag} in:off-topic"), 0),
        (format!("{tag} on:{today}"), 3),
        (format!("{tag} before:{today}"), 0),
    ];
    for (terms, expected) in cases {
        let found = search(terms.clone()).await?;
        ensure!(
            found.len() == expected,
            "{}: `{terms}` found {found:?}, expected {expected}",
            sut.name()
        );
    }
    Ok(())
}

/// A permalink of a post the device has not seen opens its channel at
/// the post, and a channel link its channel.
pub async fn permalink_opens_the_post(sut: &impl ServerUnderTest) -> Result<()> {
    let school = sut.school();
    let student = Device::signed_in(&sut.url(), &school.student).await?;
    let classmate = Device::signed_in(&sut.url(), &school.classmate).await?;
    student.client.sync().await?;
    let town = student
        .channel(&school.team, School::SHARED_CHANNEL)
        .await?;
    let post = post_now(&classmate, &town.id, "", &format!("{} Link", tag_word())).await?;
    let link = format!("{}/{}/pl/{}", sut.url(), school.team, post.id);
    let opened = student.client.open_link(&link).await?;
    let LinkDestination::Conversation {
        channel_id,
        post_id,
        root_id,
        team_id,
    } = opened
    else {
        anyhow::bail!("{}: the permalink did not open a conversation", sut.name());
    };
    ensure!(
        channel_id == town.id && post_id.as_deref() == Some(post.id.as_str()) && root_id.is_empty(),
        "{}: the permalink opened {channel_id} / {post_id:?}",
        sut.name()
    );
    ensure!(!team_id.is_empty(), "{}: no team", sut.name());
    let channel_link = format!("{}/{}/channels/off-topic", sut.url(), school.team);
    ensure!(
        matches!(
            student.client.open_link(&channel_link).await?,
            LinkDestination::Conversation { post_id: None, .. }
        ),
        "{}: the channel link did not open the channel",
        sut.name()
    );
    Ok(())
}

/// A jump to an old post of a busy channel loads its surroundings apart
/// from the newest posts; paging forwards joins them.
pub async fn jump_to_a_post(sut: &impl ServerUnderTest) -> Result<()> {
    let school = sut.school();
    let student = Device::signed_in(&sut.url(), &school.student).await?;
    student.client.sync().await?;
    let team_id = student
        .client
        .teams()
        .await?
        .into_iter()
        .find(|t| t.name == school.team)
        .context("the school team")?
        .id;
    let tag = tag_word();
    let channel = student
        .client
        .create_channel(&team_id, &format!("Sprung {tag}"), false, "")
        .await?
        .id;
    let mut ids = Vec::new();
    for i in 0..70 {
        ids.push(
            post_now(&student, &channel, "", &format!("Sprung {i} {tag}"))
                .await?
                .id,
        );
    }
    let shown = |window: &WindowAround| -> Vec<usize> {
        window
            .posts
            .iter()
            .filter_map(|p| p.message.split(' ').nth(1)?.parse().ok())
            .collect()
    };
    let PostJump::Channel { window } = student.client.jump_to_post(&ids[69]).await? else {
        anyhow::bail!("{}: a root post did not open its channel", sut.name());
    };
    ensure!(
        window.newer == NewerPosts::Newest && shown(&window).last() == Some(&69),
        "{}: the newest post's window is {:?}",
        sut.name(),
        shown(&window)
    );
    let PostJump::Channel { window } = student.client.jump_to_post(&ids[5]).await? else {
        anyhow::bail!("{}: a root post did not open its channel", sut.name());
    };
    ensure!(
        window.focus_post_id == ids[5]
            && shown(&window) == (0..36).collect::<Vec<_>>()
            && window.newer == NewerPosts::OnServer,
        "{}: the window around post 5 is {:?} ({:?})",
        sut.name(),
        shown(&window),
        window.newer
    );
    student
        .client
        .load_posts_beside(&ids[35], PageSide::Newer)
        .await?;
    let window = student
        .client
        .posts_around(&channel, &ids[5], 100, 100)
        .await?;
    ensure!(
        window.newer == NewerPosts::Newest && shown(&window) == (0..70).collect::<Vec<_>>(),
        "{}: after paging the window is {:?} ({:?})",
        sut.name(),
        shown(&window),
        window.newer
    );
    Ok(())
}
