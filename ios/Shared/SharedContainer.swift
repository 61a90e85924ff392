import Foundation

/// What the app and its notification service extension share: the app
/// group's folder (accounts, databases, the school's certificates), the
/// Keychain access group of the session tokens, and the client options.
/// The extension runs in a process of its own while the app may be
/// running; the core opens the same databases safely from both.
enum SharedContainer {
    /// Must match the `com.apple.security.application-groups` entitlement.
    static let appGroup = "group.de.pausenhof.app"

    /// The Keychain access group, `$(AppIdentifierPrefix)de.pausenhof.shared`,
    /// written into both Info.plist files by the build so that the team's
    /// prefix is not spelled out here.
    static var keychainGroup: String? {
        Bundle.main.object(forInfoDictionaryKey: "PausenhofKeychainGroup") as? String
    }

    static var folder: URL {
        let base = FileManager.default
            .containerURL(forSecurityApplicationGroupIdentifier: appGroup)
            // Without the entitlement (a misconfigured build) the app still
            // works; only the extension cannot see its data.
            ?? FileManager.default.urls(for: .applicationSupportDirectory, in: .userDomainMask)[0]
        return base.appendingPathComponent("pausenhof", isDirectory: true)
    }

    /// The app's language for texts the core makes (notification bodies,
    /// system posts, day labels): the first of the app's localisations the
    /// user prefers.
    static var locale: String {
        Bundle.main.preferredLocalizations.first ?? "de"
    }

    static func makeClient() throws -> Client {
        let data = folder.appendingPathComponent("data", isDirectory: true)
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        let options = ClientOptions(
            dataDir: data.path,
            deviceId: "",
            extraRootCertificates: SchoolCertificates.all(),
            locale: locale,
            pushGateway: ""
        )
        return try Client(options: options, secretStore: KeychainSecretStore(accessGroup: keychainGroup))
    }
}
