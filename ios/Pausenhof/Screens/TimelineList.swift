import SwiftUI
import UIKit

/// The rows of a timeline, oldest at the top, scrolled to the newest (or
/// to the post a search or link jumped to). Reaching the top loads older
/// posts. A post's context menu holds what can be done with it.
@MainActor
struct TimelineList: View {
    @EnvironmentObject private var app: AppModel
    @ObservedObject var model: TimelineModel
    /// The thread shown, or "" for a channel.
    let rootId: String
    var focusPostId: String?
    let onOpenThread: (String) -> Void
    @State private var editing: PostItem?
    @State private var message: String?
    @State private var scrolledToFocus = false

    var body: some View {
        ScrollViewReader { proxy in
            List {
                if model.older != .none {
                    Button(L("load_older")) { model.loadOlder() }
                        .onAppear { if model.older == .onServer { model.loadOlder() } }
                } else if model.loaded && rootId.isEmpty {
                    Text(L("timeline_start"))
                        .font(.footnote)
                        .foregroundColor(.secondary)
                }
                ForEach(model.items, id: \.id) { item in
                    row(item)
                        .id(item.id)
                        .listRowSeparator(.hidden)
                }
            }
            .listStyle(.plain)
            .onChange(of: model.items.count) { _ in
                scroll(proxy)
            }
            .onAppear { scroll(proxy) }
        }
        .sheet(item: Binding(get: { editing.map(EditedPost.init) }, set: { if $0 == nil { editing = nil } })) { edited in
            EditPostView(post: edited.post) { editing = nil }
                .environmentObject(app)
        }
        .alert(message ?? "", isPresented: Binding(get: { message != nil }, set: { if !$0 { message = nil } })) {
            Button("OK") { message = nil }
        }
        .overlay(alignment: .top) {
            if let error = model.error {
                Text(error)
                    .font(.footnote)
                    .padding(8)
                    .background(.thinMaterial, in: RoundedRectangle(cornerRadius: 8))
                    .onTapGesture { model.error = nil }
            }
        }
    }

    private struct EditedPost: Identifiable {
        let post: PostItem
        var id: String { post.postId }
    }

    private func scroll(_ proxy: ScrollViewProxy) {
        if let focus = focusPostId, !scrolledToFocus,
           let item = model.items.first(where: { isPost($0, focus) }) {
            scrolledToFocus = true
            proxy.scrollTo(item.id, anchor: .center)
        } else if focusPostId == nil || scrolledToFocus, let last = model.items.last {
            proxy.scrollTo(last.id, anchor: .bottom)
        }
    }

    private func isPost(_ item: TimelineItem, _ postId: String) -> Bool {
        if case .post(let post) = item.kind { return post.postId == postId }
        return false
    }

    @ViewBuilder private func row(_ item: TimelineItem) -> some View {
        switch item.kind {
        case .daySeparator(_, _, _, let label):
            Text(label)
                .font(.caption.bold())
                .foregroundColor(.secondary)
                .frame(maxWidth: .infinity)
                .accessibilityAddTraits(.isHeader)
        case .newMessages(let label):
            HStack {
                Rectangle().fill(Color.red).frame(height: 1)
                Text(label).font(.caption).foregroundColor(.red)
                Rectangle().fill(Color.red).frame(height: 1)
            }
        case .system(let system):
            Text("\(system.time)  \(system.text)")
                .font(.footnote.italic())
                .foregroundColor(.secondary)
        case .post(let post):
            PostRow(post: post, showThreadSummary: rootId.isEmpty)
                .contentShape(Rectangle())
                .onTapGesture {
                    if case .sent = post.sendState, !post.deleted, rootId.isEmpty {
                        onOpenThread(post.rootId.isEmpty ? post.postId : post.rootId)
                    }
                }
                .contextMenu { actions(for: post) }
        }
    }

