import Foundation
import UIKit
import UserNotifications

/// APNs for the accounts that consented: asks iOS for a device token once
/// consent is granted and hands it to the core, which registers it at the
/// school's push gateway and attaches the gateway's token to the account's
/// session at the school's server. The server's pushes go through the
/// gateway, which forwards ids only.
/// `@unchecked Sendable`: the core calls `unregister` on its own threads;
/// the one mutable field is behind `lock`.
final class PushRegistration: PushRegistrar, @unchecked Sendable {
    private static let tokenKey = "de.pausenhof.apns-token"
    private let lock = NSLock()
    private var attached: Client?

    private var client: Client? {
        lock.lock()
        defer { lock.unlock() }
        return attached
    }

    func attach(_ client: Client) {
        lock.lock()
        attached = client
        lock.unlock()
    }

    /// The last token iOS gave; it stays valid across launches until iOS
    /// says otherwise.
    private var token: String? {
        get { UserDefaults.standard.string(forKey: Self.tokenKey) }
        set { UserDefaults.standard.set(newValue, forKey: Self.tokenKey) }
    }

    /// Asks to show notifications. False when the user said no in the
    /// system's dialog now or before.
    func requestAuthorization() async -> Bool {
        let center = UNUserNotificationCenter.current()
        let granted = (try? await center.requestAuthorization(options: [.alert, .badge, .sound])) ?? false
        return granted
    }

    /// Makes iOS follow the shown account's decision: a token is asked for
    /// while APNs is granted; the registration is refreshed at every start.
    func follow() async {
        guard let client, let status = try? await client.pushStatus() else { return }
        guard case .granted(let delivery, _, _) = status.consent, delivery == .platformPush else {
            return
        }
        await MainActor.run { UIApplication.shared.registerForRemoteNotifications() }
        if let token, status.registered == nil {
            await register(token)
        }
        _ = try? await client.syncPushRegistration()
    }

    /// iOS's answer to `registerForRemoteNotifications`.
    func received(deviceToken: Data) {
        let hex = deviceToken.map { String(format: "%02x", $0) }.joined()
        token = hex
        Task { await register(hex) }
    }

    private func register(_ hex: String) async {
        guard let client,
              let status = try? await client.pushStatus(),
              case .granted(let delivery, _, _) = status.consent, delivery == .platformPush
        else { return }
        // Through the school's gateway: the server only ever learns the
        // gateway's token, and Apple only ever sees ids.
        _ = try? await client.registerApnsToken(deviceToken: hex)
    }

    /// After the user withdrew consent: the core has detached the token at
    /// once; iOS forgets it when no other account on this device uses it.
    func withdrawn() async {
        guard let client else { return }
        if ((try? client.accounts()) ?? []).count <= 1 {
            await stopAll()
        }
    }

    /// After the last account signed out: nothing may keep notifying.
    func stopAll() async {
        token = nil
        await MainActor.run {
            UIApplication.shared.unregisterForRemoteNotifications()
            UNUserNotificationCenter.current().removeAllDeliveredNotifications()
            UIApplication.shared.applicationIconBadgeNumber = 0
        }
    }

    /// The core deletes a registration: the token is detached from the
    /// account's session by the core itself. The app-wide APNs token stays
    /// for the other accounts on this device, so there is nothing to undo
    /// at Apple here (`withdrawn` handles the last account).
    func unregister(device: PushDevice) throws {}
}
