package de.pausenhof.app

import android.view.View
import android.widget.Button
import android.widget.RadioButton
import android.widget.TextView
import de.pausenhof.app.support.ScreenTest
import de.pausenhof.app.support.TestApp
import de.pausenhof.app.support.follow
import de.pausenhof.app.support.installDistributor
import de.pausenhof.app.support.launch
import de.pausenhof.app.support.screenText
import de.pausenhof.app.support.signIn
import de.pausenhof.app.support.startedNext
import de.pausenhof.app.support.waitUntil
import de.pausenhof.app.ui.ConsentActivity
import de.pausenhof.app.ui.HomeActivity
import de.pausenhof.app.ui.SettingsActivity
import de.pausenhof.ffi.ConsentState
import de.pausenhof.ffi.Delivery
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.annotation.Config

@RunWith(RobolectricTestRunner::class)
@Config(application = TestApp::class, sdk = [34])
class ConsentScreensTest : ScreenTest() {

    private fun consent() = runBlocking { app.client.pushStatus().consent }

    private fun log() = runBlocking { app.client.pushConsentLog() }

    @Test
    fun confirming_without_a_choice_records_nothing() {
        signIn(server.plain("student"), decide = false)
        val screen = launch<ConsentActivity>().get()
        screen.findViewById<Button>(R.id.consent_confirm).performClick()
        val error = screen.findViewById<TextView>(R.id.consent_error)
        assertEquals(View.VISIBLE, error.visibility)
        assertEquals(app.getString(R.string.consent_choose_first), error.text.toString())
        assertTrue(consent() is ConsentState.NotAsked)
        assertTrue(log().isEmpty())
    }

    @Test
    fun without_a_distributor_unifiedpush_cannot_be_chosen() {
        signIn(server.plain("student"), decide = false)
        val screen = launch<ConsentActivity>().get()
        assertFalse(screen.findViewById<RadioButton>(R.id.consent_unifiedpush).isEnabled)
        assertTrue(screen.screenText().contains(app.getString(R.string.consent_unifiedpush_none)))
    }

    @Test
    fun installed_distributors_are_listed_by_name() {
        installDistributor("io.heckel.ntfy", "ntfy")
        signIn(server.plain("student"), decide = false)
        val screen = launch<ConsentActivity>().get()
        assertTrue(screen.findViewById<RadioButton>(R.id.consent_unifiedpush).isEnabled)
        assertTrue(screen.screenText().contains("ntfy"))
    }

    @Test
    fun declining_records_the_decision_and_opens_the_app() {
        signIn(server.plain("student"), decide = false)
        val screen = launch<ConsentActivity>().get()
        screen.findViewById<RadioButton>(R.id.consent_none).performClick()
        screen.findViewById<Button>(R.id.consent_confirm).performClick()
        waitUntil("the app opens") { screen.startedNext() != null }
        screen.follow(HomeActivity::class.java)
        assertTrue(consent() is ConsentState.Declined)
        assertEquals(1, log().size)
    }

    @Test
    fun the_school_server_only_choice_is_granted_shown_in_settings_and_withdrawn_there() {
        signIn(server.plain("student"), decide = false)
        val screen = launch<ConsentActivity>().get()
        screen.findViewById<RadioButton>(R.id.consent_background).performClick()
        screen.findViewById<Button>(R.id.consent_confirm).performClick()
        waitUntil("the app opens") { screen.startedNext() != null }
        val granted = consent()
        assertTrue(granted is ConsentState.Granted)
        granted as ConsentState.Granted
        assertEquals(Delivery.BACKGROUND_CONNECTION, granted.delivery)
        assertEquals(ConsentActivity.CONSENT_TEXT_VERSION, granted.consentTextVersion)

        val settings = launch<SettingsActivity>().get()
        val shown = settings.findViewById<TextView>(R.id.settings_consent)
        waitUntil("the decision is shown") { shown.text.isNotEmpty() }
        assertTrue(shown.text.toString(), shown.text.startsWith("On, through your school's server only"))
        val withdraw = settings.findViewById<Button>(R.id.settings_withdraw)
        assertEquals(View.VISIBLE, withdraw.visibility)

        withdraw.performClick()
        waitUntil("withdrawn") { shown.text.startsWith("Off (withdrawn") }
        assertTrue(consent() is ConsentState.Withdrawn)
        assertEquals(View.GONE, withdraw.visibility)
        assertEquals(2, log().size)
        waitUntil("the log shows both decisions") {
            settings.screenText().contains(app.getString(R.string.settings_consent_log, 2))
        }
    }
}
