import SwiftUI

/// A team's public channels, page by page or by name; join one, or create
/// a new channel.
@MainActor
struct ChannelBrowserView: View {
    @EnvironmentObject private var app: AppModel
    let teamId: String
    @State private var term = ""
    @State private var channels: [ChannelSummary] = []
    @State private var page: UInt32 = 0
    @State private var more = true
    @State private var error: String?

    private static let perPage: UInt32 = 50

    var body: some View {
        List {
            Section {
                TextField(L("browse_hint"), text: $term)
                    .autocapitalization(.none)
                    .onChange(of: term) { _ in Task { await reload() } }
                NavigationLink(L("browse_create"), destination: CreateChannelView(teamId: teamId))
            }
            if let error {
                Text(error).foregroundColor(.red)
            }
            ForEach(channels, id: \.id) { channel in
                Button { open(channel) } label: {
                    VStack(alignment: .leading) {
                        HStack {
                            Text(channel.displayName)
                            if channel.isMember {
                                Text(L("browse_joined")).font(.caption).foregroundColor(.secondary)
                            }
                        }
                        if !channel.purpose.isEmpty {
                            Text(channel.purpose).font(.caption).foregroundColor(.secondary).lineLimit(2)
                        }
                    }
                }
                .foregroundColor(.primary)
                .onAppear {
                    if channel.id == channels.last?.id && term.isEmpty && more {
                        Task { await loadPage() }
                    }
                }
            }
        }
        .navigationTitle(L("browse_title"))
        .task { await reload() }
    }

    private func reload() async {
        page = 0
        more = true
        channels = []
        let typed = term.trimmingCharacters(in: .whitespaces)
        if typed.isEmpty {
            await loadPage()
        } else if let client = app.client {
            do {
                let found = try await client.searchChannels(teamId: teamId, term: typed)
                if term.trimmingCharacters(in: .whitespaces) == typed {
                    channels = found
                }
            } catch {
                self.error = describe(error)
            }
        }
    }

    private func loadPage() async {
        guard let client = app.client else { return }
        do {
            let next = try await client.browseChannels(teamId: teamId, page: page, perPage: Self.perPage)
            channels += next
            page += 1
            more = next.count == Int(Self.perPage)
        } catch {
            self.error = describe(error)
        }
    }

    private func open(_ channel: ChannelSummary) {
        guard let client = app.client else { return }
        Task {
            do {
                let joined = channel.isMember ? channel : try await client.joinChannel(channelId: channel.id)
                app.open(channelId: joined.id, name: joined.displayName)
            } catch {
                self.error = describe(error)
            }
        }
    }
}

@MainActor
struct CreateChannelView: View {
    @EnvironmentObject private var app: AppModel
    let teamId: String
    @State private var name = ""
    @State private var purpose = ""
    @State private var isPrivate = false
    @State private var busy = false
    @State private var error: String?

    var body: some View {
        Form {
            TextField(L("create_name"), text: $name)
            TextField(L("create_purpose"), text: $purpose)
            Toggle(L("create_private"), isOn: $isPrivate)
            Button(L("create_button"), action: create).disabled(busy)
            if let error {
                Text(error).foregroundColor(.red)
            }
        }
        .navigationTitle(L("create_title"))
    }

    private func create() {
        let display = name.trimmingCharacters(in: .whitespaces)
        guard !display.isEmpty else {
            error = L("create_name_missing")
            return
        }
        guard let client = app.client else { return }
        busy = true
        Task {
            defer { busy = false }
            do {
                let channel = try await client.createChannel(
                    teamId: teamId, displayName: display, private: isPrivate,
                    purpose: purpose.trimmingCharacters(in: .whitespaces))
                app.open(channelId: channel.id, name: channel.displayName)
            } catch {
                self.error = describe(error)
            }
        }
    }
}

/// A channel's info: header, members, muted, favorite, the notification
/// level, and leaving it.
@MainActor
struct ChannelInfoView: View {
    @EnvironmentObject private var app: AppModel
    let channelId: String
    @State private var info: ChannelInfo?
    @State private var error: String?
    @State private var confirmLeave = false

    var body: some View {
        Form {
            if let info {
                Section {
                    Text(info.summary.displayName).font(.headline)
                    if !info.header.isEmpty {
                        MessageTextView(text: parseMessage(message: info.header))
                    }
                    if !info.summary.purpose.isEmpty {
                        Text(info.summary.purpose).foregroundColor(.secondary)
                    }
                    NavigationLink(L("info_members", Int(info.memberCount)),
                                   destination: MembersView(channelId: channelId))
                }
                Section {
                    Toggle(L("info_muted"), isOn: Binding(get: { info.muted }, set: { muted in
                        change { client in try await client.setChannelMuted(channelId: channelId, muted: muted) }
                    }))
                    Toggle(L("info_favorite"), isOn: Binding(get: { info.favorite }, set: { favorite in
                        change { client in try await client.setChannelFavorite(channelId: channelId, favorite: favorite) }
                    }))
                    Picker(L("info_push_level_title"), selection: Binding(get: { info.pushLevel }, set: { level in
                        change { client in try await client.setChannelPushLevel(channelId: channelId, level: level) }
                    })) {
                        Text(L("push_level_default")).tag(PushLevel.default)
                        Text(L("push_level_all")).tag(PushLevel.all)
                        Text(L("push_level_mentions")).tag(PushLevel.mentions)
                        Text(L("push_level_nothing")).tag(PushLevel.nothing)
                    }
                }
                Section {
                    Button(L("channel_leave"), role: .destructive) { confirmLeave = true }
                }
            }
            if let error {
                Text(error).foregroundColor(.red)
            }
        }
        .navigationTitle(L("channel_info"))
        .task { await load() }
        .alert(L("info_leave_confirm"), isPresented: $confirmLeave) {
            Button(L("channel_leave"), role: .destructive) {
                change { client in
                    try await client.leaveChannel(channelId: channelId)
                    await MainActor.run { app.channel = nil }
                }
            }
            Button(L("cancel"), role: .cancel) {}
        }
    }

    private func load() async {
        guard let client = app.client else { return }
        do {
            info = try await client.channelInfo(channelId: channelId)
        } catch {
            self.error = describe(error)
        }
    }

    private func change(_ call: @escaping (Client) async throws -> Void) {
        guard let client = app.client else { return }
        Task {
            do {
                try await call(client)
                error = nil
            } catch {
                self.error = describe(error)
            }
            await load()
        }
    }
}

/// A channel's members with their status, page by page.
@MainActor
struct MembersView: View {
    @EnvironmentObject private var app: AppModel
    let channelId: String
    @State private var members: [FoundPerson] = []
    @State private var page: UInt32 = 0
    @State private var more = true
    @State private var error: String?

    private static let perPage: UInt32 = 60

    var body: some View {
        List {
            ForEach(members, id: \.id) { person in
                NavigationLink(destination: ProfileView(userId: person.id)) { PersonRow(person: person) }
                    .onAppear {
                        if person.id == members.last?.id && more {
                            Task { await loadPage() }
                        }
                    }
            }
            if let error {
                Text(error).foregroundColor(.red)
            }
        }
        .navigationTitle(L("members_title"))
        .task { if members.isEmpty { await loadPage() } }
    }

    private func loadPage() async {
        guard let client = app.client else { return }
        do {
            let next = try await client.channelMembers(channelId: channelId, page: page, perPage: Self.perPage)
            members += next
            page += 1
            more = next.count == Int(Self.perPage)
        } catch {
            self.error = describe(error)
        }
    }
}
