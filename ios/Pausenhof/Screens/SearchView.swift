import SwiftUI

/// Search: the cache answers at once (offline too), then the server's
/// answer merged with it; a hit jumps to the post in its channel or thread.
@MainActor
struct SearchView: View {
    @EnvironmentObject private var app: AppModel
    let initialTerms: String
    @State private var terms = ""
    @State private var hits: [SearchHit] = []
    @State private var searched: String?
    @State private var fromServer = true
    @State private var error: String?

    private static let limit: UInt32 = 50

    var body: some View {
        List {
            Section {
                TextField(L("search_hint"), text: $terms)
                    .submitLabel(.search)
                    .onSubmit(search)
                    .autocapitalization(.none)
                Button(L("search_go"), action: search)
                    .disabled(terms.trimmingCharacters(in: .whitespaces).isEmpty)
            }
            if let error {
                Text(error).foregroundColor(.red)
            }
            if let searched, hits.isEmpty {
                Text(L("search_nothing", searched)).foregroundColor(.secondary)
            }
            if searched != nil, !fromServer {
                Text(L("search_server_offline")).font(.footnote).foregroundColor(.secondary)
            }
            ForEach(hits, id: \.post.id) { hit in
                Button { jump(hit) } label: {
                    VStack(alignment: .leading, spacing: 2) {
                        Text("\(hit.channelDisplayName) · \(hit.post.authorName)")
                            .font(.caption)
                            .foregroundColor(.secondary)
                        Text(plainTextOfMessage(message: hit.post.message)).lineLimit(3)
                    }
                }
                .foregroundColor(.primary)
            }
        }
        .navigationTitle(L("search_title"))
        .onAppear {
            if terms.isEmpty && !initialTerms.isEmpty {
                terms = initialTerms
                search()
            }
        }
    }

    private func search() {
        let typed = terms.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !typed.isEmpty, let client = app.client else { return }
        error = nil
        Task {
            // The cache first: instant, and all there is offline.
            if let cached = try? await client.search(terms: typed, teamId: app.teamId, limit: Self.limit) {
                hits = cached
                searched = typed
                fromServer = false
            }
            guard let teamId = app.teamId else { return }
            do {
                let results = try await client.searchPosts(teamId: teamId, terms: typed, timeZone: nil, limit: Self.limit)
                hits = results.hits
                fromServer = results.fromServer
                searched = typed
            } catch {
                if !isOffline(error) {
                    self.error = describe(error)
                }
            }
        }
    }

    private func jump(_ hit: SearchHit) {
        Task {
            do {
                try await app.jump(to: hit.post, channelName: hit.channelDisplayName)
            } catch {
                self.error = describe(error)
            }
        }
    }
}
