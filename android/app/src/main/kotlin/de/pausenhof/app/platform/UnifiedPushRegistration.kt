package de.pausenhof.app.platform

import android.content.Context
import android.util.Log
import de.pausenhof.app.R
import de.pausenhof.app.pausenhof
import de.pausenhof.ffi.Client
import de.pausenhof.ffi.ClientException
import org.unifiedpush.android.connector.UnifiedPush

/**
 * The app's registration with the distributor the user chose on the consent
 * screen. The distributor answers asynchronously through
 * [UnifiedPushService]; the gateway side is the core's.
 */
object UnifiedPushRegistration {
    /** One registration per app (one account for now). */
    const val INSTANCE = "default"

    /**
     * Asks the chosen distributor for an endpoint. The gateway's VAPID key
     * goes along when the school's gateway has one (distributors that
     * require it refuse otherwise).
     */
    suspend fun register(context: Context, client: Client) {
        val distributor = UnifiedPushDistributors.chosen(context) ?: return
        UnifiedPush.saveDistributor(context, distributor)
        val vapid = try {
            client.pushGatewayVapidKey()
        } catch (failure: ClientException) {
            null
        }
        val keys = context.pausenhof.unifiedPushKeys()
        val message = context.getString(R.string.app_name)
        try {
            UnifiedPush.register(context, INSTANCE, message, vapid, keys)
        } catch (invalid: UnifiedPush.VapidNotValidException) {
            // A gateway with a broken key still delivers to distributors
            // that do not insist on one.
            Log.w("PausenhofPush", "the gateway's VAPID key is not valid; registering without")
            UnifiedPush.register(context, INSTANCE, message, null, keys)
        }
    }

    /** Tells the distributor to forget the app (after withdrawal or sign-out). */
    fun unregister(context: Context) {
        // Only after the user picked a distributor: the connector is not
        // touched at all for any other choice.
        if (UnifiedPushDistributors.chosen(context) == null) return
        if (UnifiedPush.getSavedDistributor(context) == null) return
        UnifiedPush.unregister(context, INSTANCE, context.pausenhof.unifiedPushKeys())
    }
}
