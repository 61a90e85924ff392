import Foundation
import UserNotifications

/// Reply and mark-read on a notification, and the tap that opens its
/// conversation. The extension put the ids into the notification; the
/// core finds the account whose cache knows the channel and queues the
/// reply in its outbox, so it is sent even if iOS ends the app right after.
enum NotificationActions {
    static func categories() -> Set<UNNotificationCategory> {
        let reply = UNTextInputNotificationAction(
            identifier: NotificationKeys.replyAction,
            title: L("notification_reply"),
            options: [.authenticationRequired],
            textInputButtonTitle: L("composer_send"),
            textInputPlaceholder: L("composer_hint"))
        let markRead = UNNotificationAction(
            identifier: NotificationKeys.markReadAction,
            title: L("notification_mark_read"),
            options: [.authenticationRequired])
        return [
            UNNotificationCategory(
                identifier: NotificationKeys.replyCategory,
                actions: [reply, markRead],
                intentIdentifiers: [],
                options: []),
            UNNotificationCategory(
                identifier: NotificationKeys.readOnlyCategory,
                actions: [markRead],
                intentIdentifiers: [],
                options: []),
        ]
    }

    @MainActor
    static func handle(_ response: UNNotificationResponse, model: AppModel) async {
        let info = response.notification.request.content.userInfo
        guard let channelId = info[NotificationKeys.channelId] as? String else { return }
        let rootId = info[NotificationKeys.rootId] as? String ?? ""
        let accountKey = info[NotificationKeys.accountKey] as? String ?? ""
        let name = info[NotificationKeys.channelName] as? String ?? ""
        guard let client = model.client else { return }
        if client.currentUser() == nil {
            _ = try? await client.restore()
        }
        switch response.actionIdentifier {
        case NotificationKeys.replyAction:
            let text = (response as? UNTextInputNotificationResponse)?.userText
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            if !text.isEmpty {
                // Queued in the outbox even when this fails later: nothing to show.
                _ = try? await client.replyFromNotification(channelId: channelId, rootId: rootId, message: text)
            }
            removeDelivered(threadIdentifier: response.notification.request.content.threadIdentifier)
        case NotificationKeys.markReadAction:
            try? await client.markReadFromNotification(channelId: channelId)
            removeDelivered(threadIdentifier: response.notification.request.content.threadIdentifier)
        case UNNotificationDefaultActionIdentifier:
            await model.openFromNotification(accountKey: accountKey, channelId: channelId, rootId: rootId, name: name)
        default:
            break
        }
    }

    private static func removeDelivered(threadIdentifier: String) {
        let center = UNUserNotificationCenter.current()
        center.getDeliveredNotifications { delivered in
            let ids = delivered
                .filter { $0.request.content.threadIdentifier == threadIdentifier }
                .map(\.request.identifier)
            center.removeDeliveredNotifications(withIdentifiers: ids)
        }
    }
}
