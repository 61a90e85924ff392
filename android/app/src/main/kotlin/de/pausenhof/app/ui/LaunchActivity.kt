package de.pausenhof.app.ui

import android.content.Intent
import android.os.Bundle
import android.widget.ProgressBar
import de.pausenhof.ffi.ClientException

/**
 * Reopens the last account without the network, or starts at the server
 * screen. A tapped notification comes here too, so the conversation opens
 * even in a process Android has just started.
 */
class LaunchActivity : Screen() {
    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        setContentView(ProgressBar(this))
        launch {
            val user = try {
                client.currentUser() ?: client.restore()
            } catch (error: ClientException) {
                null
            }
            val channelId = intent.getStringExtra(EXTRA_CHANNEL_ID)
            when {
                user == null -> startOver()
                channelId != null -> {
                    startActivities(
                        arrayOf(
                            Intent(this@LaunchActivity, HomeActivity::class.java)
                                .addFlags(Intent.FLAG_ACTIVITY_NEW_TASK or Intent.FLAG_ACTIVITY_CLEAR_TASK),
                            Intent(this@LaunchActivity, ChannelActivity::class.java)
                                .putExtra(ChannelActivity.EXTRA_CHANNEL_ID, channelId)
                                .putExtra(ChannelActivity.EXTRA_CHANNEL_NAME, intent.getStringExtra(EXTRA_CHANNEL_NAME).orEmpty()),
                        ),
                    )
                    finish()
                }
                else -> continueSignedIn(client)
            }
        }
    }

    companion object {
        const val EXTRA_CHANNEL_ID = "de.pausenhof.app.OPEN_CHANNEL_ID"
        const val EXTRA_CHANNEL_NAME = "de.pausenhof.app.OPEN_CHANNEL_NAME"
        const val EXTRA_POST_ID = "de.pausenhof.app.OPEN_POST_ID"
    }
}
