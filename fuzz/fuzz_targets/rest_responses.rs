//! A REST answer body, read as every type the core decodes from the server
//! (and the push gateway's answers).
//! Trying each type on each input needs no type selector in the input, so
//! a seed recorded for one endpoint also explores the others.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pausenhof_core::api::autocomplete::UserAutocomplete;
use pausenhof_core::api::probe::{parse_version, SignInMethods};
use pausenhof_core::api::system::Ping;
use pausenhof_core::model::{
    Channel, ChannelMember, ChannelStats, ChannelUnreadAt, ChannelViewResponse, ClientConfig,
    CommandResponse, CommandSuggestion, Draft, FileInfo, FileUploadResponse, Post, PostList,
    PostSearchResults, Preference, Reaction, ServerError, SidebarCategory, SidebarCategoryList,
    SlashCommandInfo, Status, StatusOk, Team, TeamMember, TeamUnread, TermsOfService, Thread,
    ThreadList, User,
};
use serde::de::DeserializeOwned;

fn decode<T: DeserializeOwned + std::fmt::Debug>(data: &[u8]) -> Option<T> {
    let value = serde_json::from_slice::<T>(data).ok()?;
    let _ = format!("{value:?}");
    Some(value)
}

fuzz_target!(|data: &[u8]| {
    decode::<Vec<Channel>>(data);
    decode::<Channel>(data);
    decode::<Vec<ChannelMember>>(data);
    decode::<ChannelMember>(data);
    decode::<ChannelViewResponse>(data);
    decode::<ChannelStats>(data);
    decode::<ChannelUnreadAt>(data);
    decode::<SidebarCategoryList>(data);
    decode::<Vec<SidebarCategory>>(data);
    decode::<UserAutocomplete>(data);
    decode::<Vec<SlashCommandInfo>>(data);
    decode::<Vec<CommandSuggestion>>(data);
    decode::<Draft>(data);
    decode::<Vec<Draft>>(data);
    decode::<FileUploadResponse>(data);
    decode::<FileInfo>(data);
    decode::<PostList>(data);
    decode::<Vec<Post>>(data);
    decode::<Post>(data);
    decode::<ThreadList>(data);
    decode::<Thread>(data);
    decode::<Reaction>(data);
    decode::<Vec<Reaction>>(data);
    decode::<PostSearchResults>(data);
    decode::<CommandResponse>(data);
    decode::<Vec<Preference>>(data);
    decode::<Ping>(data);
    decode::<User>(data);
    decode::<Vec<User>>(data);
    decode::<Vec<Status>>(data);
    decode::<Status>(data);
    decode::<Team>(data);
    decode::<Vec<Team>>(data);
    decode::<Vec<TeamMember>>(data);
    decode::<TeamMember>(data);
    decode::<Vec<TeamUnread>>(data);
    decode::<TermsOfService>(data);
    decode::<ServerError>(data);
    decode::<StatusOk>(data);
    pausenhof_core::push::gateway::decode_answers_for_fuzzing(data);
    if let Some(config) = decode::<ClientConfig>(data) {
        // What the probe makes of a configuration.
        let _ = SignInMethods::from_config(&config);
        let _ = parse_version(config.version());
        let _ = config.site_name();
    }
});