    @ViewBuilder private func actions(for post: PostItem) -> some View {
        if case .failed(_, _, let canRetry) = post.sendState {
            if canRetry {
                Button(L("action_retry")) { run { client in try await client.retrySend(clientKey: post.postId) } }
            }
            Button(L("action_discard"), role: .destructive) {
                run { client in _ = try await client.discardSend(clientKey: post.postId) }
            }
        }
        if case .sent = post.sendState, !post.deleted {
            if rootId.isEmpty {
                Button(L("action_reply")) { onOpenThread(post.rootId.isEmpty ? post.postId : post.rootId) }
            }
            Button(L("action_react")) {
                run { client in try await client.addReaction(postId: post.postId, emojiName: "+1") }
            }
            Button(L("action_copy")) { UIPasteboard.general.string = post.plainText }
            Button(post.saved ? L("action_unsave") : L("action_save")) {
                run { client in try await client.setPostSaved(postId: post.postId, saved: !post.saved) }
            }
            Button(post.pinned ? L("action_unpin") : L("action_pin")) {
                run { client in try await client.setPostPinned(postId: post.postId, pinned: !post.pinned) }
            }
            Button(L("action_mark_unread")) { run { client in try await client.markUnreadFrom(postId: post.postId) } }
            if post.mine {
                Button(L("action_edit")) { editing = post }
                Button(L("action_delete"), role: .destructive) {
                    run { client in try await client.deletePost(postId: post.postId) }
                }
            }
        }
    }

    private func run(_ call: @escaping (Client) async throws -> Void) {
        guard let client = app.client else { return }
        Task {
            do {
                try await call(client)
            } catch {
                message = describe(error)
            }
        }
    }
}

/// One post: author and time (unless it continues the author's previous
/// post), the message drawn from the core's tree, files, reactions, the
/// thread's summary and the send state.
@MainActor
struct PostRow: View {
    @EnvironmentObject private var app: AppModel
    let post: PostItem
    let showThreadSummary: Bool

    var body: some View {
        VStack(alignment: .leading, spacing: 4) {
            if !post.grouped {
                HStack(alignment: .firstTextBaseline) {
                    Text(post.authorName).font(.subheadline.bold())
                    Text(post.time).font(.caption).foregroundColor(.secondary)
                    if post.pinned {
                        Text(L("post_pinned")).font(.caption).foregroundColor(.orange)
                    }
                }
            }
            if post.deleted {
                Text(post.plainText).italic().foregroundColor(.secondary)
            } else {
                MessageTextView(text: post.text)
                    .emote(post.emote)
                if post.edited {
                    Text(L("post_edited")).font(.caption).foregroundColor(.secondary)
                }
            }
            ForEach(post.files, id: \.id) { file in
                FileView(file: file)
            }
            if !post.reactions.isEmpty {
                HStack {
                    ForEach(post.reactions, id: \.emojiName) { reaction in
                        Button("\(emoji(reaction.emojiName)) \(reaction.count)") { toggle(reaction) }
                            .buttonStyle(.bordered)
                            .tint(reaction.mine ? .accentColor : .secondary)
                            .font(.caption)
                    }
                }
            }
            if showThreadSummary, let thread = post.thread, thread.replyCount > 0 {
                Text(L("post_replies", Int(thread.replyCount)))
                    .font(.caption.bold())
                    .foregroundColor(.accentColor)
            }
            switch post.sendState {
            case .sent:
                EmptyView()
            case .pending:
                Text(L("post_pending")).font(.caption).foregroundColor(.secondary)
            case .failed(_, let explanation, _):
                Text(L("post_failed", explanation)).font(.caption).foregroundColor(.red)
            }
        }
        .padding(.vertical, post.grouped ? 0 : 4)
        .background(post.mentionsMe ? Color.yellow.opacity(0.15) : Color.clear)
        .accessibilityElement(children: .combine)
    }

    private func emoji(_ name: String) -> String {
        let text = plainTextOfMessage(message: ":\(name):")
        return text.isEmpty ? ":\(name):" : text
    }

