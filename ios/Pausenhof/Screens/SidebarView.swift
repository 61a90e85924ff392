import SwiftUI

/// The team switcher with unread badges, the sidebar of the chosen team
/// (favorites, channels, direct and group messages, custom categories)
/// with unread and mention counts and muted channels dimmed, and the
/// connection state. Everything comes from the store, so it works offline;
/// pulling down syncs.
@MainActor
struct SidebarView: View {
    @EnvironmentObject private var model: AppModel
    @State private var teams: [Team] = []
    @State private var sections: [SidebarSection] = []
    @State private var banner: String?
    @State private var sessionExpired = false
    @State private var syncError: String?
    @State private var joinable: [JoinableTeam] = []
    @State private var sidebarWatch: TaskHandle?
    @State private var connectionWatch: TaskHandle?
    @State private var watchedTeam: String?

    var body: some View {
        List {
            if let banner {
                Section {
                    if sessionExpired {
                        Button(banner) { signInAgain() }
                            .font(.footnote)
                    } else {
                        Text(banner)
                            .font(.footnote)
                            .accessibilityAddTraits(.updatesFrequently)
                    }
                }
            }
            if let syncError {
                Section { Text(syncError).foregroundColor(.red).font(.footnote) }
            }
            if teams.count > 1 {
                Section {
                    ScrollView(.horizontal, showsIndicators: false) {
                        HStack {
                            ForEach(teams, id: \.id) { team in
                                teamButton(team)
                            }
                        }
                    }
                }
            }
            if teams.isEmpty && !joinable.isEmpty {
                Section(header: Text(L("home_no_team"))) {
                    ForEach(joinable, id: \.id) { team in
                        Button(L("home_join_team", team.displayName)) { join(team) }
                    }
                }
            }
            ForEach(Array(sections.enumerated()), id: \.offset) { _, section in
                Section(header: Text(title(of: section))) {
                    ForEach(section.channels, id: \.id) { channel in
                        channelRow(channel)
                    }
                }
            }
            if sections.isEmpty && !teams.isEmpty {
                Text(L("home_empty")).foregroundColor(.secondary)
            }
            if #available(iOS 16, *) {
                EmptyView()
            } else {
                // iOS 15's two columns: the channel opens beside the sidebar.
                NavigationLink(destination: channelDestination, isActive: channelShown) { EmptyView() }
                .frame(width: 0, height: 0)
                .hidden()
            }
        }
        .listStyle(.sidebar)
        .refreshable { await sync() }
        .navigationTitle(teams.first(where: { $0.id == model.teamId })?.displayName ?? "Pausenhof")
        .toolbar { toolbar }
        .task { await start() }
        .onChange(of: model.teamId) { _ in watchSidebar() }
        .onDisappear {
            sidebarWatch?.cancel()
            connectionWatch?.cancel()
        }
    }

    @ViewBuilder private var channelDestination: some View {
        if let channel = model.channel {
            ChannelView(channel: channel).id(channel.id)
        }
    }

    private var channelShown: Binding<Bool> {
        Binding(get: { model.channel != nil }, set: { shown in if !shown { model.channel = nil } })
    }

    @ToolbarContentBuilder private var toolbar: some ToolbarContent {
        ToolbarItemGroup(placement: .primaryAction) {
            Button { model.searchTerms = ""; model.sheet = .search } label: {
                Label(L("home_search"), systemImage: "magnifyingglass")
            }
            Menu {
                Button(L("home_threads")) { model.sheet = .threads }
                Button(L("home_browse")) { model.sheet = .browse }
                Button(L("home_people")) { model.sheet = .people }
                Button(L("home_status")) { model.sheet = .status }
                Button(L("home_sync")) { Task { await sync() } }
                Button(L("home_settings")) { model.sheet = .settings }
            } label: {
                Label(L("home_settings"), systemImage: "ellipsis.circle")
            }
        }
    }

    private func teamButton(_ team: Team) -> some View {
        let label = team.mentionCount > 0
            ? L("team_mentions", team.displayName, Int(team.mentionCount))
            : team.displayName
        return Button(label) { model.teamId = team.id }
            .font(team.hasUnread || team.mentionCount > 0 ? .body.bold() : .body)
            .buttonStyle(.bordered)
            .tint(team.id == model.teamId ? .accentColor : .secondary)
            .accessibilityAddTraits(team.id == model.teamId ? .isSelected : [])
    }

    private func channelRow(_ channel: ChannelListItem) -> some View {
        Button {
            model.open(channelId: channel.id, name: channel.displayName)
        } label: {
            HStack {
                Image(systemName: icon(of: channel.kind))
                Text(channel.displayName)
                    .fontWeight(channel.isUnread ? .bold : .regular)
                Spacer()
                if channel.mentionCount > 0 {
                    Text("\(channel.mentionCount)")
                        .font(.caption.bold())
                        .padding(.horizontal, 6)
                        .background(Capsule().fill(Color.accentColor))
                        .foregroundColor(.white)
                }
            }
            .opacity(channel.muted ? 0.5 : 1)
        }
        .foregroundColor(.primary)
        .listRowBackground(model.channel?.id == channel.id ? Color.accentColor.opacity(0.15) : nil)
        .accessibilityLabel(accessibilityText(of: channel))
    }

    private func accessibilityText(of channel: ChannelListItem) -> String {
        var state: [String] = []
        if channel.mentionCount > 0 {
            state.append(String.localizedStringWithFormat(L("channel_mentions"), Int(channel.mentionCount)))
        } else if channel.isUnread {
            state.append(L("channel_unread"))
        }
        if channel.muted {
            state.append(L("channel_muted"))
        }
        return state.isEmpty ? channel.displayName
            : L("channel_row_description", channel.displayName, state.joined(separator: ", "))
    }

    private func icon(of kind: ChannelKind) -> String {
        switch kind {
        case .public: return "number"
        case .private: return "lock"
        case .direct: return "person"
        case .group: return "person.3"
        }
    }

    private func title(of section: SidebarSection) -> String {
        switch section.kind {
        case .favorites: return L("section_favorites")
        case .channels: return L("section_channels")
        case .directMessages: return L("section_direct_messages")
        case .custom: return section.name
        }
    }

    private func start() async {
        guard let client = model.client else { return }
        connectionWatch?.cancel()
        connectionWatch = try? client.subscribeConnectionState(listener: ConnectionStateRelay { state in
            banner = text(of: state)
            if case .sessionExpired = state {
                sessionExpired = true
            } else {
                sessionExpired = false
            }
        })
        await refreshTeams()
        await sync()
    }

    private func text(of state: ConnectionState) -> String? {
        switch state {
        case .connected, .stopped: return nil
        case .connecting: return L("home_connecting")
        case .waitingToReconnect: return L("home_reconnecting")
        case .offline: return L("home_offline_device")
        case .sessionExpired: return L("home_session_expired")
        }
    }

    private func signInAgain() {
        Task {
            do {
                try await model.signInAgain()
            } catch {
                syncError = describe(error)
            }
        }
    }

    private func sync() async {
        guard let client = model.client else { return }
        do {
            _ = try await client.sync()
            syncError = nil
            // Drafts written on another device; the core's sync leaves them out.
            try? await client.syncDrafts()
            _ = try? await client.syncPushRegistration()
            // The channels read every day, so that they read without network too.
            Task.detached(priority: .background) { _ = try? await client.prefetchForOffline() }
            if try await client.needsTeam() {
                joinable = try await client.joinableTeams()
            }
        } catch {
            if !isOffline(error) {
                syncError = describe(error)
            }
        }
        await refreshTeams()
    }

    private func refreshTeams() async {
        guard let client = model.client, let fresh = try? await client.teams() else { return }
        teams = fresh
        if model.teamId == nil || !fresh.contains(where: { $0.id == model.teamId }) {
            model.teamId = fresh.first?.id
        }
        watchSidebar()
    }

    private func watchSidebar() {
        guard let client = model.client, let teamId = model.teamId else { return }
        if teamId == watchedTeam && sidebarWatch?.isFinished() == false { return }
        watchedTeam = teamId
        sidebarWatch?.cancel()
        sidebarWatch = try? client.subscribeChannelList(teamId: teamId, listener: ChannelListRelay(
            whole: { sections = $0 },
            diff: { operations in
                sections.apply(operations)
                // The other teams' badges follow the same changes.
                Task { if let fresh = try? await client.teams() { teams = fresh } }
            }))
    }

    private func join(_ team: JoinableTeam) {
        guard let client = model.client else { return }
        Task {
            do {
                try await client.joinTeam(teamId: team.id)
                joinable = []
                model.teamId = team.id
                await refreshTeams()
            } catch {
                syncError = describe(error)
            }
        }
    }
}
