//! A Mattermost-compatible test server.
