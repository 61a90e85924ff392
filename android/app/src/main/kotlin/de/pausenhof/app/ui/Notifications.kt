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
 * endpoint while UnifiedPush is granted and none is registered. The
 * distributor is told to forget the app only when the user withdraws or
 * the last account signs out: its registration is the app's, and another
 * account on the phone may still use it.
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
        if (granted == Delivery.UNIFIED_PUSH && status.registered?.delivery != Delivery.UNIFIED_PUSH) {
            UnifiedPushRegistration.register(context, client)
        }
        if (consent !is ConsentState.Granted) Notifier(context).clearAll()
    }

    /** The user withdrew consent in Settings. */
    suspend fun withdrawn(context: Context, client: Client) {
        UnifiedPushRegistration.unregister(context)
        follow(context, client)
    }

    /** After sign-out: nothing of the account may keep notifying. */
    fun stopAll(context: Context) {
        BackgroundConnectionService.stop(context)
        UnifiedPushRegistration.unregister(context)
        Notifier(context).clearAll()
    }
}
