import SwiftUI

/// The app proper, laid out for the iPad first: sidebar, channel and
/// thread side by side (a three-column split view on iOS 16 and later; on
/// iOS 15 a two-column view with the thread over the channel). On the
/// iPhone the same views stack.
@MainActor
struct MainView: View {
    @EnvironmentObject private var model: AppModel

    var body: some View {
        Group {
            if #available(iOS 16, *) {
                SplitMainView()
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
