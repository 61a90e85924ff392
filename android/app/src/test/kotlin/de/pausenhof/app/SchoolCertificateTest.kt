package de.pausenhof.app

import android.app.Activity
import android.app.AlertDialog
import android.content.Intent
import android.net.Uri
import android.view.View
import android.widget.Button
import android.widget.EditText
import android.widget.TextView
import de.pausenhof.app.support.ScreenTest
import de.pausenhof.app.support.ServerRule
import de.pausenhof.app.support.TestApp
import de.pausenhof.app.support.follow
import de.pausenhof.app.support.launch
import de.pausenhof.app.support.startedNext
import de.pausenhof.app.support.waitUntil
import de.pausenhof.app.ui.ServerActivity
import de.pausenhof.app.ui.SignInActivity
import de.pausenhof.client.support.TestServer
import java.io.ByteArrayInputStream
import java.io.File
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.ClassRule
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config
import org.robolectric.shadows.ShadowAlertDialog

/** A school that runs its own certificate authority: the app adds it once, after the user checked it. */
@RunWith(RobolectricTestRunner::class)
@Config(application = TestApp::class, sdk = [34])
class SchoolCertificateTest : ScreenTest() {

    private fun refusedServer(): ServerActivity {
        val screen = launch<ServerActivity>().get()
        screen.findViewById<EditText>(R.id.server_address).setText(https.url)
        screen.findViewById<Button>(R.id.server_continue).performClick()
        val error = screen.findViewById<TextView>(R.id.server_error)
        waitUntil("the server is refused") { error.visibility == View.VISIBLE }
        assertEquals(app.getString(R.string.error_tls_unknown_issuer), error.text.toString())
        return screen
    }

    private fun ServerActivity.pick(content: ByteArray, name: String) {
        val add = findViewById<Button>(R.id.server_add_certificate)
        assertEquals(View.VISIBLE, add.visibility)
        add.performClick()
        val picker = shadowOf(this).nextStartedActivityForResult
        assertEquals(Intent.ACTION_OPEN_DOCUMENT, picker.intent.action)
        // The picker is also in the queue of started screens: take it off,
        // so that the screen after the server's check comes next.
        if (shadowOf(this).peekNextStartedActivity()?.action == Intent.ACTION_OPEN_DOCUMENT) {
            shadowOf(this).nextStartedActivity
        }
        val file = Uri.parse("content://de.pausenhof.test.downloads/$name")
        shadowOf(app.contentResolver).registerInputStream(file, ByteArrayInputStream(content))
        shadowOf(this).receiveResult(picker.intent, Activity.RESULT_OK, Intent().setData(file))
    }

    @Test
    fun the_school_ca_is_added_after_its_fingerprint_was_shown_and_the_server_opens() {
        val screen = refusedServer()
        screen.pick(caFile.readBytes(), "schul-ca.crt")
        waitUntil("the certificate is shown for checking") { ShadowAlertDialog.getLatestAlertDialog() != null }
        val dialog = ShadowAlertDialog.getLatestAlertDialog() as AlertDialog
        val message = shadowOf(dialog).message.toString()
        assertTrue(message, message.contains("Pausenhof Testschule CA"))
        assertTrue(message, Regex("SHA-256: ([0-9A-F]{2}:){31}[0-9A-F]{2}").containsMatchIn(message))

        dialog.getButton(AlertDialog.BUTTON_POSITIVE).performClick()
        waitUntil("the server is accepted") { screen.startedNext() != null }
        screen.follow(SignInActivity::class.java)
        assertEquals(1, SchoolCertificates(app).all().size)
    }

    @Test
    fun a_file_that_is_no_certificate_is_refused_and_not_kept() {
        val screen = refusedServer()
        screen.pick("<html>Downloads</html>".toByteArray(), "seite.html")
        val error = screen.findViewById<TextView>(R.id.server_error)
        waitUntil("the file is refused") { error.text.toString() == app.getString(R.string.certificate_not_a_certificate) }
        assertEquals(0, SchoolCertificates(app).all().size)
    }

    companion object {
        private val caFile: File = File.createTempFile("schul-ca", ".pem").also { it.deleteOnExit() }

        @ClassRule
        @JvmField
        val httpsServer = ServerRule("--school-ca", caFile.path)

        val https: TestServer get() = httpsServer.server
    }
}