    private func toggle(_ reaction: Reaction) {
        guard let client = app.client else { return }
        Task {
            if reaction.mine {
                try? await client.removeReaction(postId: post.postId, emojiName: reaction.emojiName)
            } else {
                try? await client.addReaction(postId: post.postId, emojiName: reaction.emojiName)
            }
        }
    }
}

private extension View {
    /// A `/me` post in italics.
    @ViewBuilder func emote(_ on: Bool) -> some View {
        if on { self.font(.body.italic()) } else { self }
    }
}

/// A file of a post: images as their thumbnail, others as name and size;
/// a tap downloads the original and offers it to the system's share sheet.
@MainActor
struct FileView: View {
    @EnvironmentObject private var app: AppModel
    let file: FileAttachment
    @State private var thumbnail: UIImage?
    @State private var shared: URL?

    var body: some View {
        Button(action: open) {
            if let thumbnail {
                Image(uiImage: thumbnail)
                    .resizable()
                    .scaledToFit()
                    .frame(maxWidth: 240, maxHeight: 240)
                    .accessibilityLabel(file.name)
            } else {
                Label("\(file.name) (\(ByteCountFormatter.string(fromByteCount: file.size, countStyle: .file)))",
                      systemImage: "doc")
            }
        }
        .buttonStyle(.plain)
        .task {
            guard file.hasPreviewImage, thumbnail == nil, let client = app.client,
                  let data = try? await client.downloadFile(fileId: file.id, rendition: .thumbnail) else { return }
            thumbnail = UIImage(data: data)
        }
        .sheet(item: Binding(get: { shared.map(SharedFile.init) }, set: { shared = $0?.url })) { file in
            ShareSheet(items: [file.url])
        }
    }

    private struct SharedFile: Identifiable {
        let url: URL
        var id: URL { url }
    }

    private func open() {
        guard let client = app.client else { return }
        Task {
            guard let data = try? await client.downloadFile(fileId: file.id, rendition: .original) else { return }
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent(file.id, isDirectory: true)
            try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let url = folder.appendingPathComponent(file.name)
            if (try? data.write(to: url, options: .completeFileProtection)) != nil {
                shared = url
            }
        }
    }
}

/// The system's share sheet.
struct ShareSheet: UIViewControllerRepresentable {
    let items: [Any]

    func makeUIViewController(context: Context) -> UIActivityViewController {
        UIActivityViewController(activityItems: items, applicationActivities: nil)
    }

    func updateUIViewController(_ controller: UIActivityViewController, context: Context) {}
}

/// Editing one's own post; the core queues the edit.
@MainActor
struct EditPostView: View {
    @EnvironmentObject private var app: AppModel
    let post: PostItem
    let onClose: () -> Void
    @State private var text = ""
    @State private var error: String?

    var body: some View {
        NavigationView {
            Form {
                TextEditor(text: $text).frame(minHeight: 120)
                if let error {
                    Text(error).foregroundColor(.red)
                }
            }
            .navigationTitle(L("edit_title"))
            .toolbar {
                ToolbarItem(placement: .cancellationAction) {
                    Button(L("cancel"), action: onClose)
                }
                ToolbarItem(placement: .confirmationAction) {
                    Button(L("action_save"), action: save)
                        .disabled(text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
                }
            }
        }
        .task { await loadSource() }
    }

    /// The Markdown as written: the item carries the drawn tree, the
    /// cached post its source.
    private func loadSource() async {
        text = post.plainText
        guard let client = app.client else { return }
        let rootId = post.rootId.isEmpty ? post.postId : post.rootId
        guard let thread = try? await client.thread(rootId: rootId) else { return }
        let posts = (thread.root.map { [$0] } ?? []) + thread.replies
        if let source = posts.first(where: { $0.id == post.postId }) {
            text = source.message
        }
    }

    private func save() {
        guard let client = app.client else { return }
        Task {
            do {
                try await client.editPost(postId: post.postId, message: text)
                onClose()
            } catch {
                self.error = describe(error)
            }
        }
    }
}
