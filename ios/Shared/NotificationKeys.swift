import Foundation

/// The names the extension writes into a notification and the app reads
/// back when the user acts on it.
enum NotificationKeys {
    /// A message that can be answered from the notification.
    static let replyCategory = "de.pausenhof.message"
    /// A message that can only be marked read (an archived channel, a
    /// deactivated partner).
    static let readOnlyCategory = "de.pausenhof.message.read-only"
    static let replyAction = "de.pausenhof.reply"
    static let markReadAction = "de.pausenhof.mark-read"

    static let accountKey = "pausenhof_account_key"
    static let channelId = "pausenhof_channel_id"
    static let rootId = "pausenhof_root_id"
    static let postId = "pausenhof_post_id"
    static let channelName = "pausenhof_channel_name"
}

/// A localised text of the app; the key is the Android resource name where
/// the sentence is the same.
func L(_ key: String) -> String {
    NSLocalizedString(key, comment: "")
}

/// A localised text with blanks (`%1$@`, `%1$d`), in the user's locale.
func L(_ key: String, _ arguments: CVarArg...) -> String {
    String(format: NSLocalizedString(key, comment: ""), locale: Locale.current, arguments: arguments)
}
