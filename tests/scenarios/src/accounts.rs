//! Several accounts in one client: two students of one school on one
//! phone (the real harness has one server), switching between them, a
//! push finding its server's account, and signing out of one.

use anyhow::{ensure, Context, Result};
use pausenhof_core::push::PushAction;
use pausenhof_core::Error;
use serde_json::json;

use crate::scenarios::Device;
use crate::sut::{School, ServerUnderTest};

/// Student and classmate signed in one after the other stay signed in;
/// switching follows on the server; a push carrying the server's id (its
/// `DiagnosticId`, learned without a session) finds an account of this
/// server and one of another server finds none; signing out of the
/// classmate leaves the student's session working, also after a restart.
pub async fn two_users_side_by_side(sut: &impl ServerUnderTest) -> Result<()> {
    let School {
        student, classmate, ..
    } = sut.school();
    let device = Device::signed_in(&sut.url(), &student).await?;
    let client = &device.client;
    client
        .sign_in_with_password(&sut.url(), &classmate.username, &classmate.password, None)
        .await
        .context("signing in the second account")?;
    let accounts = client.accounts()?;
    ensure!(accounts.len() == 2, "{}: {accounts:?}", sut.name());
    let key_of = |user_id: &str| {
        accounts
            .iter()
            .find(|a| a.user_id == user_id)
            .map(|a| a.key.clone())
            .context("account not listed")
    };
    let (student_key, classmate_key) = (key_of(&student.id)?, key_of(&classmate.id)?);
    ensure!(client.active_account_key().as_deref() == Some(classmate_key.as_str()));

    client.switch_account(&student_key).await?;
    ensure!(
        client.refresh_current_user().await?.id == student.id,
        "{}: the switched-to account's token is not used",
        sut.name()
    );

    let server_id = pausenhof_core::api::system::client_config(&client.api()?, true)
        .await?
        .get("DiagnosticId")
        .unwrap_or_default()
        .to_owned();
    ensure!(!server_id.is_empty(), "{}: no DiagnosticId", sut.name());
    let session_push = |server_id: &str| {
        serde_json::to_vec(&json!({"type": "session", "server_id": server_id}))
            .expect("JSON encodes")
    };
    let outcome = client.handle_push(&session_push(&server_id)).await?;
    ensure!(
        outcome.account_key == student_key,
        "{}: the push went to {} (active: {student_key})",
        sut.name(),
        outcome.account_key
    );
    ensure!(matches!(outcome.action, PushAction::NotConsented));
    let stranger = client
        .handle_push(&session_push("otherserver000000000000000"))
        .await;
    ensure!(
        matches!(stranger, Err(Error::Unauthorized)),
        "{}: a push of another server was handled: {stranger:?}",
        sut.name()
    );

    client.sign_out_account(&classmate_key).await?;
    ensure!(client.active_account_key().as_deref() == Some(student_key.as_str()));
    ensure!(client.refresh_current_user().await?.id == student.id);
    let restarted = device.restarted()?;
    let restored = restarted.restore().await?.context("nothing restored")?;
    ensure!(restored.id == student.id);
    ensure!(restarted.accounts()?.len() == 1);
    Ok(())
}
