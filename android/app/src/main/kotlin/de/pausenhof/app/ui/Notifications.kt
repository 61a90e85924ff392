package de.pausenhof.app.ui

import android.content.Context
import de.pausenhof.app.platform.BackgroundConnectionService
import de.pausenhof.app.platform.Notifier
import de.pausenhof.app.platform.UnifiedPushRegistration
import de.pausenhof.ffi.Client
import de.pausenhof.ffi.ConsentState
import de.pausenhof.ffi.Delivery

/**
 * Makes the phone follow the user's decision at once: the background
 * connection runs only while granted; the distributor is asked for an
 * endpoint while UnifiedPush is granted and none is registered, and told to
 * forget the app otherwise.
 */
object Notifications {
    suspend fun follow(context: Context, client: Client) {
        val status = client.pushStatus()
        val consent = status.consent
        val granted = (consent as? ConsentState.Granted)?.delivery
        if (granted == Delivery.BACKGROUND_CONNECTION) {
            BackgroundConnectionService.start(context)
        } else {
            BackgroundConnectionService.stop(context)
        }
        if (granted == Delivery.UNIFIED_PUSH) {
            if (status.registered?.delivery != Delivery.UNIFIED_PUSH) {
                UnifiedPushRegistration.register(context, client)
            }
        } else {
            UnifiedPushRegistration.unregister(context)
        }
        if (consent !is ConsentState.Granted) Notifier(context).clearAll()
    }

    /** After sign-out: nothing of the account may keep notifying. */
    fun stopAll(context: Context) {
        BackgroundConnectionService.stop(context)
        UnifiedPushRegistration.unregister(context)
        Notifier(context).clearAll()
    }
}
