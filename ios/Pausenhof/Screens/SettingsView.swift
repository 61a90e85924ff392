import SwiftUI
import UniformTypeIdentifiers

/// The account and its name, the other accounts on this device (switch,
/// sign out of one, add one), the notification decision with its log
/// (withdrawn here with immediate effect), export my data, signing out
/// (which erases the account's data on this device) and the versions.
@MainActor
struct SettingsView: View {
    @EnvironmentObject private var app: AppModel
    @State private var accounts: [AccountSummary] = []
    @State private var consent: ConsentState?
    @State private var decisions = 0
    @State private var export: ExportFile?
    @State private var exporting = false
    @State private var busy = false
    @State private var message: String?
    @State private var confirmSignOut = false

    var body: some View {
        Form {
            Section {
                if let user = app.client?.currentUser() {
                    Text(L("settings_account", "\(user.firstName) \(user.lastName) (@\(user.username))"))
                }
                NavigationLink(L("settings_edit_name"), destination: FullNameView(onSaved: { message = nil }))
            }
            Section(header: Text(L("settings_accounts_device"))) {
                ForEach(accounts, id: \.key) { account in
                    accountRow(account)
                }
                Button(L("settings_add_account")) { app.sheet = .addAccount }
            }
            Section(header: Text(L("settings_notifications"))) {
                if let consent {
                    Text(text(of: consent))
                }
                Text(L("settings_consent_log", decisions)).foregroundColor(.secondary)
                if case .granted? = consent {
                    Button(L("settings_withdraw"), action: withdraw).disabled(busy)
                }
                Button(L("settings_change_consent")) { app.sheet = .consent }
            }
            Section(header: Text(L("settings_privacy"))) {
                Button(L("settings_export"), action: prepareExport).disabled(busy)
                Button(L("settings_sign_out_device"), role: .destructive) { confirmSignOut = true }
                    .disabled(busy)
            }
            if let message {
                Section { Text(message) }
            }
            Section {
                Text(L("settings_version", appVersion, libraryVersion()))
                    .font(.footnote)
                    .foregroundColor(.secondary)
            }
        }
        .navigationTitle(L("settings_title"))
        .task { await refresh() }
        .fileExporter(isPresented: $exporting, document: export, contentType: .json,
                      defaultFilename: "pausenhof-meine-daten.json") { result in
            switch result {
            case .success: message = L("settings_export_done")
            case .failure: message = L("settings_export_failed")
            }
        }
        .alert(L("settings_sign_out_device"), isPresented: $confirmSignOut) {
            Button(L("settings_sign_out_device"), role: .destructive, action: signOut)
            Button(L("cancel"), role: .cancel) {}
        }
    }

    private var appVersion: String {
        Bundle.main.object(forInfoDictionaryKey: "CFBundleShortVersionString") as? String ?? "?"
    }

    @ViewBuilder private func accountRow(_ account: AccountSummary) -> some View {
        let host = URL(string: account.serverUrl)?.host ?? account.serverUrl
        VStack(alignment: .leading) {
            Text(L(account.active ? "settings_account_active" : "settings_account_row",
                   account.displayName, account.username, host))
            if !account.active {
                HStack {
                    Button(L("settings_switch_account")) { switchTo(account.key) }
                    Spacer()
                    Button(L("settings_sign_out_account"), role: .destructive) { signOut(of: account.key) }
                }
                .buttonStyle(.borderless)
                .disabled(busy)
            }
        }
    }

    private func text(of consent: ConsentState) -> String {
        switch consent {
        case .notAsked:
            return L("settings_consent_not_asked")
        case .granted(let delivery, let at, _):
            switch delivery {
            case .platformPush: return L("settings_consent_granted_apns", date(at))
            case .unifiedPush, .backgroundConnection: return L("settings_consent_granted_platform", date(at))
            }
        case .declined(let at):
            return L("settings_consent_declined", date(at))
        case .withdrawn(let at):
            return L("settings_consent_withdrawn", date(at))
        }
    }

    private func date(_ millis: Int64) -> String {
        DateFormatter.localizedString(
            from: Date(timeIntervalSince1970: TimeInterval(millis) / 1000), dateStyle: .medium, timeStyle: .none)
    }

    private func refresh() async {
        guard let client = app.client else { return }
        accounts = (try? client.accounts()) ?? []
        do {
            consent = try await client.pushStatus().consent
            decisions = try await client.pushConsentLog().count
        } catch {
            message = describe(error)
        }
    }

    private func switchTo(_ key: String) {
        busy = true
        Task {
            defer { busy = false }
            do {
                try await app.switchAccount(key)
            } catch {
                message = describe(error)
            }
        }
    }

    private func signOut(of key: String) {
        guard let client = app.client else { return }
        busy = true
        Task {
            defer { busy = false }
            do {
                try await client.signOutAccount(key: key)
            } catch {
                message = describe(error)
            }
            await refresh()
        }
    }

    private func withdraw() {
        guard let client = app.client else { return }
        busy = true
        Task {
            defer { busy = false }
            do {
                _ = try await client.withdrawPushConsent()
                await app.push.withdrawn()
            } catch {
                message = describe(error)
            }
            await refresh()
        }
    }

    /// The user picks where the export goes (GDPR Art. 20); nothing is
    /// kept elsewhere.
    private func prepareExport() {
        guard let client = app.client else { return }
        busy = true
        Task {
            defer { busy = false }
            do {
                export = ExportFile(text: try await client.exportMyData())
                exporting = true
            } catch {
                message = describe(error)
            }
        }
    }

    private func signOut() {
        guard let client = app.client else { return }
        busy = true
        Task {
            defer { busy = false }
            do {
                try await client.signOut()
                app.sheet = nil
                await app.afterSignOut()
            } catch {
                message = describe(error)
            }
        }
    }
}

/// The export as the file the user saves.
struct ExportFile: FileDocument {
    static var readableContentTypes: [UTType] { [.json] }
    let text: String

    init(text: String) {
        self.text = text
    }

    init(configuration: ReadConfiguration) throws {
        text = String(decoding: configuration.file.regularFileContents ?? Data(), as: UTF8.self)
    }

    func fileWrapper(configuration: WriteConfiguration) throws -> FileWrapper {
        FileWrapper(regularFileWithContents: Data(text.utf8))
    }
}

/// Another account: the server, then sign-in; signing in while signed in
/// adds the account and shows it.
@MainActor
struct AddAccountView: View {
    @EnvironmentObject private var app: AppModel
    @State private var server: ServerInfo?

    var body: some View {
        if let server {
            SignInView(info: server, onSignedIn: { app.sheet = nil })
        } else {
            ServerView(onProbed: { server = $0 })
        }
    }
}
