import AuthenticationServices
import SwiftUI
import UIKit

/// Password sign-in with the two-factor step (an account with MFA first
/// gets `MfaRequired`, the code field appears, and the same call is
/// repeated with the code), and single sign-on in the system's
/// authentication session with the app's callback link.
@MainActor
struct SignInView: View {
    @EnvironmentObject private var model: AppModel
    let info: ServerInfo
    /// In Settings ("add an account"): what happens once signed in.
    var onSignedIn: (() -> Void)?
    @State private var login = ""
    @State private var password = ""
    @State private var mfa = ""
    @State private var needsMfa = false
    @State private var busy = false
    @State private var error: String?
    @StateObject private var sso = SingleSignOn()

    var body: some View {
        Form {
            if info.signInWithEmail || info.signInWithUsername {
                Section {
                    TextField(L("sign_in_login_hint"), text: $login)
                        .textContentType(.username)
                        .keyboardType(.emailAddress)
                        .autocapitalization(.none)
                        .disableAutocorrection(true)
                    SecureField(L("sign_in_password_hint"), text: $password)
                        .textContentType(.password)
                    if needsMfa {
                        Text(L("sign_in_mfa_explanation"))
                            .font(.footnote)
                        TextField(L("sign_in_mfa_hint"), text: $mfa)
                            .textContentType(.oneTimeCode)
                            .keyboardType(.numberPad)
                    }
                    Button(busy ? L("sign_in_busy") : L("sign_in_button"), action: signIn)
                        .disabled(busy || login.isEmpty || password.isEmpty)
                }
            }
            if !info.ssoProviders.isEmpty {
                Section {
                    ForEach(info.ssoProviders, id: \.self) { provider in
                        Button(L("sign_in_sso", providerName(provider))) { signIn(with: provider) }
                            .disabled(busy)
                    }
                }
            }
            if let error {
                Section { Text(error).foregroundColor(.red) }
            }
        }
        .navigationTitle(L("sign_in_title", info.siteName.isEmpty ? info.url : info.siteName))
        .toolbar {
            if onSignedIn == nil {
                ToolbarItem(placement: .cancellationAction) {
                    Button(L("cancel")) { model.backToServer() }
                }
            }
        }
    }

    private func signIn() {
        guard let client = model.client else { return }
        let code = needsMfa && !mfa.isEmpty ? mfa.trimmingCharacters(in: .whitespaces) : nil
        busy = true
        error = nil
        Task {
            defer { busy = false }
            do {
                _ = try await client.signInWithPassword(
                    server: info.url, loginId: login.trimmingCharacters(in: .whitespaces),
                    password: password, mfaCode: code)
                await signedIn()
            } catch ClientError.MfaRequired {
                needsMfa = true
            } catch {
                if case .MfaCodeInvalid? = error as? ClientError {
                    mfa = ""
                }
                self.error = describe(error)
            }
        }
    }

    private func signIn(with provider: SsoProvider) {
        guard let client = model.client else { return }
        busy = true
        error = nil
        Task {
            defer { busy = false }
            do {
                let start = try client.startSso(
                    server: info.url, provider: provider, redirectTo: SingleSignOn.callback)
                guard let url = URL(string: start) else { return }
                guard let callback = try await sso.run(url) else { return }
                _ = try await client.completeSso(callbackUrl: callback.absoluteString)
                await signedIn()
            } catch is SingleSignOn.Failed {
                self.error = L("sign_in_sso_failed")
            } catch {
                self.error = describe(error)
            }
        }
    }

    private func signedIn() async {
        if let onSignedIn {
            onSignedIn()
        }
        await model.continueSignedIn()
    }

    private func providerName(_ provider: SsoProvider) -> String {
        switch provider {
        case .gitLab: return L("sso_gitlab")
        case .google: return L("sso_google")
        case .office365: return L("sso_office365")
        case .openId: return L("sso_openid")
        case .saml: return L("sso_saml")
        }
    }
}

/// The system's sign-in sheet for single sign-on. Its cookies are not
/// shared with Safari: a school iPad used by several students must not
/// sign the next one in.
final class SingleSignOn: NSObject, ObservableObject, ASWebAuthenticationPresentationContextProviding {
    static let scheme = "pausenhof"
    static let callback = "pausenhof://sso-callback"

    struct Failed: Error {}

    private var session: ASWebAuthenticationSession?
    /// Taken on the main actor before the session starts; iOS asks for it
    /// on the main thread.
    private var anchor = ASPresentationAnchor()

    /// The callback URL, or nil when the user closed the sheet.
    @MainActor
    func run(_ url: URL) async throws -> URL? {
        let scenes = UIApplication.shared.connectedScenes.compactMap { $0 as? UIWindowScene }
        if let window = scenes.flatMap(\.windows).first(where: \.isKeyWindow) {
            anchor = window
        }
        return try await withCheckedThrowingContinuation { continuation in
            let session = ASWebAuthenticationSession(url: url, callbackURLScheme: Self.scheme) { callback, error in
                if let callback {
                    continuation.resume(returning: callback)
                } else if let error = error as? ASWebAuthenticationSessionError, error.code == .canceledLogin {
                    continuation.resume(returning: nil)
                } else {
                    continuation.resume(throwing: Failed())
                }
            }
            session.presentationContextProvider = self
            session.prefersEphemeralWebBrowserSession = true
            self.session = session
            if !session.start() {
                continuation.resume(throwing: Failed())
            }
        }
    }

    func presentationAnchor(for session: ASWebAuthenticationSession) -> ASPresentationAnchor {
        anchor
    }
}
