// The official mobile app's start-up requests, in its order, issued with
// Mattermost's own JavaScript client (@mattermost/client): fetch and parse
// only, nothing stored. Run by `cargo xtask bench`:
//
//   node startup.mjs <server-url> <channel-id>
//
// with MM_BENCH_LOGIN and MM_BENCH_PASSWORD in the environment. Signing in
// is not timed.
//
// Prints one JSON line: {"elapsed_ms", "requests", "teams", "channels", "posts"}.
import {performance} from 'node:perf_hooks';
import clientPackage from '@mattermost/client';

const {Client4} = clientPackage;

const [url, currentChannelId] = process.argv.slice(2);
const {MM_BENCH_LOGIN: login, MM_BENCH_PASSWORD: password} = process.env;
if (!url || !currentChannelId || !login || !password) {
    console.error('usage: MM_BENCH_LOGIN=... MM_BENCH_PASSWORD=... node startup.mjs <server-url> <channel-id>');
    process.exit(2);
}

const client = new Client4();
client.setUrl(url);
// Client4 keeps the session token from the answer for later calls.
await client.login(login, password);

let requests = 0;
const counted = (promise) => {
    requests += 1;
    return promise;
};

const started = performance.now();

// 1. Config, license and preferences.
await Promise.all([
    counted(client.getClientConfig()),
    counted(client.getClientLicenseOld()),
    counted(client.getMyPreferences()),
]);

// 2. Teams, team memberships and the user.
const [teams] = await Promise.all([
    counted(client.getMyTeams()),
    counted(client.getMyTeamMembers()),
    counted(client.getMe()),
]);

// 3. Channels, channel memberships and sidebar categories, one team at a time.
let channels = 0;
for (const team of teams) {
    const [teamChannels] = await Promise.all([
        counted(client.getMyChannels(team.id, true)),
        counted(client.getMyChannelMembers(team.id)),
        counted(client.getChannelCategories('me', team.id)),
    ]);
    channels += teamChannels.length;
}

// 4. The current channel's newest posts.
const posts = await counted(client.getPosts(currentChannelId, 0, 60));

const elapsed = performance.now() - started;
console.log(JSON.stringify({
    elapsed_ms: elapsed,
    requests,
    teams: teams.length,
    channels,
    posts: (posts.order || []).length,
}));
