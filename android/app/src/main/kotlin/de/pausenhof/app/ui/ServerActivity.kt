package de.pausenhof.app.ui

import android.app.AlertDialog
import android.content.Intent
import android.os.Bundle
import android.view.View
import android.view.inputmethod.EditorInfo
import android.widget.Button
import android.widget.EditText
import android.widget.ProgressBar
import android.widget.TextView
import de.pausenhof.app.R
import de.pausenhof.app.SchoolCertificates
import de.pausenhof.app.pausenhof
import de.pausenhof.ffi.ClientException
import de.pausenhof.ffi.TlsProblem
import java.io.IOException
import java.security.cert.X509Certificate
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext

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
    private lateinit var addCertificate: Button

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        setContentView(R.layout.screen_server)
        address = findViewById(R.id.server_address)
        proceed = findViewById(R.id.server_continue)
        progress = findViewById(R.id.server_progress)
        error = findViewById(R.id.server_error)
        addCertificate = findViewById(R.id.server_add_certificate)
        addCertificate.setOnClickListener { pickCertificate() }
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
                val schoolAuthority = failure is ClientException.Tls && failure.problem == TlsProblem.UNKNOWN_ISSUER
                addCertificate.visibility = if (schoolAuthority) View.VISIBLE else View.GONE
            }
        }
    }

    private fun pickCertificate() {
        val pick = Intent(Intent.ACTION_OPEN_DOCUMENT)
            .addCategory(Intent.CATEGORY_OPENABLE)
            .setType("*/*")
            .putExtra(Intent.EXTRA_MIME_TYPES, arrayOf("application/x-x509-ca-cert", "application/x-pem-file", "application/pkix-cert", "application/octet-stream"))
        try {
            startActivityForResult(pick, PICK_CERTIFICATE)
        } catch (noPicker: android.content.ActivityNotFoundException) {
            error.setText(R.string.attach_no_picker)
        }
    }

    override fun onActivityResult(requestCode: Int, resultCode: Int, data: Intent?) {
        val picked = data?.data
        if (requestCode != PICK_CERTIFICATE || resultCode != RESULT_OK || picked == null) {
            super.onActivityResult(requestCode, resultCode, data)
            return
        }
        launch {
            val bytes = withContext(Dispatchers.IO) {
                try {
                    contentResolver.openInputStream(picked)?.use { it.readBytes() }
                } catch (unreadable: IOException) {
                    null
                }
            }
            val certificate = bytes?.let(SchoolCertificates::parse)
            if (bytes == null || certificate == null) {
                error.setText(R.string.certificate_not_a_certificate)
                error.visibility = View.VISIBLE
                return@launch
            }
            confirmTrust(bytes, certificate)
        }
    }

    private fun confirmTrust(bytes: ByteArray, certificate: X509Certificate) {
        AlertDialog.Builder(this)
            .setTitle(R.string.certificate_trust_title)
            .setMessage(
                getString(
                    R.string.certificate_trust_message,
                    certificate.subjectX500Principal.name,
                    SchoolCertificates.fingerprint(certificate),
                ),
            )
            .setPositiveButton(R.string.certificate_trust) { _, _ ->
                SchoolCertificates(this).add(bytes)
                // The core reads its trusted roots when it is made.
                pausenhof.resetClient()
                addCertificate.visibility = View.GONE
                probe()
            }
            .setNegativeButton(android.R.string.cancel, null)
            .show()
    }

    private companion object {
        const val PICK_CERTIFICATE = 7302
    }

    private fun busy(on: Boolean) {
        proceed.isEnabled = !on
        progress.visibility = if (on) View.VISIBLE else View.GONE
        if (on) {
            error.visibility = View.GONE
            addCertificate.visibility = View.GONE
        }
    }
}
