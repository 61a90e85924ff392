package de.pausenhof.app.ui

import android.content.Intent
import android.os.Bundle
import android.view.Menu
import android.view.MenuItem

/** A conversation on a screen of its own (on a phone, or opened from search and notifications). */
class ChannelActivity : ConversationScreen() {
    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val channelId = intent.getStringExtra(EXTRA_CHANNEL_ID) ?: return finish()
        title = intent.getStringExtra(EXTRA_CHANNEL_NAME).orEmpty()
        val shown = ConversationPane(this, this, channelId)
        pane = shown
        setContentView(shown.view)
        launch { if (signedInAndLive()) shown.start() }
    }

    override fun onCreateOptionsMenu(menu: Menu): Boolean {
        pane?.addMenuItems(menu)
        return true
    }

    override fun onOptionsItemSelected(item: MenuItem): Boolean =
        pane?.onMenuItem(item) == true || super.onOptionsItemSelected(item)

    override fun showChannel(channelId: String, name: String) {
        startActivity(
            Intent(this, ChannelActivity::class.java)
                .putExtra(EXTRA_CHANNEL_ID, channelId)
                .putExtra(EXTRA_CHANNEL_NAME, name),
        )
        finish()
    }

    override fun channelLeft() = backHome()

    companion object {
        const val EXTRA_CHANNEL_ID = "de.pausenhof.app.CHANNEL_ID"
        const val EXTRA_CHANNEL_NAME = "de.pausenhof.app.CHANNEL_NAME"
    }
}
