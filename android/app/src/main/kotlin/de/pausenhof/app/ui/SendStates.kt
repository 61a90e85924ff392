package de.pausenhof.app.ui

import de.pausenhof.ffi.Client
import de.pausenhof.ffi.ClientException
import de.pausenhof.ffi.SendState

/**
 * The send state of the user's unconfirmed posts in a channel, by the id of
 * their local echo. A failure only hides the "sending" notes, so it is not
 * worth an error message.
 */
suspend fun Client.sendStatesIn(channelId: String): Map<String, SendState> = try {
    pendingSends().filter { it.channelId == channelId }.associate { it.clientKey to it.state }
} catch (failure: ClientException) {
    emptyMap()
}
