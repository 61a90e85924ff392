import Foundation

/// Root certificates the user added for a school's own certificate
/// authority, kept as files in the shared folder (the extension must trust
/// the same server) and handed to the core when the client is made.
enum SchoolCertificates {
    private static let maxSize = 64 * 1024

    private static var folder: URL {
        SharedContainer.folder.appendingPathComponent("school-certificates", isDirectory: true)
    }

    static func all() -> [Data] {
        let files = (try? FileManager.default.contentsOfDirectory(
            at: folder, includingPropertiesForKeys: nil)) ?? []
        return files
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
            .compactMap { try? Data(contentsOf: $0) }
    }

    /// Keeps one certificate, PEM or DER, as the user picked it; the core
    /// decides whether it is one when the client is made again.
    static func add(_ data: Data) throws {
        guard !data.isEmpty, data.count <= maxSize else {
            throw CocoaError(.fileReadCorruptFile)
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let name = "ca-\(Int(Date().timeIntervalSince1970 * 1000)).crt"
        try data.write(to: folder.appendingPathComponent(name), options: .completeFileProtectionUntilFirstUserAuthentication)
    }
}
