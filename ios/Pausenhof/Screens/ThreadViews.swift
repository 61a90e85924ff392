import SwiftUI

/// A thread: its root and replies as timeline items, and a composer that
/// replies in it. Opening it marks it read.
@MainActor
struct ThreadView: View {
    @EnvironmentObject private var app: AppModel
    let rootId: String
    @StateObject private var timeline = TimelineModel()
    /// The thread's channel, from its root post.
    @State private var channelId: String?

    var body: some View {
        VStack(spacing: 0) {
            TimelineList(model: timeline, rootId: rootId, onOpenThread: { _ in })
            if let channelId {
                ComposerView(channelId: channelId, rootId: rootId, hint: L("thread_composer_hint"))
                    .id(channelId)
            }
        }
        .navigationTitle(L("thread_title"))
        .navigationBarTitleDisplayMode(.inline)
        .task {
            guard let client = app.client else { return }
            channelId = (try? await client.thread(rootId: rootId))?.root?.channelId
            await timeline.open(client, target: .thread(rootId: rootId))
            // The whole thread, also replies the cache lacks.
            let loaded = try? await client.loadThread(rootId: rootId)
            if channelId == nil {
                channelId = loaded?.root?.channelId
            }
            try? await client.markThreadRead(rootId: rootId)
        }
        .onDisappear { timeline.close() }
    }
}

/// A team's followed threads: unread replies and mentions, newest reply
/// first; open one, or stop following it.
@MainActor
struct ThreadsView: View {
    @EnvironmentObject private var app: AppModel
    let teamId: String
    @State private var threads: [FollowedThread] = []
    @State private var unreadThreads: Int64 = 0
    @State private var watch: TaskHandle?
    @State private var error: String?

    var body: some View {
        List {
            Section(footer: Text(summary)) {
                if threads.isEmpty {
                    Text(L("threads_none")).foregroundColor(.secondary)
                }
                ForEach(threads, id: \.root.id) { thread in
                    Button { app.openThread(rootId: thread.root.id, channelId: thread.root.channelId, channelName: thread.channelName) } label: {
                        row(thread)
                    }
                    .foregroundColor(.primary)
                    .swipeActions {
                        Button(L("threads_unfollow")) { unfollow(thread) }
                    }
                    .contextMenu {
                        Button(L("threads_unfollow")) { unfollow(thread) }
                    }
                }
            }
            if let error {
                Text(error).foregroundColor(.red)
            }
        }
        .navigationTitle(L("threads_title"))
        .refreshable { await load() }
        .task { await start() }
        .onDisappear { watch?.cancel() }
    }

    private var summary: String {
        unreadThreads == 0 ? L("threads_all_read")
            : String.localizedStringWithFormat(L("threads_unread"), Int(unreadThreads))
    }

    private func row(_ thread: FollowedThread) -> some View {
        VStack(alignment: .leading, spacing: 2) {
            Text(thread.channelName).font(.caption).foregroundColor(.secondary)
            Text(thread.preview)
                .fontWeight(thread.unreadReplies > 0 ? .bold : .regular)
                .lineLimit(2)
            HStack {
                Text(String.localizedStringWithFormat(L("threads_replies"), Int(thread.replyCount)))
                if thread.unreadReplies > 0 {
                    Text(String.localizedStringWithFormat(L("threads_new_replies"), Int(thread.unreadReplies)))
                        .foregroundColor(.accentColor)
                }
                if thread.unreadMentions > 0 {
                    Text("@\(thread.unreadMentions)").foregroundColor(.red)
                }
            }
            .font(.caption)
        }
        .accessibilityElement(children: .combine)
    }

    private func start() async {
        guard let client = app.client, !teamId.isEmpty else { return }
        watch = try? client.subscribeFollowedThreads(teamId: teamId, listener: FollowedThreadsRelay(
            whole: { whole in
                threads = whole.threads
                unreadThreads = whole.unreadThreads
            },
            diff: { diff in
                threads.apply(diff.threads.map(\.step))
                unreadThreads = diff.unreadThreads
            }))
        await load()
    }

    private func load() async {
        guard let client = app.client, !teamId.isEmpty else { return }
        do {
            _ = try await client.loadFollowedThreads(teamId: teamId)
            error = nil
        } catch {
            if !isOffline(error) {
                self.error = describe(error)
            }
        }
    }

    private func unfollow(_ thread: FollowedThread) {
        guard let client = app.client else { return }
        Task {
            do {
                try await client.setThreadFollowing(rootId: thread.root.id, following: false)
            } catch {
                self.error = describe(error)
            }
        }
    }
}
