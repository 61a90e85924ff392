import UserNotifications

/// Turns the gateway's ids-only push into the notification people read.
///
/// The push holds ids only (the school's gateway strips every text before
/// it reaches Apple). The core, in this process of its own, restores the
/// account the push belongs to from the shared folder and the Keychain,
/// takes the post from the store or fetches it from the school's server,
/// applies the user's consent and rules, and says what to show. If that
/// does not finish in time, a neutral text is shown instead of nothing.
final class NotificationService: UNNotificationServiceExtension {
    /// iOS gives an extension about 30 seconds; the fallback must be
    /// delivered before that, with room to spare.
    private static let budget: UInt64 = 25_000_000_000

    private var contentHandler: ((UNNotificationContent) -> Void)?
    private var fallback: UNMutableNotificationContent?
    private var work: Task<Void, Never>?
    private var timer: Task<Void, Never>?
    private let delivery = NSLock()

    override func didReceive(
        _ request: UNNotificationRequest,
        withContentHandler contentHandler: @escaping (UNNotificationContent) -> Void
    ) {
        self.contentHandler = contentHandler
        let neutral = (request.content.mutableCopy() as? UNMutableNotificationContent)
            ?? UNMutableNotificationContent()
        neutral.title = "Pausenhof"
        neutral.body = L("notification_new_message")
        fallback = neutral

        guard let payload = Self.payload(of: request.content.userInfo) else {
            deliver(neutral)
            return
        }
        // Two tasks, not a task group: a group waits for all its children,
        // and a call into the core does not stop when its Swift task is
        // cancelled, so the timer must not wait for it.
        work = Task {
            let content = await Self.render(payload, fallback: neutral)
            self.deliver(content)
        }
        timer = Task {
            try? await Task.sleep(nanoseconds: Self.budget)
            self.deliver(neutral)
        }
    }

    override func serviceExtensionTimeWillExpire() {
        work?.cancel()
        timer?.cancel()
        if let fallback {
            deliver(fallback)
        }
    }

    /// Hands content to iOS once; later calls (the timer after the core,
    /// or the other way round) do nothing.
    private func deliver(_ content: UNNotificationContent) {
        delivery.lock()
        let handler = contentHandler
        contentHandler = nil
        delivery.unlock()
        if handler != nil {
            timer?.cancel()
        }
        handler?(content)
    }

    /// The push as the gateway sent it, without Apple's `aps` part: the
    /// same JSON the core reads from every push route.
    static func payload(of userInfo: [AnyHashable: Any]) -> Data? {
        var fields: [String: Any] = [:]
        for (key, value) in userInfo {
            if let key = key as? String, key != "aps" {
                fields[key] = value
            }
        }
        guard !fields.isEmpty, JSONSerialization.isValidJSONObject(fields) else {
            return nil
        }
        return try? JSONSerialization.data(withJSONObject: fields)
    }

    /// One client per extension process: iOS may hand it several pushes.
    private static let shared = Result { try SharedContainer.makeClient() }

    /// What the core says to show for the push.
    static func render(_ payload: Data, fallback: UNMutableNotificationContent) async -> UNNotificationContent {
        let client: Client
        do {
            client = try shared.get()
            if client.currentUser() == nil {
                guard try await client.restore() != nil else {
                    return silent()
                }
            }
        } catch {
            return fallback
        }
        let outcome: PushOutcome
        do {
            outcome = try await client.handlePush(payload: payload)
        } catch {
            return fallback
        }
        let badge = outcome.badge.map { NSNumber(value: $0) }
        switch outcome.action {
        case .show(let notification):
            return content(for: notification, accountKey: outcome.accountKey, badge: badge)
        case .clear(let channelId, let rootId):
            await removeDelivered(channelId: channelId, rootId: rootId)
            return silent(badge: badge)
        case .sessionEnded, .notConsented:
            UNUserNotificationCenter.current().removeAllDeliveredNotifications()
            return silent(badge: badge)
        case .test:
            let content = UNMutableNotificationContent()
            content.title = "Pausenhof"
            content.body = L("notification_test")
            return content
        case .silent, .unavailable, .updateBadge, .sessionValid:
            return silent(badge: badge)
        }
    }

    static func content(for notification: Notification, accountKey: String, badge: NSNumber?) -> UNNotificationContent {
        let content = UNMutableNotificationContent()
        content.title = notification.title
        if !notification.senderName.isEmpty && notification.senderName != notification.title {
            content.subtitle = notification.senderName
        }
        var body = notification.body
        if notification.fileCount > 0 {
            let files = L("notification_files", Int(notification.fileCount))
            body = body.isEmpty ? files : "\(body)\n\(files)"
        }
        content.body = body
        content.sound = .default
        content.badge = badge
        content.threadIdentifier = notification.groupKey
        content.categoryIdentifier = notification.replyAllowed
            ? NotificationKeys.replyCategory
            : NotificationKeys.readOnlyCategory
        content.userInfo = [
            NotificationKeys.accountKey: accountKey,
            NotificationKeys.channelId: notification.channelId,
            NotificationKeys.rootId: notification.rootId,
            NotificationKeys.postId: notification.id,
            NotificationKeys.channelName: notification.title,
        ]
        return content
    }

    /// Empty content, for a push that must not notify (a race with muting
    /// or withdrawal: the server sends none otherwise). With Apple's
    /// notification filtering entitlement iOS then shows nothing; without
    /// it, the push's own neutral text.
    static func silent(badge: NSNumber? = nil) -> UNNotificationContent {
        let content = UNMutableNotificationContent()
        content.badge = badge
        return content
    }

    static func removeDelivered(channelId: String, rootId: String) async {
        let center = UNUserNotificationCenter.current()
        let delivered = await center.deliveredNotifications()
        let read = delivered.filter { shown in
            let info = shown.request.content.userInfo
            guard info[NotificationKeys.channelId] as? String == channelId else {
                return false
            }
            return rootId.isEmpty || info[NotificationKeys.rootId] as? String == rootId
        }
        center.removeDeliveredNotifications(withIdentifiers: read.map(\.request.identifier))
    }
}
