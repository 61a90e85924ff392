import SwiftUI

/// The server's terms of service, when it requires them: accept to go on,
/// decline to sign out (the core erases the account on this device).
@MainActor
struct TermsView: View {
    @EnvironmentObject private var model: AppModel
    let terms: TermsOfService
    @State private var busy = false
    @State private var error: String?

    var body: some View {
        ScrollView {
            VStack(alignment: .leading, spacing: 16) {
                MessageTextView(text: terms.message)
                if let error {
                    Text(error).foregroundColor(.red)
                }
                HStack {
                    Button(L("terms_decline"), role: .destructive) { answer(accept: false) }
                    Spacer()
                    Button(L("terms_accept")) { answer(accept: true) }
                        .buttonStyle(.borderedProminent)
                }
                .disabled(busy)
            }
            .padding()
        }
        .navigationTitle(L("terms_title"))
    }

    private func answer(accept: Bool) {
        guard let client = model.client else { return }
        busy = true
        Task {
            defer { busy = false }
            do {
                if accept {
                    try await client.acceptTermsOfService(termsId: terms.id)
                    await model.continueSignedIn()
                } else {
                    try await client.declineTermsOfService(termsId: terms.id)
                    await model.afterSignOut()
                }
            } catch {
                self.error = describe(error)
            }
        }
    }
}

/// The school's rule: everyone uses their full name.
@MainActor
struct FullNameView: View {
    @EnvironmentObject private var model: AppModel
    /// From Settings: close instead of going on to the next stage.
    var onSaved: (() -> Void)?
    @Environment(\.dismiss) private var dismiss
    @State private var first = ""
    @State private var last = ""
    @State private var busy = false
    @State private var error: String?

    var body: some View {
        Form {
            Section(footer: Text(L("full_name_explanation"))) {
                TextField(L("full_name_first_hint"), text: $first)
                    .textContentType(.givenName)
                TextField(L("full_name_last_hint"), text: $last)
                    .textContentType(.familyName)
            }
            Section {
                Button(L("full_name_save"), action: save).disabled(busy)
            }
            if let error {
                Section { Text(error).foregroundColor(.red) }
            }
        }
        .navigationTitle(L("full_name_title"))
        .onAppear {
            if let user = model.client?.currentUser(), first.isEmpty, last.isEmpty {
                first = user.firstName
                last = user.lastName
            }
        }
    }

    private func save() {
        let first = first.trimmingCharacters(in: .whitespaces)
        let last = last.trimmingCharacters(in: .whitespaces)
        guard !first.isEmpty, !last.isEmpty else {
            error = L("full_name_missing")
            return
        }
        guard let client = model.client else { return }
        busy = true
        Task {
            defer { busy = false }
            do {
                _ = try await client.setFullName(firstName: first, lastName: last)
                if let onSaved {
                    onSaved()
                    dismiss()
                } else {
                    await model.continueSignedIn()
                }
            } catch {
                self.error = describe(error)
            }
        }
    }
}

/// The explicit decision before anything is registered: what a
/// notification reveals to whom, and the three choices as on Android,
/// where the second (a connection to the school's server only) does not
/// exist on iOS and the screen says why. The core records the decision
/// with `consentTextVersion`, the version of the texts shown here.
@MainActor
struct ConsentView: View {
    /// Change it whenever the texts of this screen change in substance.
    static let consentTextVersion = "ios-2026-12"

    enum Choice { case apns, none }

    @EnvironmentObject private var model: AppModel
    let onDone: () -> Void
    @State private var choice: Choice?
    @State private var busy = false
    @State private var error: String?

    var body: some View {
        Form {
            Section {
                Text(L("consent_explanation"))
            }
            Section {
                option(.apns, title: L("consent_apns_title"), detail: L("consent_apns_detail"))
                VStack(alignment: .leading, spacing: 4) {
                    Label(L("consent_background_title"), systemImage: "circle")
                        .foregroundColor(.secondary)
                    Text(L("consent_no_background_ios"))
                        .font(.footnote)
                        .foregroundColor(.secondary)
                }
                .accessibilityElement(children: .combine)
                option(.none, title: L("consent_none_title"), detail: L("consent_none_detail"))
            }
            Section {
                Button(L("consent_confirm"), action: confirm).disabled(busy)
                if let error {
                    Text(error).foregroundColor(.red)
                }
            }
        }
        .navigationTitle(L("consent_title"))
    }

    private func option(_ value: Choice, title: String, detail: String) -> some View {
        Button {
            choice = value
            error = nil
        } label: {
            VStack(alignment: .leading, spacing: 4) {
                Label(title, systemImage: choice == value ? "largecircle.fill.circle" : "circle")
                Text(detail)
                    .font(.footnote)
                    .foregroundColor(.secondary)
            }
        }
        .foregroundColor(.primary)
        .accessibilityAddTraits(choice == value ? .isSelected : [])
    }

    private func confirm() {
        guard let choice else {
            error = L("consent_choose_first")
            return
        }
        guard let client = model.client else { return }
        busy = true
        Task {
            defer { busy = false }
            do {
                switch choice {
                case .apns:
                    // Nothing is recorded when iOS will not show notifications.
                    guard await model.push.requestAuthorization() else {
                        error = L("consent_apns_denied")
                        return
                    }
                    _ = try await client.grantPushConsent(
                        delivery: .platformPush, consentTextVersion: Self.consentTextVersion)
                    await model.push.follow()
                case .none:
                    _ = try await client.declinePushConsent()
                }
                onDone()
            } catch {
                self.error = describe(error)
            }
        }
    }
}
