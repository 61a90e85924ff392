package de.pausenhof.app.ui

import de.pausenhof.app.R
import de.pausenhof.ffi.Presence

/** The words for someone's status; colour alone would not reach everyone. */
fun presenceText(presence: Presence): Int = when (presence) {
    Presence.ONLINE -> R.string.presence_online
    Presence.AWAY -> R.string.presence_away
    Presence.DO_NOT_DISTURB -> R.string.presence_dnd
    Presence.OFFLINE -> R.string.presence_offline
    Presence.UNKNOWN -> R.string.presence_unknown
}
