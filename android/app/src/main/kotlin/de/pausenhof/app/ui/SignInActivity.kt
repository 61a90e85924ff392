package de.pausenhof.app.ui

import android.content.ActivityNotFoundException
import android.content.Intent
import android.net.Uri
import android.os.Bundle
import android.view.View
import android.widget.Button
import android.widget.EditText
import android.widget.LinearLayout
import android.widget.ProgressBar
import android.widget.TextView
import de.pausenhof.app.R
import de.pausenhof.ffi.ClientException
import de.pausenhof.ffi.SsoProvider

/**
 * Sign-in: a button per single sign-on provider the server offers (the
 * school's login page opens in the system browser, which hands the result
 * to [SsoCallbackActivity]), and password sign-in with the two-factor step:
 * an account with MFA first gets `MfaRequired`, the code field appears, and
 * the same call is repeated with the code.
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
        val providers = intent.getStringArrayListExtra(EXTRA_SSO_PROVIDERS).orEmpty()
            .mapNotNull { name -> SsoProvider.entries.firstOrNull { it.name == name } }
        showSsoButtons(providers)
        if (intent.getBooleanExtra(EXTRA_OPEN_SIGN_UP, false)) {
            val signUp = findViewById<Button>(R.id.sign_in_sign_up)
            signUp.visibility = View.VISIBLE
            signUp.setOnClickListener {
                startActivity(Intent(this, SignUpActivity::class.java).putExtra(EXTRA_SERVER_URL, serverUrl))
            }
        }
        if (!intent.getBooleanExtra(EXTRA_PASSWORD_SIGN_IN, true)) {
            for (id in listOf(R.id.sign_in_or, R.id.sign_in_login, R.id.sign_in_password, R.id.sign_in_button)) {
                findViewById<View>(id).visibility = View.GONE
            }
        }
    }

    private fun showSsoButtons(providers: List<SsoProvider>) {
        val container = findViewById<LinearLayout>(R.id.sign_in_sso)
        for (provider in providers) {
            val sso = Button(this)
            sso.text = getString(R.string.sign_in_with, providerName(provider))
            sso.minHeight = (TOUCH_TARGET_DP * resources.displayMetrics.density).toInt()
            sso.setOnClickListener { startSso(provider) }
            container.addView(sso)
        }
        if (providers.isNotEmpty()) findViewById<View>(R.id.sign_in_or).visibility = View.VISIBLE
    }

    private fun startSso(provider: SsoProvider) {
        error.visibility = View.GONE
        try {
            val url = client.startSso(serverUrl, provider, SsoCallbackActivity.CALLBACK)
            startActivity(Intent(Intent.ACTION_VIEW, Uri.parse(url)).addCategory(Intent.CATEGORY_BROWSABLE))
        } catch (failure: ClientException) {
            error.text = describe(failure)
            error.visibility = View.VISIBLE
        } catch (noBrowser: ActivityNotFoundException) {
            error.setText(R.string.sign_in_no_browser)
            error.visibility = View.VISIBLE
        }
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

        /** Names of the [SsoProvider]s to offer. */
        const val EXTRA_SSO_PROVIDERS = "de.pausenhof.app.SSO_PROVIDERS"

        /** True when anyone may create an account on the server. */
        const val EXTRA_OPEN_SIGN_UP = "de.pausenhof.app.OPEN_SIGN_UP"

        /** False when the server allows single sign-on only. */
        const val EXTRA_PASSWORD_SIGN_IN = "de.pausenhof.app.PASSWORD_SIGN_IN"

        /** Product names, the same in every language. */
        fun providerName(provider: SsoProvider): String = when (provider) {
            SsoProvider.GIT_LAB -> "GitLab"
            SsoProvider.GOOGLE -> "Google"
            SsoProvider.OFFICE365 -> "Microsoft 365"
            SsoProvider.OPEN_ID -> "OpenID"
            SsoProvider.SAML -> "SAML"
        }
        private const val STATE_MFA = "mfa"
        private const val TOUCH_TARGET_DP = 48
    }
}
