import Foundation
import Security

/// The core's `SecretStore`: one generic password item per key. Readable
/// after the first unlock, so that the notification service extension can
/// use the session while the device is locked; never synchronised to
/// iCloud and never moved to another device with a backup.
final class KeychainSecretStore: SecretStore {
    private static let service = "de.pausenhof.session"
    private let accessGroup: String?

    init(accessGroup: String?) {
        self.accessGroup = accessGroup
    }

    private func query(_ key: String) -> [String: Any] {
        var query: [String: Any] = [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: Self.service,
            kSecAttrAccount as String: key,
            kSecAttrSynchronizable as String: false,
        ]
        if let accessGroup {
            query[kSecAttrAccessGroup as String] = accessGroup
        }
        return query
    }

    func get(key: String) throws -> String? {
        var query = query(key)
        query[kSecReturnData as String] = true
        query[kSecMatchLimit as String] = kSecMatchLimitOne
        var result: CFTypeRef?
        let status = SecItemCopyMatching(query as CFDictionary, &result)
        switch status {
        case errSecSuccess:
            guard let data = result as? Data, let value = String(data: data, encoding: .utf8) else {
                throw SecretStoreFailure.Corrupt(reason: "the stored item is not text")
            }
            return value
        case errSecItemNotFound:
            return nil
        default:
            throw Self.failure(status)
        }
    }

    func set(key: String, value: String) throws {
        let data = Data(value.utf8)
        let attributes: [String: Any] = [
            kSecValueData as String: data,
            kSecAttrAccessible as String: kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly,
        ]
        let status = SecItemUpdate(query(key) as CFDictionary, attributes as CFDictionary)
        if status == errSecItemNotFound {
            var item = query(key)
            item.merge(attributes) { _, new in new }
            let added = SecItemAdd(item as CFDictionary, nil)
            if added != errSecSuccess {
                throw Self.failure(added)
            }
        } else if status != errSecSuccess {
            throw Self.failure(status)
        }
    }

    func delete(key: String) throws {
        let status = SecItemDelete(query(key) as CFDictionary)
        if status != errSecSuccess && status != errSecItemNotFound {
            throw Self.failure(status)
        }
    }

    /// The status code only: the message must never carry the secret.
    private static func failure(_ status: OSStatus) -> SecretStoreFailure {
        if status == errSecInteractionNotAllowed {
            return .Unavailable(reason: "the device has not been unlocked since it started")
        }
        return .Unavailable(reason: "Keychain status \(status)")
    }
}
