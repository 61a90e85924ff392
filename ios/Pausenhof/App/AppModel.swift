import Foundation
import SwiftUI
import UIKit

/// Where the app is, and the one `Client` of the process. Screens read
/// the core through `client` and tell the model where to go; nothing else
/// in the app talks to the server.
@MainActor
final class AppModel: ObservableObject {
    /// The process's one model: SwiftUI and the app delegate (notification
    /// answers may come before any view exists) share it.
    static let shared = AppModel()

    enum Stage {
        case starting
        case failed(String)
        case server
        case signIn(ServerInfo)
        case terms(TermsOfService)
        case fullName
        case consent
        case main
    }

    /// A conversation to show in the middle column.
    struct OpenChannel: Hashable {
        var id: String
        var name: String
        /// Scroll to this post once the items are there.
        var focusPostId: String?
    }

    /// What the sidebar's toolbar opens above everything.
    enum Sheet: String, Identifiable {
        case threads, search, browse, people, status, settings, addAccount, consent
        var id: String { rawValue }
    }

    @Published private(set) var stage: Stage = .starting
    @Published var channel: OpenChannel?
    @Published var threadRootId: String?
    @Published var sheet: Sheet?
    @Published var teamId: String?
    @Published var searchTerms = ""
    /// Changes whenever another account is shown, so views re-read everything.
    @Published private(set) var accountGeneration = 0

    private(set) var client: Client?
    let lifecycle = Lifecycle()
    let push = PushRegistration()
    private var sessionWatch: TaskHandle?

    private init() {
        makeClient()
    }

    private func makeClient() {
        do {
            let client = try SharedContainer.makeClient()
            client.setPushRegistrar(registrar: push)
            self.client = client
            lifecycle.attach(client)
            push.attach(client)
        } catch {
            stage = .failed(describe(error))
        }
    }

    /// Made again with the school certificates read anew: the core reads
    /// extra roots once, when the client is made. Signed-in accounts are
    /// reopened from disk.
    func resetClient() {
        sessionWatch?.cancel()
        client?.stopRealtime()
        client = nil
        makeClient()
        if case .main = stage {
            Task { await start() }
        }
    }

    /// At launch: the last account without the network, or the server screen.
    func start() async {
        guard let client else { return }
        do {
            let user: User?
            if let current = client.currentUser() {
                user = current
            } else {
                user = try await client.restore()
            }
            if user == nil {
                stage = .server
            } else {
                await continueSignedIn()
            }
        } catch {
            stage = .server
        }
    }

    func probed(_ info: ServerInfo) {
        stage = .signIn(info)
    }

    func backToServer() {
        stage = .server
    }

    /// The school's terms, then its full-name rule, then the notification
    /// decision before anything is registered, then the app proper.
    func continueSignedIn() async {
        guard let client else { return }
        sheet = nil
        if let terms = try? await client.pendingTermsOfService() {
            stage = .terms(terms)
            return
        }
        if client.needsFullName() {
            stage = .fullName
            return
        }
        if case .notAsked = (try? await client.pushStatus())?.consent {
            stage = .consent
            return
        }
        enterMain()
    }

    private func enterMain() {
        guard let client else { return }
        accountGeneration += 1
        channel = nil
        threadRootId = nil
        teamId = nil
        stage = .main
        do {
            try client.startRealtime()
        } catch {
            stage = .server
            return
        }
        watchSession()
        Task { await push.follow() }
    }

    private func watchSession() {
        guard let client else { return }
        sessionWatch?.cancel()
        sessionWatch = client.subscribeSessionState(listener: SessionStateRelay { [weak self] state in
            guard let self else { return }
            if case .signedOut = state, case .main = self.stage {
                self.channel = nil
                self.stage = .server
            }
        })
    }

    /// After signing out of the shown account: another one, or the start.
    func afterSignOut() async {
        guard let client else { return }
        channel = nil
        threadRootId = nil
        if client.currentUser() == nil {
            await push.stopAll()
            stage = .server
        } else {
            await continueSignedIn()
        }
    }

    /// The server ended the session: sign in again to the same server
    /// (the account's data stays until then).
    func signInAgain() async throws {
        guard let client, let server = client.serverUrl() else { return }
        let info = try await client.probeServer(address: server)
        client.stopRealtime()
        stage = .signIn(info)
    }

    func switchAccount(_ key: String) async throws {
        guard let client else { return }
        _ = try await client.switchAccount(key: key)
        await continueSignedIn()
    }

    func open(channelId: String, name: String, focusPostId: String? = nil) {
        threadRootId = nil
        channel = OpenChannel(id: channelId, name: name, focusPostId: focusPostId)
        sheet = nil
    }

    func openThread(rootId: String, channelId: String? = nil, channelName: String = "") {
        if let channelId, channel?.id != channelId {
            channel = OpenChannel(id: channelId, name: channelName, focusPostId: nil)
        }
        threadRootId = rootId
        sheet = nil
    }

    /// A tapped notification: its account, then its conversation.
    func openFromNotification(accountKey: String, channelId: String, rootId: String, name: String) async {
        guard let client else { return }
        if !accountKey.isEmpty, accountKey != client.activeAccountKey() {
            try? await switchAccount(accountKey)
        }
        guard case .main = stage else { return }
        open(channelId: channelId, name: name)
        if !rootId.isEmpty {
            threadRootId = rootId
        }
    }

    /// Where a search hit leads: a root post in its channel, a reply in its thread.
    func jump(to post: Post, channelName: String) async throws {
        guard let client else { return }
        switch try await client.jumpToPost(postId: post.id) {
        case .channel(let window):
            open(channelId: window.channelId, name: channelName, focusPostId: window.focusPostId)
        case .thread(let rootId, _):
            openThread(rootId: rootId, channelId: post.channelId, channelName: channelName)
        }
    }

    /// Where a slash command's answer sends the user.
    func follow(_ outcome: CommandOutcome, from channelId: String) -> String? {
        switch outcome {
        case .done(let message):
            return message.isEmpty ? nil : message
        case .openChannel(let target, let message):
            if target != channelId {
                open(channelId: target, name: "")
            }
            return message.isEmpty ? nil : message
        case .openLink(let url):
            if let url = URL(string: url) {
                UIApplication.shared.open(url)
            }
            return nil
        case .search(let terms):
            searchTerms = terms
            sheet = .search
            return nil
        }
    }
}
