package de.pausenhof.app.ui

import android.content.Context
import de.pausenhof.app.platform.BackgroundConnectionService
import de.pausenhof.app.platform.Notifier
import de.pausenhof.ffi.ConsentState
import de.pausenhof.ffi.Delivery

/** Makes the phone follow the user's decision at once: the connection runs only while granted. */
object Notifications {
    fun follow(context: Context, consent: ConsentState?) {
        val background = consent is ConsentState.Granted && consent.delivery == Delivery.BACKGROUND_CONNECTION
        if (background) {
            BackgroundConnectionService.start(context)
        } else {
            BackgroundConnectionService.stop(context)
        }
        if (consent !is ConsentState.Granted) Notifier(context).clearAll()
    }
}
