package de.pausenhof.app

import android.content.Intent
import android.widget.Button
import android.widget.LinearLayout
import android.widget.TextView
import de.pausenhof.app.support.ScreenTest
import de.pausenhof.app.support.TestApp
import de.pausenhof.app.support.launch
import de.pausenhof.app.support.signIn
import de.pausenhof.app.support.startedNext
import de.pausenhof.app.support.waitUntil
import de.pausenhof.app.ui.HomeActivity
import de.pausenhof.app.ui.LaunchActivity
import de.pausenhof.app.ui.ServerActivity
import de.pausenhof.app.ui.SettingsActivity
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config

@RunWith(RobolectricTestRunner::class)
@Config(application = TestApp::class, sdk = [34])
class AccountsScreenTest : ScreenTest() {

    private fun rows(settings: SettingsActivity): List<String> {
        val list = settings.findViewById<LinearLayout>(R.id.settings_accounts)
        return (0 until list.childCount).map { list.getChildAt(it) }
            .filter { it !is Button && it is TextView }
            .map { (it as TextView).text.toString() }
    }

    @Test
    fun settings_lists_the_accounts_switches_to_one_and_signs_out_of_another() {
        val student = server.plain("student")
        val teacher = server.plain("teacher")
        signIn(student)
        signIn(teacher)
        val keys = app.client.accounts().associate { it.username to it.key }
        assertEquals(keys[teacher.username], app.client.activeAccountKey())

        val settings = launch<SettingsActivity>().get()
        val shown = rows(settings)
        assertEquals(shown.toString(), 2, shown.size)
        assertTrue(shown.toString(), shown.any { it.contains("@${student.username}") })

        val add = settings.findViewById<Button>(R.id.settings_add_account)
        add.performClick()
        val toServer = shadowOf(settings).nextStartedActivity
        assertEquals(ServerActivity::class.java.name, toServer.component!!.className)

        settings.findViewById<LinearLayout>(R.id.settings_accounts)
            .findViewWithTag<Button>("switch:${keys[student.username]}")
            .performClick()
        waitUntil("the student's account is shown") {
            settings.startedNext()?.component?.className == HomeActivity::class.java.name
        }
        assertEquals(keys[student.username], app.client.activeAccountKey())
        assertEquals(student.username, app.client.currentUser()?.username)

        val again = launch<SettingsActivity>().get()
        again.findViewById<LinearLayout>(R.id.settings_accounts)
            .findViewWithTag<Button>("sign-out:${keys[teacher.username]}")
            .performClick()
        waitUntil("only the student's account is left") { rows(again).size == 1 }
        assertEquals(listOf(student.username), app.client.accounts().map { it.username })
        assertEquals(keys[student.username], app.client.activeAccountKey())
    }

    @Test
    fun signing_out_of_the_shown_account_shows_the_other() {
        val student = server.plain("student")
        val teacher = server.plain("teacher")
        signIn(student)
        signIn(teacher)
        val settings = launch<SettingsActivity>().get()
        settings.findViewById<Button>(R.id.settings_sign_out).performClick()
        waitUntil("the other account is shown") { settings.startedNext() != null }
        assertEquals(HomeActivity::class.java.name, settings.startedNext()!!.component!!.className)
        assertEquals(student.username, app.client.currentUser()?.username)
    }

    @Test
    fun a_tapped_notification_of_the_other_account_opens_it_there() {
        val student = server.plain("student")
        val teacher = server.plain("teacher")
        signIn(student)
        signIn(teacher)
        val studentKey = app.client.accounts().first { it.username == student.username }.key
        val tap = Intent(app, LaunchActivity::class.java)
            .putExtra(LaunchActivity.EXTRA_ACCOUNT_KEY, studentKey)
            .putExtra(LaunchActivity.EXTRA_CHANNEL_ID, "c1c1c1c1c1c1c1c1c1c1c1c1c1")
        val launch = launch<LaunchActivity>(tap).get()
        waitUntil("the conversation opens") { launch.startedNext() != null }
        assertEquals(studentKey, app.client.activeAccountKey())
        assertEquals(student.username, app.client.currentUser()?.username)
    }
}
