package de.pausenhof.app.platform

import android.util.Log
import de.pausenhof.app.pausenhof
import de.pausenhof.ffi.ClientException
import de.pausenhof.ffi.UnifiedPushEndpoint
import kotlinx.coroutines.launch
import org.unifiedpush.android.connector.FailedReason
import org.unifiedpush.android.connector.PushService
import org.unifiedpush.android.connector.data.PushEndpoint
import org.unifiedpush.android.connector.data.PushMessage

/**
 * What the UnifiedPush distributor tells the app, through the connector:
 * a new endpoint goes to the core (which registers it at the school's
 * gateway), a message is a push for [PushHandler]. Android may start it in
 * a fresh process; the work runs in the app's scope, not on the caller's
 * thread.
 */
class UnifiedPushService : PushService() {

    override fun onNewEndpoint(endpoint: PushEndpoint, instance: String) {
        val keys = endpoint.pubKeySet
        if (keys == null) {
            // Without the app's Web Push keys the gateway could not encrypt.
            Log.w(TAG, "endpoint without Web Push keys ignored")
            return
        }
        val app = applicationContext.pausenhof
        app.scope.launch {
            try {
                val client = app.client
                if (client.currentUser() == null) client.restore() ?: return@launch
                client.registerUnifiedPush(UnifiedPushEndpoint(endpoint.url, keys.pubKey, keys.auth))
            } catch (failure: ClientException) {
                // Consent withdrawn meanwhile, offline, or no gateway: the
                // next start tries again while consent stands.
                Log.i(TAG, "endpoint not registered: ${failure.javaClass.simpleName}")
            }
        }
    }

    override fun onMessage(message: PushMessage, instance: String) {
        if (!message.decrypted) {
            // The school's gateway always encrypts; anything else is not ours.
            Log.w(TAG, "unencrypted push dropped")
            return
        }
        val app = applicationContext.pausenhof
        val content = message.content
        app.scope.launch { PushHandler(app).handle(content) }
    }

    override fun onRegistrationFailed(reason: FailedReason, instance: String) {
        Log.i(TAG, "distributor refused the registration: $reason")
    }

    override fun onUnregistered(instance: String) {
        // The distributor dropped the app (uninstalled, or the user removed
        // it there). The core keeps the consent; a new endpoint replaces
        // the dead registration at the gateway.
        Log.i(TAG, "unregistered by the distributor")
    }

    private companion object {
        const val TAG = "PausenhofPush"
    }
}
