//! Functions that exist only for the foreign-language tests (feature
//! `test-hooks`): they reach paths an app cannot, such as a panic, to prove
//! that the boundary turns it into an exception instead of a crash.
//! Names start with `test_hook` so the API listing leaves them out.

/// Panics with `message`; the caller must see an exception, not a crash.
#[uniffi::export]
pub fn test_hook_panic(message: String) {
    panic!("{message}");
}

/// Panics inside a task on the core's runtime, behind an async call: the
/// awaiting coroutine must see an exception.
#[uniffi::export]
pub async fn test_hook_panic_async(message: String) {
    crate::runtime::run(async move { panic!("{message}") }).await
}

/// Core's diff between two post lists, each post given as `"id:message"`:
/// lets the Kotlin tests check that their `applying` reads every kind of
/// operation (moves included) the way core means it.
#[uniffi::export]
pub fn test_hook_diff_posts(old: Vec<String>, new: Vec<String>) -> Vec<crate::diffs::PostListOp> {
    use pausenhof_core::observe::list::diff;
    let posts = |items: Vec<String>| -> Vec<pausenhof_core::reads::PostView> {
        items
            .into_iter()
            .map(|item| {
                let (id, message) = item.split_once(':').unwrap_or((item.as_str(), ""));
                pausenhof_core::reads::PostView {
                    id: id.to_owned(),
                    channel_id: "c".into(),
                    root_id: String::new(),
                    user_id: "u".into(),
                    author_name: String::new(),
                    author_username: String::new(),
                    message: message.to_owned(),
                    post_type: String::new(),
                    props: serde_json::Value::Null,
                    create_at: 0,
                    edited: false,
                    edit_at: 0,
                    deleted: false,
                    is_pinned: false,
                    reply_count: 0,
                    reactions: Vec::new(),
                    files: Vec::new(),
                }
            })
            .collect()
    };
    crate::diffs::post_ops(diff(&posts(old), &posts(new)))
}
