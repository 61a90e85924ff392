package de.pausenhof.app.ui

import android.content.Intent
import android.view.Menu

/**
 * A screen that may show a [ConversationPane]: the pane follows the
 * screen's lifecycle (the draft is kept on pause) and gets the file
 * picker's answer, which Android delivers to the screen.
 */
abstract class ConversationScreen : Screen(), ConversationHost {
    protected var pane: ConversationPane? = null

    override fun onDestroy() {
        pane?.close()
        pane = null
        super.onDestroy()
    }

    override fun onPause() {
        pane?.pause()
        super.onPause()
    }

    override fun onResume() {
        super.onResume()
        pane?.resume()
    }

    override fun onActivityResult(requestCode: Int, resultCode: Int, data: Intent?) {
        if (pane?.onActivityResult(requestCode, resultCode, data) != true) {
            super.onActivityResult(requestCode, resultCode, data)
        }
    }

    override fun onPrepareOptionsMenu(menu: Menu): Boolean {
        pane?.prepareMenu(menu)
        return true
    }
}
