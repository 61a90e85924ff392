package de.pausenhof.app

import android.view.View
import android.widget.Button
import android.widget.EditText
import android.widget.TextView
import de.pausenhof.app.support.ScreenTest
import de.pausenhof.app.support.TestApp
import de.pausenhof.app.support.follow
import de.pausenhof.app.support.launch
import de.pausenhof.app.support.screenText
import de.pausenhof.app.support.startedNext
import de.pausenhof.app.support.waitUntil
import de.pausenhof.app.ui.ConsentActivity
import de.pausenhof.app.ui.FullNameActivity
import de.pausenhof.app.ui.ServerActivity
import de.pausenhof.app.ui.SignInActivity
import de.pausenhof.client.support.totpCode
import java.net.InetSocketAddress
import java.net.ServerSocket
import com.sun.net.httpserver.HttpServer
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.annotation.Config

@RunWith(RobolectricTestRunner::class)
@Config(application = TestApp::class, sdk = [21, 34])
class SignInScreensTest : ScreenTest() {

    private fun ServerActivity.typeAndContinue(address: String) {
        findViewById<EditText>(R.id.server_address).setText(address)
        findViewById<Button>(R.id.server_continue).performClick()
    }

    private fun ServerActivity.error(): TextView = findViewById(R.id.server_error)

    @Test
    fun the_screens_run_on_the_android_version_this_run_is_for() {
        val expected = System.getProperty("robolectric.enabledSdks")!!.toInt()
        assertEquals(expected, android.os.Build.VERSION.SDK_INT)
        launch<ServerActivity>().get()
    }

    @Test
    fun the_school_server_opens_the_sign_in_with_its_name() {
        val screen = launch<ServerActivity>().get()
        screen.typeAndContinue(server.url)
        waitUntil("the sign-in screen is started") { screen.startedNext() != null }
        val signIn = screen.follow(SignInActivity::class.java).get()
        val title = signIn.findViewById<TextView>(R.id.sign_in_title).text.toString()
        assertTrue(title, title.startsWith("Sign in to "))
        assertTrue(title, title.length > "Sign in to ".length)
    }

    @Test
    fun nothing_listening_says_offline() {
        val closedPort = ServerSocket(0).use { it.localPort }
        val screen = launch<ServerActivity>().get()
        screen.typeAndContinue("http://127.0.0.1:$closedPort")
        waitUntil("an error is shown") { screen.error().visibility == View.VISIBLE }
        assertEquals(app.getString(R.string.error_offline), screen.error().text.toString())
        assertEquals(null, screen.startedNext())
    }

    @Test
    fun a_web_server_that_is_not_mattermost_says_so() {
        val web = HttpServer.create(InetSocketAddress("127.0.0.1", 0), 0)
        web.createContext("/") { exchange ->
            val body = "<html><body>Schulhomepage</body></html>".toByteArray()
            exchange.responseHeaders.add("Content-Type", "text/html")
            exchange.sendResponseHeaders(404, body.size.toLong())
            exchange.responseBody.use { it.write(body) }
        }
        web.start()
        try {
            val screen = launch<ServerActivity>().get()
            screen.typeAndContinue("http://127.0.0.1:${web.address.port}")
            waitUntil("an error is shown") { screen.error().visibility == View.VISIBLE }
            assertEquals(app.getString(R.string.error_not_mattermost), screen.error().text.toString())
        } finally {
            web.stop(0)
        }
    }

    @Test
    fun an_address_that_is_no_address_is_refused_in_words() {
        val screen = launch<ServerActivity>().get()
        screen.typeAndContinue("chat schule de")
        waitUntil("an error is shown") { screen.error().visibility == View.VISIBLE }
        val shown = screen.error().text.toString()
        assertTrue(shown, shown.startsWith("This is not a valid server address"))
    }

    private fun signInScreen() = launch<SignInActivity>(
        android.content.Intent(app, SignInActivity::class.java)
            .putExtra(SignInActivity.EXTRA_SERVER_URL, server.url)
            .putExtra(SignInActivity.EXTRA_SITE_NAME, "Schulserver"),
    ).get()

    private fun SignInActivity.submit(login: String, password: String, code: String? = null) {
        findViewById<EditText>(R.id.sign_in_login).setText(login)
        findViewById<EditText>(R.id.sign_in_password).setText(password)
        if (code != null) findViewById<EditText>(R.id.sign_in_mfa).setText(code)
        findViewById<Button>(R.id.sign_in_button).performClick()
    }

    @Test
    fun a_wrong_password_is_said_and_nothing_opens() {
        val student = server.plain("student")
        val screen = signInScreen()
        screen.submit(student.username, "not-the-password")
        val error = screen.findViewById<TextView>(R.id.sign_in_error)
        waitUntil("an error is shown") { error.visibility == View.VISIBLE }
        assertEquals(app.getString(R.string.error_invalid_credentials), error.text.toString())
        assertEquals(null, screen.startedNext())
    }

    @Test
    fun two_factor_asks_for_the_code_refuses_a_wrong_one_and_accepts_the_right_one() {
        val account = server.withMfa()
        val screen = signInScreen()
        val mfa = screen.findViewById<EditText>(R.id.sign_in_mfa)
        assertEquals(View.GONE, mfa.visibility)

        screen.submit(account.username, account.password)
        waitUntil("the code field appears") { mfa.visibility == View.VISIBLE }
        assertTrue(screen.screenText().contains(app.getString(R.string.sign_in_mfa_explanation)))

        val right = totpCode(account.mfaSecret!!)
        val wrong = ((right.toInt() + 1) % 1_000_000).toString().padStart(6, '0')
        screen.submit(account.username, account.password, wrong)
        val error = screen.findViewById<TextView>(R.id.sign_in_error)
        waitUntil("the wrong code is refused") { error.visibility == View.VISIBLE }
        assertEquals(app.getString(R.string.error_mfa_invalid), error.text.toString())

        screen.submit(account.username, account.password, totpCode(account.mfaSecret!!))
        waitUntil("signed in") { screen.startedNext() != null }
        assertTrue(app.client.currentUser()?.username == account.username)
    }

    @Test
    fun a_profile_without_a_name_is_asked_for_it_before_anything_else() {
        // The seeded school's third student has no name (tests/server/src/seed.rs).
        val nameless = server.accounts.filter { it.role == "student" }[2]
        val screen = signInScreen()
        screen.submit(nameless.username, nameless.password)
        waitUntil("signed in") { screen.startedNext() != null }
        val prompt = screen.follow(FullNameActivity::class.java).get()
        val error = prompt.findViewById<TextView>(R.id.full_name_error)

        prompt.findViewById<EditText>(R.id.full_name_first).setText("Clara")
        prompt.findViewById<Button>(R.id.full_name_save).performClick()
        assertEquals(View.VISIBLE, error.visibility)
        assertEquals(app.getString(R.string.full_name_missing), error.text.toString())

        prompt.findViewById<EditText>(R.id.full_name_last).setText("Nowak")
        prompt.findViewById<Button>(R.id.full_name_save).performClick()
        waitUntil("the name is saved and the app goes on") { prompt.startedNext() != null }
        prompt.follow(ConsentActivity::class.java)
        assertEquals("Clara", app.client.currentUser()?.firstName)
        assertEquals(false, app.client.needsFullName())
    }

    @Test
    fun after_sign_in_the_notification_decision_comes_first() {
        val student = server.plain("student")
        val screen = signInScreen()
        screen.submit(student.username, student.password)
        waitUntil("signed in") { screen.startedNext() != null }
        screen.follow(ConsentActivity::class.java)
    }
}
