package de.pausenhof.app.ui

import android.app.Activity
import android.content.Intent
import android.widget.Toast
import de.pausenhof.ffi.Client
import de.pausenhof.ffi.ClientException

/** Leaves a channel; false, with the reason shown, when the server refused. */
suspend fun Activity.leaveChannel(client: Client, channelId: String): Boolean {
    try {
        client.leaveChannel(channelId)
    } catch (failure: ClientException) {
        Toast.makeText(this, describe(failure), Toast.LENGTH_LONG).show()
        return false
    }
    return true
}

/** Back to Home, closing the screens above it: a left channel's screens have nothing left to show. */
fun Activity.backHome() {
    startActivity(
        Intent(this, HomeActivity::class.java)
            .addFlags(Intent.FLAG_ACTIVITY_CLEAR_TOP or Intent.FLAG_ACTIVITY_SINGLE_TOP),
    )
    finish()
}
