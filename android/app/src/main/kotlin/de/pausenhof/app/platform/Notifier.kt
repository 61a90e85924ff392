package de.pausenhof.app.platform

import android.app.Notification as AndroidNotification
import android.app.NotificationChannel
import android.app.NotificationManager
import android.app.PendingIntent
import android.app.RemoteInput
import android.content.Context
import android.content.Intent
import android.os.Build
import de.pausenhof.app.R
import de.pausenhof.app.systemService
import de.pausenhof.app.ui.LaunchActivity
import de.pausenhof.ffi.Notification
import de.pausenhof.ffi.NotifyReason

/**
 * Shows the notifications the core decided on: one per conversation
 * (MessagingStyle on Android 7+), on a channel per kind so people can
 * silence "other" and keep direct messages, with reply and mark-read
 * actions that go back through the core.
 */
class Notifier(private val context: Context) {
    private val manager = context.systemService<NotificationManager>(Context.NOTIFICATION_SERVICE)

    fun ensureChannels() {
        if (Build.VERSION.SDK_INT < Build.VERSION_CODES.O) return
        manager.createNotificationChannels(
            listOf(
                NotificationChannel(CHANNEL_DIRECT, context.getString(R.string.notification_channel_direct), NotificationManager.IMPORTANCE_HIGH),
                NotificationChannel(CHANNEL_MENTIONS, context.getString(R.string.notification_channel_mentions), NotificationManager.IMPORTANCE_HIGH),
                NotificationChannel(CHANNEL_OTHER, context.getString(R.string.notification_channel_other), NotificationManager.IMPORTANCE_DEFAULT),
                NotificationChannel(CHANNEL_CONNECTION, context.getString(R.string.notification_channel_connection), NotificationManager.IMPORTANCE_MIN),
            ),
        )
    }

