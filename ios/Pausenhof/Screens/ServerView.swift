import SwiftUI
import UniformTypeIdentifiers

/// The school's server address as people type it ("chat.schule.de"),
/// probed by the core: sign-in opens only for a reachable, new enough
/// Mattermost server; every other outcome is said in words. A school with
/// its own certificate authority adds its certificate here.
@MainActor
struct ServerView: View {
    @EnvironmentObject private var model: AppModel
    /// In Settings, "add an account" shows this screen over the app.
    var onProbed: ((ServerInfo) -> Void)?
    @State private var address = ""
    @State private var busy = false
    @State private var error: String?
    @State private var unknownIssuer = false
    @State private var importing = false

    var body: some View {
        Form {
            Section {
                TextField(L("server_hint"), text: $address)
                    .keyboardType(.URL)
                    .textContentType(.URL)
                    .autocapitalization(.none)
                    .disableAutocorrection(true)
                    .submitLabel(.go)
                    .onSubmit(probe)
                Button(action: probe) {
                    HStack {
                        Text(busy ? L("server_checking") : L("server_continue"))
                        if busy {
                            Spacer()
                            ProgressView()
                        }
                    }
                }
                .disabled(busy || address.trimmingCharacters(in: .whitespaces).isEmpty)
            }
            if let error {
                Section {
                    Text(error).foregroundColor(.red)
                    if unknownIssuer {
                        Button(L("server_add_certificate")) { importing = true }
                    }
                }
            }
        }
        .navigationTitle(L("server_title"))
        .fileImporter(isPresented: $importing, allowedContentTypes: [.x509Certificate, .data]) { result in
            addCertificate(result)
        }
    }

    private func probe() {
        let typed = address.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !typed.isEmpty, let client = model.client else { return }
        busy = true
        error = nil
        unknownIssuer = false
        Task {
            defer { busy = false }
            do {
                let info = try await client.probeServer(address: typed)
                if let onProbed {
                    onProbed(info)
                } else {
                    model.probed(info)
                }
            } catch {
                self.error = describe(error)
                if case .Tls(.unknownIssuer)? = error as? ClientError {
                    unknownIssuer = true
                }
            }
        }
    }

    private func addCertificate(_ result: Result<URL, Error>) {
        guard case .success(let url) = result else { return }
        let scoped = url.startAccessingSecurityScopedResource()
        defer { if scoped { url.stopAccessingSecurityScopedResource() } }
        do {
            try SchoolCertificates.add(Data(contentsOf: url))
            let typed = address
            model.resetClient()
            address = typed
            error = nil
            unknownIssuer = false
            probe()
        } catch {
            self.error = L("server_certificate_unreadable")
        }
    }
}
