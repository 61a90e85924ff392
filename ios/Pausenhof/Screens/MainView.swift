import SwiftUI

/// The app proper, laid out for the iPad first: sidebar, channel and
/// thread side by side (a three-column split view on iOS 16 and later; on
/// iOS 15 a two-column view with the thread over the channel). On the
/// iPhone the same views stack.
@MainActor
struct MainView: View {
    @EnvironmentObject private var model: AppModel
    @Environment(\.horizontalSizeClass) private var sizeClass

    var body: some View {
        Group {
            if #available(iOS 16, *) {
                // A collapsed split view only follows a list selection, not
                // the model; the iPhone gets a stack whose path is the model.
                if sizeClass == .compact {
                    StackMainView()
                } else {
                    SplitMainView()
                }
            } else {
                NavigationView {
                    SidebarView()
                    ChannelPlaceholder()
                }
                .navigationViewStyle(.columns)
            }
        }
        .sheet(item: $model.sheet) { sheet in
            SheetView(sheet: sheet)
                .environmentObject(model)
        }
    }
}

@available(iOS 16, *)
@MainActor
private struct SplitMainView: View {
    @EnvironmentObject private var model: AppModel
    @State private var columns = NavigationSplitViewVisibility.all

    var body: some View {
        NavigationSplitView(columnVisibility: $columns) {
            SidebarView()
        } content: {
            if let channel = model.channel {
                ChannelView(channel: channel)
                    .id(channel.id)
            } else {
                ChannelPlaceholder()
            }
        } detail: {
            if let rootId = model.threadRootId {
                NavigationStack {
                    ThreadView(rootId: rootId)
                        .id(rootId)
                }
            } else {
                Text(L("thread_choose"))
                    .foregroundColor(.secondary)
            }
        }
    }
}

/// The iPhone on iOS 16 and later: sidebar, then channel, then thread, as
/// one stack. The path is read from the model, so a notification, a search
/// hit or the threads list opens the conversation as a tap does, and going
/// back closes it in the model too.
@available(iOS 16, *)
@MainActor
private struct StackMainView: View {
    @EnvironmentObject private var model: AppModel

    private enum Place: Hashable {
        case channel(AppModel.OpenChannel)
        case thread(String)
    }

    var body: some View {
        NavigationStack(path: path) {
            SidebarView()
                .navigationDestination(for: Place.self) { place in
                    switch place {
                    case .channel(let channel):
                        ChannelView(channel: channel).id(channel.id)
                    case .thread(let rootId):
                        ThreadView(rootId: rootId).id(rootId)
                    }
                }
        }
    }

    private var path: Binding<[Place]> {
        Binding(
            get: {
                var places: [Place] = []
                if let channel = model.channel {
                    places.append(.channel(channel))
                    if let rootId = model.threadRootId {
                        places.append(.thread(rootId))
                    }
                }
                return places
            },
            set: { places in
                // Only going back changes the path from the view's side.
                if places.count < 2 { model.threadRootId = nil }
                if places.isEmpty { model.channel = nil }
            }
        )
    }
}

@MainActor
struct ChannelPlaceholder: View {
    var body: some View {
        Text(L("home_choose_channel"))
            .foregroundColor(.secondary)
    }
}

/// What the sidebar's toolbar opens, each in a navigation view of its own.
@MainActor
private struct SheetView: View {
    @EnvironmentObject private var model: AppModel
    let sheet: AppModel.Sheet

    var body: some View {
        NavigationView {
            content
                .toolbar {
                    ToolbarItem(placement: .cancellationAction) {
                        Button(L("done")) { model.sheet = nil }
                    }
                }
        }
        .navigationViewStyle(.stack)
    }

    @ViewBuilder private var content: some View {
        switch sheet {
        case .threads:
            ThreadsView(teamId: model.teamId ?? "")
        case .search:
            SearchView(initialTerms: model.searchTerms)
        case .browse:
            ChannelBrowserView(teamId: model.teamId ?? "")
        case .people:
            PeopleView()
        case .status:
            StatusView()
        case .settings:
            SettingsView()
        case .addAccount:
            AddAccountView()
        case .consent:
            ConsentView(onDone: {
                model.sheet = nil
                Task { await model.push.follow() }
            })
        }
    }
}
