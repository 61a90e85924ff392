package de.pausenhof.app

import android.content.Intent
import android.net.Uri
import android.view.View
import android.widget.Button
import android.widget.EditText
import android.widget.TextView
import de.pausenhof.app.support.ScreenTest
import de.pausenhof.app.support.ServerRule
import de.pausenhof.app.support.TestApp
import de.pausenhof.app.support.allTexts
import de.pausenhof.app.support.follow
import de.pausenhof.app.support.launch
import de.pausenhof.app.support.screenText
import de.pausenhof.app.support.startedNext
import de.pausenhof.app.support.waitUntil
import de.pausenhof.app.ui.ConsentActivity
import de.pausenhof.app.ui.ServerActivity
import de.pausenhof.app.ui.SignInActivity
import de.pausenhof.app.ui.SsoCallbackActivity
import de.pausenhof.app.ui.TermsActivity
import de.pausenhof.client.support.Account
import de.pausenhof.client.support.TestServer
import java.net.HttpURLConnection
import java.net.URI
import java.net.URLEncoder
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.ClassRule
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config

/**
 * Single sign-on through the system browser, and the school's terms of
 * service after sign-in, on servers that offer them.
 */
@RunWith(RobolectricTestRunner::class)
@Config(application = TestApp::class, sdk = [34])
class SsoAndTermsScreensTest : ScreenTest() {

    /** What the browser does: shows the school's sign-in page and submits it; returns where it is sent. */
    private fun signInInTheBrowser(url: String, account: Account): String {
        val page = URI(url).toURL().openConnection() as HttpURLConnection
        assertEquals(200, page.responseCode)
        assertTrue(page.inputStream.bufferedReader().readText().contains("<form"))
        val form = URI(url).rawQuery + "&login_id=" + URLEncoder.encode(account.username, "UTF-8") +
            "&password=" + URLEncoder.encode(account.password, "UTF-8")
        val submit = URI(url).toURL().openConnection() as HttpURLConnection
        submit.instanceFollowRedirects = false
        submit.requestMethod = "POST"
        submit.doOutput = true
        submit.setRequestProperty("Content-Type", "application/x-www-form-urlencoded")
        submit.outputStream.use { it.write(form.toByteArray()) }
        assertEquals(302, submit.responseCode)
        return submit.getHeaderField("Location")
    }

    private fun signInScreenOf(address: String): SignInActivity {
        val start = launch<ServerActivity>().get()
        start.findViewById<EditText>(R.id.server_address).setText(address)
        start.findViewById<Button>(R.id.server_continue).performClick()
        waitUntil("the sign-in screen is started") { start.startedNext() != null }
        return start.follow(SignInActivity::class.java).get()
    }

    @Test
    fun the_school_login_opens_in_the_browser_and_its_answer_signs_in() {
        val student = ssoServer.plain("student")
        val signIn = signInScreenOf(ssoServer.url)
        val buttons = signIn.findViewById<View>(R.id.sign_in_sso).allTexts()
        assertEquals(listOf("Sign in with GitLab", "Sign in with OpenID"), buttons.sorted())
        assertEquals(View.VISIBLE, signIn.findViewById<View>(R.id.sign_in_password).visibility)

        val openId = signIn.findViewById<android.widget.LinearLayout>(R.id.sign_in_sso)
            .let { row -> (0 until row.childCount).map { row.getChildAt(it) as Button } }
            .first { it.text == "Sign in with OpenID" }
        openId.performClick()
        // Taken off the queue: the screen the callback starts comes next.
        val browser = shadowOf(signIn).nextStartedActivity
        assertEquals(Intent.ACTION_VIEW, browser.action)
        val url = browser.data.toString()
        assertTrue(url, url.startsWith(ssoServer.url.trimEnd('/') + "/oauth/openid/mobile_login?"))
        // Nothing signed in yet: the password never reaches the app.
        assertNull(app.client.currentUser())

        val back = signInInTheBrowser(url, student)
        assertTrue(back, back.startsWith(SsoCallbackActivity.CALLBACK))
        val callback = launch<SsoCallbackActivity>(Intent(Intent.ACTION_VIEW, Uri.parse(back))).get()
        waitUntil("signed in") { callback.startedNext() != null }
        callback.follow(ConsentActivity::class.java)
        assertEquals(student.username, app.client.currentUser()?.username)
    }

    @Test
    fun a_redirect_nobody_asked_for_signs_nobody_in() {
        val student = ssoServer.plain("student")
        val url = app.client.startSso(ssoServer.url, de.pausenhof.ffi.SsoProvider.OPEN_ID, SsoCallbackActivity.CALLBACK)
        val back = signInInTheBrowser(url, student)
        // The app was restarted meanwhile: the core no longer knows the sign-in.
        app.resetClient()
        val callback = launch<SsoCallbackActivity>(Intent(Intent.ACTION_VIEW, Uri.parse(back))).get()
        val error = callback.findViewById<TextView>(R.id.sso_error)
        waitUntil("the failure is said") { error.visibility == View.VISIBLE }
        assertEquals(app.getString(R.string.sso_interrupted), error.text.toString())
        assertNull(app.client.currentUser())
        callback.findViewById<Button>(R.id.sso_back).performClick()
        callback.follow(ServerActivity::class.java)
    }

    private fun termsAfterSignIn(account: Account): TermsActivity {
        val signIn = signInScreenOf(termsServer.url)
        signIn.findViewById<EditText>(R.id.sign_in_login).setText(account.username)
        signIn.findViewById<EditText>(R.id.sign_in_password).setText(account.password)
        signIn.findViewById<Button>(R.id.sign_in_button).performClick()
        waitUntil("signed in") { signIn.startedNext() != null }
        val terms = signIn.follow(TermsActivity::class.java).get()
        waitUntil("the terms are shown") { terms.findViewById<Button>(R.id.terms_accept).isEnabled }
        assertTrue(terms.screenText(), terms.screenText().contains("Sei freundlich."))
        return terms
    }

    @Test
    fun terms_of_service_come_first_and_accepting_them_goes_on() {
        val terms = termsAfterSignIn(termsServer.plain("student"))
        terms.findViewById<Button>(R.id.terms_accept).performClick()
        waitUntil("the app goes on") { terms.startedNext() != null }
        terms.follow(ConsentActivity::class.java)
        assertNull(runBlocking { app.client.pendingTermsOfService() })
    }

    @Test
    fun declining_the_terms_signs_out_and_starts_over() {
        val terms = termsAfterSignIn(termsServer.plain("teacher"))
        terms.findViewById<Button>(R.id.terms_decline).performClick()
        waitUntil("back to the start") { terms.startedNext() != null }
        terms.follow(ServerActivity::class.java)
        assertNull(app.client.currentUser())
    }

    companion object {
        @ClassRule
        @JvmField
        val sso = ServerRule("--sso")

        @ClassRule
        @JvmField
        val withTerms = ServerRule("--licensed", "--terms-of-service", "# Schulordnung\n\nSei **freundlich**.")

        val ssoServer: TestServer get() = sso.server
        val termsServer: TestServer get() = withTerms.server
    }
}
