package de.pausenhof.app.ui

import android.net.Uri
import android.os.Bundle
import android.view.View
import android.widget.Button
import android.widget.EditText
import android.widget.ProgressBar
import android.widget.TextView
import de.pausenhof.app.R
import de.pausenhof.ffi.ClientException
import de.pausenhof.ffi.NewAccount

/**
 * Open sign-up on servers that allow it: the account is created with the
 * full name the schools require, then signed in. A server that wants the
 * address confirmed first says so at that sign-in; the screen then waits
 * for the link from the email (opened in the browser, or pasted here) and
 * can send the email again.
 */
class SignUpActivity : Screen() {
    private lateinit var serverUrl: String
    private lateinit var form: View
    private lateinit var verification: View
    private lateinit var progress: ProgressBar
    private lateinit var error: TextView
    private lateinit var email: EditText
    private lateinit var password: EditText

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        setContentView(R.layout.screen_sign_up)
        serverUrl = intent.getStringExtra(SignInActivity.EXTRA_SERVER_URL) ?: return finish()
        form = findViewById(R.id.sign_up_form)
        verification = findViewById(R.id.sign_up_verification)
        progress = findViewById(R.id.sign_up_progress)
        error = findViewById(R.id.sign_up_error)
        email = findViewById(R.id.sign_up_email)
        password = findViewById(R.id.sign_up_password)
        findViewById<Button>(R.id.sign_up_button).setOnClickListener { signUp() }
        findViewById<Button>(R.id.sign_up_verified).setOnClickListener { signIn() }
        findViewById<Button>(R.id.sign_up_resend).setOnClickListener { resend() }
        findViewById<Button>(R.id.sign_up_confirm).setOnClickListener { confirmPasted() }
    }

    private fun text(id: Int) = findViewById<EditText>(id).text.toString().trim()

    private fun signUp() {
        val account = NewAccount(
            email = text(R.id.sign_up_email),
            username = text(R.id.sign_up_username),
            password = password.text.toString(),
            firstName = text(R.id.sign_up_first_name),
            lastName = text(R.id.sign_up_last_name),
        )
        if (listOf(account.email, account.username, account.password, account.firstName, account.lastName).any { it.isEmpty() }) {
            show(getString(R.string.sign_up_missing))
            return
        }
        run {
            client.signUp(serverUrl, account)
            signInOrAskForVerification()
        }
    }

    private fun signIn() = run { signInOrAskForVerification() }

    private suspend fun signInOrAskForVerification() {
        try {
            client.signInWithPassword(serverUrl, email.text.toString().trim(), password.text.toString(), null)
            continueSignedIn(client)
        } catch (unverified: ClientException.EmailNotVerified) {
            form.visibility = View.GONE
            verification.visibility = View.VISIBLE
            findViewById<TextView>(R.id.sign_up_verification_text).text =
                getString(R.string.sign_up_check_mail, email.text.toString().trim())
        }
    }

    private fun resend() = run {
        client.sendVerificationEmail(serverUrl, email.text.toString().trim())
        show(getString(R.string.sign_up_mail_sent))
    }

    /** The link from the email, or just its token. */
    private fun confirmPasted() {
        val pasted = text(R.id.sign_up_link)
        if (pasted.isEmpty()) return
        val token = Uri.parse(pasted).takeIf { it.isHierarchical }?.getQueryParameter("token") ?: pasted
        run {
            client.verifyEmail(serverUrl, token)
            signInOrAskForVerification()
        }
    }

    /** Runs [block] with the screen busy; a failure is said in words. */
    private fun run(block: suspend () -> Unit) {
        busy(true)
        launch {
            try {
                block()
            } catch (failure: ClientException) {
                show(describe(failure))
            } finally {
                busy(false)
            }
        }
    }

    private fun busy(on: Boolean) {
        progress.visibility = if (on) View.VISIBLE else View.GONE
        for (id in listOf(R.id.sign_up_button, R.id.sign_up_verified, R.id.sign_up_resend, R.id.sign_up_confirm)) {
            findViewById<Button>(id).isEnabled = !on
        }
        if (on) error.visibility = View.GONE
    }

    private fun show(message: String) {
        error.text = message
        error.visibility = View.VISIBLE
    }
}
