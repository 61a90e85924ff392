//! Scenarios of the composer: the slash commands a school's netiquette
//! points to, and saved and pinned posts. Each works in a channel of its
//! own (a unique name), so a real server's seeded channels stay as they
//! are; the status commands end with `/online`.

use anyhow::{ensure, Context, Result};
use pausenhof_core::composer::CommandOutcome;

use crate::scenarios::{eventually, live_device, post_now, unique, uuid_like, Device};
use crate::sut::ServerUnderTest;

/// A new public channel of the school's team, created by `device`.
async fn own_channel(device: &Device, team: &str, what: &str) -> Result<(String, String)> {
    let team_id = device
        .client
        .teams()
        .await?
        .into_iter()
        .find(|t| t.name == team)
        .context("the school team")?
        .id;
    let tag = uuid_like().trim_start_matches('#').to_string();
    let channel = device
        .client
        .create_channel(&team_id, &format!("{what} {tag}"), false, "")
        .await?;
    Ok((team_id, channel.id))
}

async fn listed(device: &Device, team_id: &str, channel_id: &str) -> Result<Option<bool>> {
    let sections = device.client.channel_list(team_id).await?;
    Ok(sections
        .iter()
        .flat_map(|s| &s.channels)
        .find(|c| c.id == channel_id)
        .map(|c| c.muted))
}

/// `/mute` mutes the channel and `/leave` removes it from the sidebar, at
/// once, without a sync.
pub async fn slash_mute_and_leave(sut: &impl ServerUnderTest) -> Result<()> {
    let school = sut.school();
    let student = live_device(&sut.url(), &school.student).await?;
    let (team_id, channel) = own_channel(&student, &school.team, "Stummschalten").await?;

    student.client.run_command(&channel, "", "/mute").await?;
    ensure!(
        listed(&student, &team_id, &channel).await? == Some(true),
        "{}: not muted after /mute",
        sut.name()
    );
    student.client.run_command(&channel, "", "/mute").await?;
    ensure!(
        listed(&student, &team_id, &channel).await? == Some(false),
        "{}: still muted after the second /mute",
        sut.name()
    );

    let outcome = student.client.run_command(&channel, "", "/leave").await?;
    ensure!(
        listed(&student, &team_id, &channel).await?.is_none(),
        "{}: still listed after /leave",
        sut.name()
    );
    ensure!(
        matches!(outcome, CommandOutcome::OpenChannel { .. }),
        "{}: /leave should open the town square, got {outcome:?}",
        sut.name()
    );
    Ok(())
}

/// `/away` and `/online` change the own status; `/header` the channel's
/// header, in the cache at once.
pub async fn slash_away_and_header(sut: &impl ServerUnderTest) -> Result<()> {
    let school = sut.school();
    let student = live_device(&sut.url(), &school.student).await?;
    let (_, channel) = own_channel(&student, &school.team, "Kopfzeile").await?;
    let me = school.student.id.clone();

    student.client.run_command(&channel, "", "/away").await?;
    let away = student.client.user_status(&me)?;
    student.client.run_command(&channel, "", "/online").await?;
    let online = student.client.user_status(&me)?;
    ensure!(
        away.as_deref() == Some("away") && online.as_deref() == Some("online"),
        "{}: statuses {away:?}, {online:?}",
        sut.name()
    );

    let header = unique("Bitte freundlich bleiben");
    student
        .client
        .run_command(&channel, "", &format!("/header {header}"))
        .await?;
    let id = channel.clone();
    let cached = student
        .client
        .store()?
        .read(move |c| pausenhof_core::store::cached_channel(c, &id))
        .await?
        .context("the channel is cached")?;
    ensure!(
        cached.header == header,
        "{}: header {:?}",
        sut.name(),
        cached.header
    );
    Ok(())
}