    fun show(notification: Notification, accountKey: String = "") {
        ensureChannels()
        val lines = synchronized(recent) {
            val list = recent.getOrPut(notification.groupKey) { mutableListOf() }
            list.removeAll { it.id == notification.id }
            list.add(notification)
            while (list.size > MAX_LINES) list.removeAt(0)
            list.toList()
        }
        val builder = builder(channelFor(notification.reason))
            .setSmallIcon(android.R.drawable.stat_notify_chat)
            .setContentTitle(notification.title)
            .setContentText(text(notification))
            .setWhen(notification.createAt)
            .setShowWhen(true)
            .setAutoCancel(true)
            .setCategory(AndroidNotification.CATEGORY_MESSAGE)
            .setGroup(notification.groupKey)
            .setContentIntent(openIntent(notification, accountKey))
        if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.N) {
            val style = AndroidNotification.MessagingStyle(context.getString(R.string.notification_me))
                .setConversationTitle(notification.title)
            lines.forEach { style.addMessage(text(it), it.createAt, it.senderName.ifBlank { it.title }) }
            builder.setStyle(style)
            if (notification.replyAllowed) builder.addAction(replyAction(notification))
        } else {
            val style = AndroidNotification.InboxStyle()
            lines.forEach { style.addLine("${it.senderName}: ${text(it)}") }
            builder.setStyle(style)
        }
        builder.addAction(markReadAction(notification))
        manager.notify(notification.groupKey, NOTIFICATION_ID, builder.build())
    }

    /** Removes the notifications of a channel (of one thread when [rootId] is set): read elsewhere. */
    fun clear(channelId: String, rootId: String) {
        val keys = synchronized(recent) {
            recent.filterValues { list ->
                list.any { it.channelId == channelId && (rootId.isEmpty() || it.rootId == rootId) }
            }.keys.toList().onEach { recent.remove(it) }
        }
        manager.activeNotifications
            .filter { it.id == NOTIFICATION_ID && (it.tag in keys || it.tag?.startsWith(channelId) == true) }
            .forEach { manager.cancel(it.tag, it.id) }
    }

    fun clearGroup(groupKey: String) {
        synchronized(recent) { recent.remove(groupKey) }
        manager.cancel(groupKey, NOTIFICATION_ID)
    }

    /** Everything off: consent was withdrawn or the account signed out. */
    fun clearAll() {
        synchronized(recent) { recent.clear() }
        manager.activeNotifications.filter { it.id == NOTIFICATION_ID }.forEach { manager.cancel(it.tag, it.id) }
    }

    @Suppress("DEPRECATION")
    fun builder(channel: String): AndroidNotification.Builder =
        if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.O) {
            AndroidNotification.Builder(context, channel)
        } else {
            AndroidNotification.Builder(context)
        }

    private fun text(notification: Notification): String = when {
        notification.body.isNotBlank() -> notification.body
        notification.fileCount > 0u -> context.getString(R.string.notification_files, notification.fileCount.toInt())
        else -> ""
    }

    private fun channelFor(reason: NotifyReason) = when (reason) {
        NotifyReason.DIRECT_MESSAGE -> CHANNEL_DIRECT
        NotifyReason.MENTION, NotifyReason.CHANNEL_WIDE_MENTION, NotifyReason.THREAD_REPLY -> CHANNEL_MENTIONS
        NotifyReason.ALL_MESSAGES, NotifyReason.SERVER_DECIDED -> CHANNEL_OTHER
    }

    private fun openIntent(notification: Notification, accountKey: String): PendingIntent {
        val intent = Intent(context, LaunchActivity::class.java)
            .setAction(Intent.ACTION_VIEW)
            .putExtra(LaunchActivity.EXTRA_ACCOUNT_KEY, accountKey)
            .putExtra(LaunchActivity.EXTRA_CHANNEL_ID, notification.channelId)
            .putExtra(LaunchActivity.EXTRA_CHANNEL_NAME, notification.title)
            .putExtra(LaunchActivity.EXTRA_POST_ID, notification.id)
            .addFlags(Intent.FLAG_ACTIVITY_NEW_TASK or Intent.FLAG_ACTIVITY_CLEAR_TASK)
        return PendingIntent.getActivity(context, notification.groupKey.hashCode(), intent, immutable())
    }

    private fun replyAction(notification: Notification): AndroidNotification.Action {
        val input = RemoteInput.Builder(NotificationActionReceiver.KEY_REPLY)
            .setLabel(context.getString(R.string.notification_reply))
            .build()
        val intent = NotificationActionReceiver.intent(context, NotificationActionReceiver.ACTION_REPLY, notification)
        // A reply needs a mutable PendingIntent: the system adds the typed text to it.
        val flags = PendingIntent.FLAG_UPDATE_CURRENT or
            (if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.S) PendingIntent.FLAG_MUTABLE else 0)
        val pending = PendingIntent.getBroadcast(context, ("reply" + notification.groupKey).hashCode(), intent, flags)
        @Suppress("DEPRECATION")
        return AndroidNotification.Action.Builder(android.R.drawable.ic_menu_send, context.getString(R.string.notification_reply), pending)
            .addRemoteInput(input)
            .build()
    }

    private fun markReadAction(notification: Notification): AndroidNotification.Action {
        val intent = NotificationActionReceiver.intent(context, NotificationActionReceiver.ACTION_MARK_READ, notification)
        val pending = PendingIntent.getBroadcast(context, ("read" + notification.groupKey).hashCode(), intent, immutable())
        @Suppress("DEPRECATION")
        return AndroidNotification.Action.Builder(android.R.drawable.checkbox_on_background, context.getString(R.string.notification_mark_read), pending)
            .build()
    }

    private fun immutable() = PendingIntent.FLAG_UPDATE_CURRENT or
        (if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.M) PendingIntent.FLAG_IMMUTABLE else 0)

    companion object {
        const val CHANNEL_DIRECT = "direct"
        const val CHANNEL_MENTIONS = "mentions"
        const val CHANNEL_OTHER = "other"
        const val CHANNEL_CONNECTION = "connection"
        const val NOTIFICATION_ID = 1
        private const val MAX_LINES = 6

        /** The last few messages of each conversation shown, for MessagingStyle. */
        private val recent = mutableMapOf<String, MutableList<Notification>>()
    }
}
