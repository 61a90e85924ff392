package de.pausenhof.app.ui

import android.app.Activity
import android.content.Intent
import android.widget.Toast
import de.pausenhof.ffi.Client
import de.pausenhof.ffi.ClientException

/**
 * Leaves a channel and goes back to Home: the channel's own screens have
 * nothing left to show.
 */
suspend fun Activity.leaveChannel(client: Client, channelId: String) {
    try {
        client.leaveChannel(channelId)
    } catch (failure: ClientException) {
        Toast.makeText(this, describe(failure), Toast.LENGTH_LONG).show()
        return
    }
    startActivity(
        Intent(this, HomeActivity::class.java)
            .addFlags(Intent.FLAG_ACTIVITY_CLEAR_TOP or Intent.FLAG_ACTIVITY_SINGLE_TOP),
    )
    finish()
}
