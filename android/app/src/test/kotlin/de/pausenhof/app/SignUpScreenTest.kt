package de.pausenhof.app

import android.content.Intent
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
import de.pausenhof.app.ui.ConsentActivity
import de.pausenhof.app.ui.ServerActivity
import de.pausenhof.app.ui.SignInActivity
import de.pausenhof.app.ui.SignUpActivity
import de.pausenhof.client.support.TestServer
import java.net.URI
import java.net.URLEncoder
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNull
import org.junit.ClassRule
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.annotation.Config

/** Creating an account on a server with open sign-up, with and without email confirmation. */
@RunWith(RobolectricTestRunner::class)
@Config(application = TestApp::class, sdk = [34])
class SignUpScreenTest : ScreenTest() {

    private fun signUpScreen(on: TestServer): SignUpActivity {
        val start = launch<ServerActivity>().get()
        start.findViewById<EditText>(R.id.server_address).setText(on.url)
        start.findViewById<Button>(R.id.server_continue).performClick()
        waitUntil("the sign-in screen is started") { start.startedNext() != null }
        val signIn = start.follow(SignInActivity::class.java).get()
        val create = signIn.findViewById<Button>(R.id.sign_in_sign_up)
        assertEquals(View.VISIBLE, create.visibility)
        create.performClick()
        return signIn.follow(SignUpActivity::class.java).get()
    }

    private fun SignUpActivity.fill(email: String, username: String, lastName: String = "Neumann") {
        findViewById<EditText>(R.id.sign_up_first_name).setText("Nora")
        findViewById<EditText>(R.id.sign_up_last_name).setText(lastName)
        findViewById<EditText>(R.id.sign_up_email).setText(email)
        findViewById<EditText>(R.id.sign_up_username).setText(username)
        findViewById<EditText>(R.id.sign_up_password).setText("Pausenhof-2026")
        findViewById<Button>(R.id.sign_up_button).performClick()
    }

    @Test
    fun a_new_student_signs_up_with_the_full_name_and_is_signed_in() {
        val screen = signUpScreen(server)
        screen.fill("nora@schule.example", "nora", lastName = "")
        val error = screen.findViewById<TextView>(R.id.sign_up_error)
        assertEquals(app.getString(R.string.sign_up_missing), error.text.toString())
        assertNull(screen.startedNext())

        screen.fill("nora@schule.example", "nora")
        waitUntil("signed in") { screen.startedNext() != null }
        // The full name came with the sign-up: no second prompt.
        screen.follow(ConsentActivity::class.java)
        assertEquals("Neumann", app.client.currentUser()?.lastName)
    }

    @Test
    fun a_server_that_wants_the_address_confirmed_waits_for_the_link() {
        val screen = signUpScreen(verifying)
        screen.fill("ole@schule.example", "ole")
        val explanation = screen.findViewById<TextView>(R.id.sign_up_verification_text)
        waitUntil("the email step is shown") { explanation.isShown }
        assertEquals(app.getString(R.string.sign_up_check_mail, "ole@schule.example"), explanation.text.toString())
        assertNull(app.client.currentUser())

        // Not confirmed yet: signing in still says so.
        screen.findViewById<Button>(R.id.sign_up_verified).performClick()
        waitUntil("still waiting") { screen.findViewById<Button>(R.id.sign_up_verified).isEnabled }
        assertNull(screen.startedNext())

        val link = URI(verifying.url.trimEnd('/') + "/_mailbox/" + URLEncoder.encode("ole@schule.example", "UTF-8"))
            .toURL().readText()
        screen.findViewById<EditText>(R.id.sign_up_link).setText(link)
        screen.findViewById<Button>(R.id.sign_up_confirm).performClick()
        waitUntil("confirmed and signed in") { screen.startedNext() != null }
        screen.follow(ConsentActivity::class.java)
        assertEquals("ole", app.client.currentUser()?.username)
    }

    companion object {
        @ClassRule
        @JvmField
        val withVerification = ServerRule("--require-email-verification")

        val verifying: TestServer get() = withVerification.server
    }
}
