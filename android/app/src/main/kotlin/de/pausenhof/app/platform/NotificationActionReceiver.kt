package de.pausenhof.app.platform

import android.app.RemoteInput
import android.content.BroadcastReceiver
import android.content.Context
import android.content.Intent
import de.pausenhof.app.pausenhof
import de.pausenhof.ffi.ClientException
import de.pausenhof.ffi.Notification
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.launch

/**
 * Reply and mark-read from a notification, also in a process Android
 * started just for this: the core restores the account, queues the reply
 * in its outbox and sends what is due.
 */
class NotificationActionReceiver : BroadcastReceiver() {
    override fun onReceive(context: Context, intent: Intent) {
        val channelId = intent.getStringExtra(EXTRA_CHANNEL_ID) ?: return
        val rootId = intent.getStringExtra(EXTRA_ROOT_ID).orEmpty()
        val groupKey = intent.getStringExtra(EXTRA_GROUP_KEY).orEmpty()
        val reply = RemoteInput.getResultsFromIntent(intent)?.getCharSequence(KEY_REPLY)?.toString()?.trim()
        val pending = goAsync()
        val app = context.pausenhof
        scope.launch {
            try {
                val client = app.client
                if (client.currentUser() == null) client.restore()
                when (intent.action) {
                    ACTION_REPLY -> if (!reply.isNullOrEmpty()) client.replyFromNotification(channelId, rootId, reply)
                    ACTION_MARK_READ -> client.markReadFromNotification(channelId)
                }
                Notifier(app).clearGroup(groupKey)
            } catch (failure: ClientException) {
                // The reply stays in the outbox when it was queued; nothing else to do here.
            } finally {
                pending.finish()
            }
        }
    }

    companion object {
        const val ACTION_REPLY = "de.pausenhof.app.action.REPLY"
        const val ACTION_MARK_READ = "de.pausenhof.app.action.MARK_READ"
        const val KEY_REPLY = "reply"
        private const val EXTRA_CHANNEL_ID = "channel_id"
        private const val EXTRA_ROOT_ID = "root_id"
        private const val EXTRA_GROUP_KEY = "group_key"
        private val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)

        fun intent(context: Context, action: String, notification: Notification): Intent =
            Intent(context, NotificationActionReceiver::class.java)
                .setAction(action)
                .putExtra(EXTRA_CHANNEL_ID, notification.channelId)
                .putExtra(EXTRA_ROOT_ID, notification.rootId)
                .putExtra(EXTRA_GROUP_KEY, notification.groupKey)
    }
}