/// `/msg @classmate text` opens the direct message and the text reaches
/// the classmate.
pub async fn slash_msg_reaches_the_classmate(sut: &impl ServerUnderTest) -> Result<()> {
    let school = sut.school();
    let classmate = live_device(&sut.url(), &school.classmate).await?;
    let student = live_device(&sut.url(), &school.student).await?;
    let square = student
        .channel(&school.team, crate::sut::School::SHARED_CHANNEL)
        .await?;
    let text = unique("Hast du die Vokabeln?");
    let outcome = student
        .client
        .run_command(
            &square.id,
            "",
            &format!("/msg @{} {text}", school.classmate.username),
        )
        .await?;
    let CommandOutcome::OpenChannel { channel_id, .. } = outcome else {
        anyhow::bail!("{}: /msg gave {outcome:?}", sut.name());
    };
    eventually("the /msg text at the classmate's", || async {
        let posts = classmate.client.timeline(&channel_id, 30).await?.posts;
        Ok(posts.iter().any(|p| p.message == text).then_some(()))
    })
    .await?;
    Ok(())
}

/// A post saved and pinned is listed as such; unsaved and unpinned it is
/// not.
pub async fn save_and_pin_a_post(sut: &impl ServerUnderTest) -> Result<()> {
    let school = sut.school();
    let student = live_device(&sut.url(), &school.student).await?;
    let (_, channel) = own_channel(&student, &school.team, "Merken").await?;
    let post = post_now(
        &student,
        &channel,
        "",
        &unique("Klassenfahrt: Anmeldung bis Freitag"),
    )
    .await?;

    student.client.set_post_saved(&post.id, true).await?;
    let saved = student.client.saved_posts().await?;
    ensure!(
        saved.iter().any(|p| p.id == post.id),
        "{}: not among the saved posts",
        sut.name()
    );
    student.client.set_post_pinned(&post.id, true).await?;
    let pinned = student.client.pinned_posts(&channel).await?;
    ensure!(
        pinned.len() == 1 && pinned[0].id == post.id && pinned[0].is_pinned,
        "{}: pinned list {pinned:?}",
        sut.name()
    );

    student.client.set_post_pinned(&post.id, false).await?;
    student.client.set_post_saved(&post.id, false).await?;
    // The websocket may still bring the echo of the save and the pin; the
    // lists settle on the server's state.
    eventually("the post neither pinned nor saved", || async {
        let pinned = student.client.pinned_posts(&channel).await?;
        let saved = student.client.saved_posts().await?;
        Ok((pinned.is_empty() && !saved.iter().any(|p| p.id == post.id)).then_some(()))
    })
    .await?;
    Ok(())
}

/// A draft written on the phone is on the tablet (the server keeps it);
/// sending it from the tablet clears it on both.
pub async fn drafts_follow_the_user(sut: &impl ServerUnderTest) -> Result<()> {
    let school = sut.school();
    let phone = live_device(&sut.url(), &school.student).await?;
    let tablet = live_device(&sut.url(), &school.student).await?;
    let (_, channel) = own_channel(&phone, &school.team, "Entwurf").await?;
    tablet.client.sync().await?;
    let text = unique("Ich bringe Kuchen mit");

    phone.client.save_draft(&channel, "", &text).await?;
    ensure!(
        phone
            .client
            .draft(&channel, "")
            .await?
            .is_some_and(|d| d.message == text),
        "{}: the draft is not kept at once",
        sut.name()
    );
    eventually("the draft on the tablet", || async {
        tablet.client.sync_drafts().await?;
        let draft = tablet.client.draft(&channel, "").await?;
        Ok(draft.filter(|d| d.message == text).map(|_| ()))
    })
    .await?;

    tablet.client.submit(&channel, "", &text).await?;
    ensure!(
        tablet.client.draft(&channel, "").await?.is_none(),
        "{}: the draft stays after sending",
        sut.name()
    );
    eventually("the draft gone from the phone", || async {
        phone.client.sync_drafts().await?;
        Ok(phone
            .client
            .draft(&channel, "")
            .await?
            .is_none()
            .then_some(()))
    })
    .await?;
    Ok(())
}
