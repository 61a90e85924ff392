package de.pausenhof.app.ui

import android.content.Intent
import android.os.Bundle
import android.widget.ProgressBar
import de.pausenhof.ffi.ClientException

/**
 * Reopens the last account without the network, or starts at the server
 * screen. A tapped notification comes here too, so the conversation opens
 * even in a process Android has just started, in the account it belongs to.
 */
class LaunchActivity : Screen() {
    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        setContentView(ProgressBar(this))
        launch {
            val shown = try {
                client.currentUser() ?: client.restore()
            } catch (error: ClientException) {
                null
            }
            val owner = intent.getStringExtra(EXTRA_ACCOUNT_KEY).orEmpty()
            val user = if (shown != null && owner.isNotEmpty() && owner != client.activeAccountKey()) {
                // Signed out of since the notification came: stay where we are.
                try {
                    client.switchAccount(owner)
                } catch (error: ClientException) {
                    shown
                }
            } else {
                shown
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
        const val EXTRA_ACCOUNT_KEY = "de.pausenhof.app.OPEN_ACCOUNT_KEY"
        const val EXTRA_CHANNEL_ID = "de.pausenhof.app.OPEN_CHANNEL_ID"
        const val EXTRA_CHANNEL_NAME = "de.pausenhof.app.OPEN_CHANNEL_NAME"
        const val EXTRA_POST_ID = "de.pausenhof.app.OPEN_POST_ID"
    }
}
