import SwiftUI
import UIKit

/// One conversation: the core's timeline items (older ones load when the
/// top is reached), who is typing, and the composer. A message goes to the
/// core's outbox and shows at once, pending until the server has it.
@MainActor
struct ChannelView: View {
    @EnvironmentObject private var model: AppModel
    let channel: AppModel.OpenChannel
    @StateObject private var timeline = TimelineModel()
    @State private var muted = false
    @State private var title = ""
    @State private var typing: [String] = []
    @State private var typingName = "…"
    @State private var typingWatch: TaskHandle?
    @State private var message: String?
    @State private var confirmLeave = false
    @State private var showInfo = false

    var body: some View {
        VStack(spacing: 0) {
            TimelineList(model: timeline, rootId: "", focusPostId: channel.focusPostId, onOpenThread: openThread)
            if let typingText {
                Text(typingText)
                    .font(.footnote)
                    .foregroundColor(.secondary)
                    .frame(maxWidth: .infinity, alignment: .leading)
                    .padding(.horizontal)
            }
            ComposerView(channelId: channel.id, rootId: "", hint: L("composer_hint"))
        }
        .navigationTitle(title.isEmpty ? channel.name : title)
        .navigationBarTitleDisplayMode(.inline)
        .toolbar {
            ToolbarItemGroup(placement: .primaryAction) {
                Button(muted ? L("channel_unmute") : L("channel_mute")) { toggleMute() }
                Menu {
                    Button(L("channel_info")) { showInfo = true }
                    Button(L("channel_leave"), role: .destructive) { confirmLeave = true }
                } label: {
                    Label(L("channel_info"), systemImage: "info.circle")
                }
            }
        }
        .alert(message ?? "", isPresented: Binding(get: { message != nil }, set: { if !$0 { message = nil } })) {
            Button("OK") { message = nil }
        }
        .alert(L("info_leave_confirm"), isPresented: $confirmLeave) {
            Button(L("channel_leave"), role: .destructive) { leave() }
            Button(L("cancel"), role: .cancel) {}
        }
        .sheet(isPresented: $showInfo, onDismiss: { Task { await refreshInfo() } }) {
            NavigationView {
                ChannelInfoView(channelId: channel.id)
                    .toolbar {
                        ToolbarItem(placement: .cancellationAction) {
                            Button(L("done")) { showInfo = false }
                        }
                    }
            }
            .environmentObject(model)
        }
        .sheet(item: threadSheet) { sheet in
            NavigationView { ThreadView(rootId: sheet.rootId) }
                .environmentObject(model)
        }
        .task { await start() }
        .onDisappear {
            timeline.close()
            typingWatch?.cancel()
        }
    }

    private struct ThreadSheet: Identifiable {
        let rootId: String
        var id: String { rootId }
    }

    private var typingText: String? {
        let me = model.client?.currentUser()?.id
        let others = typing.filter { $0 != me }
        if others.isEmpty { return nil }
        return others.count == 1 ? L("typing_one", typingName) : L("typing_many")
    }

    private func start() async {
        guard let client = model.client else { return }
        typingWatch = try? client.subscribeTyping(channelId: channel.id, rootId: "", listener: TypingRelay { ids in
            typing = ids
            let me = client.currentUser()?.id
            guard let other = ids.first(where: { $0 != me }) else { return }
            Task { typingName = (try? await client.person(userId: other))?.displayName ?? "…" }
        })
        Task { try? await client.markChannelViewed(channelId: channel.id) }
        await refreshInfo()
        await timeline.open(client, target: .channel(channelId: channel.id))
    }

    private func refreshInfo() async {
        guard let client = model.client, let info = try? await client.channelInfo(channelId: channel.id) else { return }
        muted = info.muted
        title = info.summary.displayName
    }

    private func toggleMute() {
        guard let client = model.client else { return }
        Task {
            do {
                try await client.setChannelMuted(channelId: channel.id, muted: !muted)
                await refreshInfo()
            } catch {
                message = describe(error)
            }
        }
    }

    private func leave() {
        guard let client = model.client else { return }
        Task {
            do {
                try await client.leaveChannel(channelId: channel.id)
                model.channel = nil
            } catch {
                message = describe(error)
            }
        }
    }

    private func openThread(_ rootId: String) {
        model.openThread(rootId: rootId)
    }

    /// iOS 15 has no third column: the model's open thread (from this
    /// timeline, the threads list, a search hit or a notification) shows as
    /// a sheet over the channel. On iOS 16 and later the split view or the
    /// stack shows it.
    private var threadSheet: Binding<ThreadSheet?> {
        Binding(
            get: {
                if #available(iOS 16, *) { return nil }
                return model.threadRootId.map(ThreadSheet.init)
            },
            set: { model.threadRootId = $0?.rootId }
        )
    }
}
