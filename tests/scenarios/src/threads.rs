//! Scenarios of followed threads (collapsed reply threads): the Threads
//! list with unread replies and mentions, a live reply, reading and
//! unfollowing, on the user's second device too. On a real server other
//! runs' threads are in the list: every check looks at this run's root.

use anyhow::{ensure, Context, Result};
use pausenhof_core::reads::{FollowedThread, FollowedThreads};
use pausenhof_core::Client;

use crate::scenarios::{eventually, live_device, post_now, unique};
use crate::sut::{School, ServerUnderTest};

fn find<'a>(list: &'a FollowedThreads, root_id: &str) -> Option<&'a FollowedThread> {
    list.threads.iter().find(|t| t.root.id == root_id)
}

/// The cached list of `client` until `check` holds for this run's thread
/// (`None` when it is not in the list).
async fn cached_until(
    client: &Client,
    team_id: &str,
    root_id: &str,
    what: &str,
    check: impl Fn(Option<&FollowedThread>) -> bool,
) -> Result<()> {
    eventually(what, || async {
        let list = client.followed_threads(team_id).await?;
        Ok(check(find(&list, root_id)).then_some(()))
    })
    .await
}

/// The student's question gets two replies from a classmate, one naming
/// the student: the student's Threads list counts them, takes a third
/// reply live, marks the thread read (the second device follows), stops
/// following it and follows it again.
pub async fn followed_threads_read_and_unfollow(sut: &impl ServerUnderTest) -> Result<()> {
    let school = sut.school();
    let phone = live_device(&sut.url(), &school.student).await?;
    let tablet = live_device(&sut.url(), &school.student).await?;
    let classmate = live_device(&sut.url(), &school.classmate).await?;
    let square = phone.channel(&school.team, School::SHARED_CHANNEL).await?;
    let team_id = square.team_id.clone();
    let root = post_now(&phone, &square.id, "", &unique("Bis wann ist das Referat?")).await?;
    post_now(&classmate, &square.id, &root.id, "Bis Freitag").await?;
    let mention = format!("@{} und die Folien am Montag", school.student.username);
    post_now(&classmate, &square.id, &root.id, &mention).await?;

    let thread = eventually("the thread with two replies on the server", || async {
        let list = phone.client.load_followed_threads(&team_id).await?;
        Ok(find(&list, &root.id)
            .filter(|t| t.reply_count == 2)
            .cloned())
    })
    .await?;
    ensure!(
        (thread.unread_replies, thread.unread_mentions) == (2, 1),
        "{}: unread {} / mentions {}",
        sut.name(),
        thread.unread_replies,
        thread.unread_mentions
    );
    ensure!(
        thread
            .participants
            .iter()
            .any(|p| p.user_id == school.classmate.id),
        "{}: the classmate is not among the participants",
        sut.name()
    );
    ensure!(thread.preview.starts_with("Bis wann ist das Referat?"));
    tablet.client.load_followed_threads(&team_id).await?;

    post_now(&classmate, &square.id, &root.id, "Und Seite 12 lesen").await?;
    cached_until(&phone.client, &team_id, &root.id, "the live reply", |t| {
        t.is_some_and(|t| t.reply_count == 3 && t.unread_replies == 3)
    })
    .await?;

    phone.client.mark_thread_read(&root.id).await?;
    let list = phone.client.followed_threads(&team_id).await?;
    let read = find(&list, &root.id).context("the thread after reading it")?;
    ensure!(
        (read.unread_replies, read.unread_mentions) == (0, 0),
        "{}: still unread after reading",
        sut.name()
    );
    cached_until(
        &tablet.client,
        &team_id,
        &root.id,
        "read on the tablet",
        |t| t.is_some_and(|t| t.unread_replies == 0),
    )
    .await?;

    phone.client.set_thread_following(&root.id, false).await?;
    let list = phone.client.followed_threads(&team_id).await?;
    ensure!(
        find(&list, &root.id).is_none(),
        "{}: still followed",
        sut.name()
    );
    cached_until(
        &tablet.client,
        &team_id,
        &root.id,
        "unfollowed on the tablet",
        |t| t.is_none(),
    )
    .await?;
    let list = phone.client.load_followed_threads(&team_id).await?;
    ensure!(
        find(&list, &root.id).is_none(),
        "{}: the server still lists the unfollowed thread",
        sut.name()
    );

    phone.client.set_thread_following(&root.id, true).await?;
    let list = phone.client.followed_threads(&team_id).await?;
    ensure!(
        find(&list, &root.id).is_some_and(|t| t.reply_count == 3),
        "{}: not back after following again",
        sut.name()
    );
    Ok(())
}
