package de.pausenhof.app.platform

import android.content.Context
import de.pausenhof.app.pausenhof
import de.pausenhof.ffi.ClientException
import de.pausenhof.ffi.PushAction

/**
 * A push as the distributor delivered it (decrypted), in whatever process
 * Android started for it: the core restores the account, fetches the post
 * when its cache lacks it, applies the user's consent and rules, and says
 * what to show. The push itself carries ids only.
 */
class PushHandler(private val context: Context) {
    private val notifier = Notifier(context)

    suspend fun handle(payload: ByteArray): PushAction? {
        val client = context.pausenhof.client
        return try {
            if (client.currentUser() == null) client.restore() ?: return null
            val outcome = client.handlePush(payload)
            val action = outcome.action
            when (action) {
                // The account it belongs to may not be the one shown: a tap switches.
                is PushAction.Show -> notifier.show(action.notification, outcome.accountKey)
                is PushAction.Clear -> notifier.clear(action.channelId, action.rootId)
                is PushAction.SessionEnded, is PushAction.NotConsented -> notifier.clearAll()
                else -> Unit
            }
            action
        } catch (failure: ClientException) {
            null
        }
    }
}
