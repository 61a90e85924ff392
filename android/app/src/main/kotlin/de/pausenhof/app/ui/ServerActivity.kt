package de.pausenhof.app.ui

import android.content.Intent
import android.os.Bundle
import android.view.View
import android.view.inputmethod.EditorInfo
import android.widget.Button
import android.widget.EditText
import android.widget.ProgressBar
import android.widget.TextView
import de.pausenhof.app.R
import de.pausenhof.ffi.ClientException

/**
 * The school's server address as people type it ("chat.schule.de"), probed
 * by the core: the sign-in screen opens only for a reachable, new enough
 * Mattermost server; every other outcome is said in words.
 */
class ServerActivity : Screen() {
    private lateinit var address: EditText
    private lateinit var proceed: Button
    private lateinit var progress: ProgressBar
    private lateinit var error: TextView

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        setContentView(R.layout.screen_server)
        address = findViewById(R.id.server_address)
        proceed = findViewById(R.id.server_continue)
        progress = findViewById(R.id.server_progress)
        error = findViewById(R.id.server_error)
        proceed.setOnClickListener { probe() }
        address.setOnEditorActionListener { _, action, _ ->
            (action == EditorInfo.IME_ACTION_GO).also { if (it) probe() }
        }
    }

    private fun probe() {
        val typed = address.text.toString().trim()
        if (typed.isEmpty()) return
        busy(true)
        launch {
            try {
                val info = client.probeServer(typed)
                startActivity(
                    Intent(this@ServerActivity, SignInActivity::class.java)
                        .putExtra(SignInActivity.EXTRA_SERVER_URL, info.url)
                        .putExtra(SignInActivity.EXTRA_SITE_NAME, info.siteName)
                        .putStringArrayListExtra(
                            SignInActivity.EXTRA_SSO_PROVIDERS,
                            ArrayList(info.ssoProviders.map { it.name }),
                        )
                        .putExtra(SignInActivity.EXTRA_PASSWORD_SIGN_IN, info.signInWithEmail || info.signInWithUsername)
                        .putExtra(SignInActivity.EXTRA_OPEN_SIGN_UP, info.openSignUp),
                )
                busy(false)
            } catch (failure: ClientException) {
                busy(false)
                error.text = describe(failure)
                error.visibility = View.VISIBLE
            }
        }
    }

    private fun busy(on: Boolean) {
        proceed.isEnabled = !on
        progress.visibility = if (on) View.VISIBLE else View.GONE
        if (on) error.visibility = View.GONE
    }
}
