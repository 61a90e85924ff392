package de.pausenhof.app.ui

import android.content.Intent
import android.os.Bundle
import android.view.View
import android.widget.Button
import android.widget.ProgressBar
import android.widget.TextView
import de.pausenhof.app.R
import de.pausenhof.ffi.ClientException

/**
 * Where the browser returns after the school's sign-in page: the core checks
 * that the redirect answers the sign-in it started and exchanges it for a
 * session. A sign-in the core no longer knows (the app was killed while the
 * browser was open) is said plainly, with the way back.
 */
class SsoCallbackActivity : Screen() {
    private lateinit var progress: ProgressBar
    private lateinit var error: TextView
    private lateinit var back: Button

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        setContentView(R.layout.screen_sso_callback)
        progress = findViewById(R.id.sso_progress)
        error = findViewById(R.id.sso_error)
        back = findViewById(R.id.sso_back)
        back.setOnClickListener { startOver() }
        complete(intent)
    }

    override fun onNewIntent(intent: Intent) {
        super.onNewIntent(intent)
        complete(intent)
    }

    private fun complete(intent: Intent?) {
        val callback = intent?.data?.toString() ?: return startOver()
        progress.visibility = View.VISIBLE
        error.visibility = View.GONE
        back.visibility = View.GONE
        launch {
            try {
                client.completeSso(callback)
                continueSignedIn(client)
            } catch (failure: ClientException) {
                progress.visibility = View.GONE
                error.text = if (failure is ClientException.InvalidInput) {
                    getString(R.string.sso_interrupted)
                } else {
                    describe(failure)
                }
                error.visibility = View.VISIBLE
                back.visibility = View.VISIBLE
            }
        }
    }

    companion object {
        /** The address the school's sign-in page sends the browser back to. */
        const val CALLBACK = "pausenhof://sso"
    }
}
