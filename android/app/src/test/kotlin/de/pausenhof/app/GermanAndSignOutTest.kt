package de.pausenhof.app

import android.widget.Button
import android.widget.EditText
import android.widget.TextView
import android.view.View
import de.pausenhof.app.support.ScreenTest
import de.pausenhof.app.support.TestApp
import de.pausenhof.app.support.launch
import de.pausenhof.app.support.signIn
import de.pausenhof.app.support.startedNext
import de.pausenhof.app.support.waitUntil
import de.pausenhof.app.ui.ServerActivity
import de.pausenhof.app.ui.SettingsActivity
import java.io.File
import java.net.ServerSocket
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.annotation.Config

@RunWith(RobolectricTestRunner::class)
@Config(application = TestApp::class, sdk = [34])
class GermanAndSignOutTest : ScreenTest() {

    @Test
    @Config(qualifiers = "de")
    fun a_german_phone_gets_german_screens_and_messages() {
        val screen = launch<ServerActivity>().get()
        assertEquals("Weiter", screen.findViewById<Button>(R.id.server_continue).text.toString())
        val closedPort = ServerSocket(0).use { it.localPort }
        screen.findViewById<EditText>(R.id.server_address).setText("http://127.0.0.1:$closedPort")
        screen.findViewById<Button>(R.id.server_continue).performClick()
        val error = screen.findViewById<TextView>(R.id.server_error)
        waitUntil("an error is shown") { error.visibility == View.VISIBLE }
        assertTrue(error.text.toString(), error.text.startsWith("Keine Verbindung zum Server"))
    }

    @Test
    fun signing_out_leaves_nothing_of_the_account_on_the_phone() {
        signIn(server.plain("student"))
        val dataDir = File(app.filesDir, "pausenhof")
        assertTrue("the account has data", dataDir.walk().any { it.isFile && it.length() > 0 && it.name.contains("sqlite") })
        assertTrue("a token is kept", app.secrets.secrets.isNotEmpty())

        val settings = launch<SettingsActivity>().get()
        settings.findViewById<Button>(R.id.settings_sign_out).performClick()
        waitUntil("back at the start") { settings.startedNext() != null }
        assertEquals(ServerActivity::class.java.name, settings.startedNext()!!.component!!.className)

        assertNull(app.client.currentUser())
        val left = dataDir.walk().filter { it.isFile }.map { it.relativeTo(dataDir).path }.toList()
        assertTrue("files of the account left behind: $left", left.none { it.contains("sqlite") || it.contains("files") })
        assertTrue("secrets left behind: ${app.secrets.secrets.keys}", app.secrets.secrets.isEmpty())
    }
}
