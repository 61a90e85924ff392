import SwiftUI
import UniformTypeIdentifiers

/// The composer of a channel or thread. What is typed is kept as the
/// core's draft (restored when the screen opens again, also after the app
/// was killed); the core suggests @people, ~channels and :emoji: for the
/// word at the cursor; sending hands the text to the core, which tells a
/// slash command from a message. Files come from the system's picker.
@MainActor
struct ComposerView: View {
    @EnvironmentObject private var app: AppModel
    let channelId: String
    let rootId: String
    let hint: String
    @State private var text = ""
    @State private var restored = false
    /// The draft just put into the field: not typing, nothing to save.
    @State private var restoredText: String?
    @State private var completion: Completion?
    @State private var saveTask: Task<Void, Never>?
    @State private var suggestTask: Task<Void, Never>?
    @State private var attached: [FileAttachment] = []
    @State private var picking = false
    @State private var uploading = false
    @State private var message: String?

    private static let draftDelay: UInt64 = 600_000_000
    private static let maxSuggestions = 5

    var body: some View {
        VStack(spacing: 4) {
            if let completion, !completion.items.isEmpty {
                VStack(alignment: .leading, spacing: 0) {
                    ForEach(Array(completion.items.prefix(Self.maxSuggestions).enumerated()), id: \.offset) { _, item in
                        Button { choose(item, in: completion) } label: {
                            HStack {
                                Text(item.label)
                                Text(item.detail).foregroundColor(.secondary)
                                Spacer()
                            }
                            .frame(minHeight: 44)
                        }
                        .foregroundColor(.primary)
                    }
                }
                .padding(.horizontal)
            }
            if !attached.isEmpty || uploading {
                HStack {
                    ForEach(attached, id: \.id) { file in
                        Label(file.name, systemImage: "doc").font(.caption)
                    }
                    if uploading {
                        ProgressView()
                        Text(L("composer_uploading")).font(.caption)
                    }
                    Spacer()
                }
                .padding(.horizontal)
            }
            if let message {
                Text(message).font(.footnote).foregroundColor(.secondary)
                    .onTapGesture { self.message = nil }
            }
            HStack(alignment: .bottom) {
                Button { picking = true } label: {
                    Image(systemName: "paperclip").accessibilityLabel(L("attach_button"))
                }
                .frame(minWidth: 44, minHeight: 44)
                TextField(hint, text: $text)
                    .textFieldStyle(.roundedBorder)
                    .submitLabel(.send)
                    .onSubmit(send)
                Button(L("composer_send"), action: send)
                    .disabled(uploading || (text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty && attached.isEmpty))
                    .frame(minHeight: 44)
            }
            .padding(.horizontal)
            .padding(.bottom, 6)
        }
        .background(.bar)
        .onChange(of: text) { typed in changed(typed) }
        .task { await restoreDraft() }
        .onDisappear { saveDraft(now: true) }
        .fileImporter(isPresented: $picking, allowedContentTypes: [.item], allowsMultipleSelection: true) { result in
            if case .success(let urls) = result {
                upload(urls)
            }
        }
    }

    /// Fills an empty composer with the saved draft.
    private func restoreDraft() async {
        guard !restored, text.isEmpty, let client = app.client else { return }
        restored = true
        if let draft = try? await client.draft(channelId: channelId, rootId: rootId) {
            restoredText = draft.message
            text = draft.message
        }
    }

    private func changed(_ typed: String) {
        guard restored, let client = app.client else { return }
        if typed == restoredText {
            restoredText = nil
            return
        }
        restoredText = nil
        if !typed.isEmpty {
            try? client.userTyping(channelId: channelId, rootId: rootId)
        }
        saveDraft(now: false)
        suggest(typed)
    }

    private func saveDraft(now: Bool) {
        guard restored, let client = app.client else { return }
        saveTask?.cancel()
        let typed = text
        let channelId = channelId
        let rootId = rootId
        // Not tied to the view: leaving the screen must not lose the draft.
        saveTask = Task.detached {
            if !now {
                try? await Task.sleep(nanoseconds: Self.draftDelay)
                if Task.isCancelled { return }
            }
            try? await client.saveDraft(channelId: channelId, rootId: rootId, message: typed)
        }
    }

    /// Asks the core about the word at the cursor (taken as the end of the
    /// text: SwiftUI's text field does not tell the cursor on iOS 15); a
    /// newer keystroke cancels an older question.
    private func suggest(_ typed: String) {
        guard let client = app.client else { return }
        suggestTask?.cancel()
        // The core counts characters as Unicode scalars.
        let cursor = UInt32(typed.unicodeScalars.count)
        suggestTask = Task {
            let found = try? await client.autocomplete(channelId: channelId, text: typed, cursor: cursor)
            if !Task.isCancelled && text == typed {
                completion = found
            }
        }
    }

    private func choose(_ item: AutocompleteItem, in completion: Completion) {
        var scalars = Array(text.unicodeScalars)
        let start = Int(completion.start)
        let end = min(Int(completion.end), scalars.count)
        guard start <= end else { return }
        // The core's insert text ends with the space that follows a finished word.
        let inserted = item.insertText.hasSuffix(" ") ? item.insertText : item.insertText + " "
        scalars.replaceSubrange(start..<end, with: Array(inserted.unicodeScalars))
        var replaced = String.UnicodeScalarView()
        replaced.append(contentsOf: scalars)
        text = String(replaced)
        self.completion = nil
    }

    private func upload(_ urls: [URL]) {
        guard let client = app.client else { return }
        uploading = true
        Task {
            defer { uploading = false }
            for url in urls {
                let scoped = url.startAccessingSecurityScopedResource()
                defer { if scoped { url.stopAccessingSecurityScopedResource() } }
                do {
                    let data = try Data(contentsOf: url)
                    let type = UTType(filenameExtension: url.pathExtension)?.preferredMIMEType ?? "application/octet-stream"
                    let file = try await client.uploadFile(
                        channelId: channelId, fileName: url.lastPathComponent, mimeType: type, data: data)
                    attached.append(file)
                } catch {
                    message = describe(error)
                }
            }
        }
    }

    private func send() {
        let typed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let client = app.client, !typed.isEmpty || !attached.isEmpty else { return }
        let files = attached
        saveTask?.cancel()
        text = ""
        attached = []
        completion = nil
        Task {
            do {
                if !files.isEmpty {
                    _ = try await client.sendPostWithFiles(
                        channelId: channelId, rootId: rootId, message: typed, fileIds: files.map(\.id))
                } else {
                    switch try await client.submit(channelId: channelId, rootId: rootId, text: typed) {
                    case .queued:
                        break
                    case .command(let outcome):
                        message = app.follow(outcome, from: channelId)
                    }
                }
            } catch {
                text = typed
                attached = files
                message = describe(error)
            }
        }
    }
}
