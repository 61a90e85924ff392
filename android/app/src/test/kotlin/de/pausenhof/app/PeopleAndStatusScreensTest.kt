package de.pausenhof.app

import android.os.Looper
import android.widget.Button
import android.widget.EditText
import android.widget.ListView
import android.widget.TextView
import de.pausenhof.app.support.OtherUser
import de.pausenhof.app.support.ScreenTest
import de.pausenhof.app.support.TestApp
import de.pausenhof.app.support.follow
import de.pausenhof.app.support.launch
import de.pausenhof.app.support.signIn
import de.pausenhof.app.support.waitUntil
import de.pausenhof.app.ui.ChannelActivity
import de.pausenhof.app.ui.HomeActivity
import de.pausenhof.app.ui.PeopleActivity
import de.pausenhof.app.ui.ProfileActivity
import de.pausenhof.app.ui.StatusActivity
import de.pausenhof.app.ui.TwoLineAdapter
import de.pausenhof.ffi.FoundPerson
import de.pausenhof.ffi.Presence
import java.time.Duration
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config

@RunWith(RobolectricTestRunner::class)
@Config(application = TestApp::class, sdk = [34])
class PeopleAndStatusScreensTest : ScreenTest() {

    @Suppress("UNCHECKED_CAST")
    private fun PeopleActivity.found(): List<FoundPerson> =
        (findViewById<ListView>(R.id.people_list).adapter as TwoLineAdapter<FoundPerson>).items

    /** The screen asks only once typing pauses; the main looper's clock moves only when told. */
    private fun typingPause() = shadowOf(Looper.getMainLooper()).idleFor(Duration.ofMillis(500))

    @Test
    fun a_teacher_found_by_name_gets_a_direct_message() {
        signIn(server.plain("student"))
        OtherUser(server, server.plain("teacher")).use { teacher ->
            val me = teacher.client.currentUser()!!
            runBlocking { app.client.startRealtime() }
            val home = launch<HomeActivity>().get()
            shadowOf(home).clickMenuItem(R.id.menu_people)
            val people = home.follow(PeopleActivity::class.java).get()

            people.findViewById<EditText>(R.id.people_field).setText(me.lastName)
            typingPause()
            waitUntil("the teacher is found") { people.found().any { it.id == me.id } }
            people.findViewById<ListView>(R.id.people_list)
                .performItemClick(null, people.found().indexOfFirst { it.id == me.id }, 0)

            val profile = people.follow(ProfileActivity::class.java).get()
            val message = profile.findViewById<Button>(R.id.profile_message)
            waitUntil("the card is shown") { message.visibility == android.view.View.VISIBLE }
            assertTrue(profile.findViewById<TextView>(R.id.profile_name).text.contains(me.lastName))
            assertTrue(profile.findViewById<TextView>(R.id.profile_details).text.contains("@${me.username}"))

            message.performClick()
            waitUntil("the direct message opens") { shadowOf(profile).peekNextStartedActivity() != null }
            val dm = profile.follow(ChannelActivity::class.java).get()
            val channelId = dm.intent.getStringExtra(ChannelActivity.EXTRA_CHANNEL_ID)!!
            dm.findViewById<EditText>(R.id.channel_composer).setText("Guten Tag, darf ich morgen später kommen?")
            dm.findViewById<Button>(R.id.channel_send).performClick()
            waitUntil("sent") { runBlocking { app.client.pendingSends().isEmpty() } }
            waitUntil("the teacher has it") {
                runCatching { teacher.copiesOnServer(channelId, "Guten Tag, darf ich morgen später kommen?") }.getOrNull() == 1
            }
        }
    }

    @Test
    fun the_own_status_is_shown_and_changed() {
        signIn(server.plain("student"))
        val screen = launch<StatusActivity>().get()
        val current = screen.findViewById<TextView>(R.id.status_current)
        waitUntil("the status is shown") { current.text.isNotEmpty() }

        screen.findViewById<Button>(R.id.status_away).performClick()
        waitUntil("away") { runBlocking { app.client.ownStatus() } == Presence.AWAY }
        waitUntil("shown as away") { current.text.contains(app.getString(R.string.presence_away)) }

        screen.findViewById<Button>(R.id.status_dnd_hour).performClick()
        waitUntil("do not disturb") { runBlocking { app.client.ownStatus() } == Presence.DO_NOT_DISTURB }
        waitUntil("shown as do not disturb") { current.text.contains(app.getString(R.string.presence_dnd)) }

        screen.findViewById<Button>(R.id.status_dnd_tomorrow).performClick()
        waitUntil("the change is done") { runBlocking { app.client.ownStatus() } == Presence.DO_NOT_DISTURB }
        screen.findViewById<Button>(R.id.status_online).performClick()
        waitUntil("online again") { runBlocking { app.client.ownStatus() } == Presence.ONLINE }
        waitUntil("shown as online") {
            current.text.toString() == app.getString(R.string.status_current, app.getString(R.string.presence_online))
        }
        assertEquals(Presence.ONLINE, runBlocking { app.client.ownStatus() })
    }
}
