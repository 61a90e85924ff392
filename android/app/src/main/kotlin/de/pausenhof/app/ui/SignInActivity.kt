package de.pausenhof.app.ui

import android.os.Bundle
import android.view.View
import android.widget.Button
import android.widget.EditText
import android.widget.ProgressBar
import android.widget.TextView
import de.pausenhof.app.R
import de.pausenhof.ffi.ClientException

/**
 * Password sign-in with the two-factor step: an account with MFA first gets
 * `MfaRequired`, the code field appears, and the same call is repeated with
 * the code.
 */
class SignInActivity : Screen() {
    private lateinit var serverUrl: String
    private lateinit var login: EditText
    private lateinit var password: EditText
    private lateinit var mfa: EditText
    private lateinit var mfaExplanation: TextView
    private lateinit var button: Button
    private lateinit var progress: ProgressBar
    private lateinit var error: TextView

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        setContentView(R.layout.screen_sign_in)
        serverUrl = intent.getStringExtra(EXTRA_SERVER_URL) ?: return finish()
        val siteName = intent.getStringExtra(EXTRA_SITE_NAME).orEmpty().ifBlank { serverUrl }
        findViewById<TextView>(R.id.sign_in_title).text = getString(R.string.sign_in_title, siteName)
        login = findViewById(R.id.sign_in_login)
        password = findViewById(R.id.sign_in_password)
        mfa = findViewById(R.id.sign_in_mfa)
        mfaExplanation = findViewById(R.id.sign_in_mfa_explanation)
        button = findViewById(R.id.sign_in_button)
        progress = findViewById(R.id.sign_in_progress)
        error = findViewById(R.id.sign_in_error)
        if (savedInstanceState?.getBoolean(STATE_MFA) == true) showMfa()
        button.setOnClickListener { signIn() }
    }

    override fun onSaveInstanceState(outState: Bundle) {
        super.onSaveInstanceState(outState)
        outState.putBoolean(STATE_MFA, mfa.visibility == View.VISIBLE)
    }

    private fun signIn() {
        val loginId = login.text.toString().trim()
        val secret = password.text.toString()
        if (loginId.isEmpty() || secret.isEmpty()) return
        val code = mfa.text.toString().trim().takeIf { mfa.visibility == View.VISIBLE && it.isNotEmpty() }
        busy(true)
        launch {
            try {
                client.signInWithPassword(serverUrl, loginId, secret, code)
                continueSignedIn(client)
            } catch (failure: ClientException.MfaRequired) {
                busy(false)
                showMfa()
            } catch (failure: ClientException) {
                busy(false)
                if (failure is ClientException.MfaCodeInvalid) mfa.text.clear()
                error.text = describe(failure)
                error.visibility = View.VISIBLE
            }
        }
    }

    private fun showMfa() {
        mfaExplanation.visibility = View.VISIBLE
        mfa.visibility = View.VISIBLE
        mfa.requestFocus()
    }

    private fun busy(on: Boolean) {
        button.isEnabled = !on
        progress.visibility = if (on) View.VISIBLE else View.GONE
        if (on) error.visibility = View.GONE
    }

    companion object {
        const val EXTRA_SERVER_URL = "de.pausenhof.app.SERVER_URL"
        const val EXTRA_SITE_NAME = "de.pausenhof.app.SITE_NAME"
        private const val STATE_MFA = "mfa"
    }
}
