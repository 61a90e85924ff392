package de.pausenhof.app

import android.app.AlertDialog
import android.content.Intent
import android.os.Looper
import android.widget.Button
import android.widget.CheckBox
import android.widget.EditText
import android.widget.ListView
import android.widget.Switch
import de.pausenhof.app.support.OtherUser
import de.pausenhof.app.support.ScreenTest
import de.pausenhof.app.support.TestApp
import de.pausenhof.app.support.follow
import de.pausenhof.app.support.launch
import de.pausenhof.app.support.screenText
import de.pausenhof.app.support.signIn
import de.pausenhof.app.support.waitUntil
import de.pausenhof.app.ui.ChannelActivity
import de.pausenhof.app.ui.ChannelBrowserActivity
import de.pausenhof.app.ui.ChannelInfoActivity
import de.pausenhof.app.ui.ChannelMembersActivity
import de.pausenhof.app.ui.CreateChannelActivity
import de.pausenhof.app.ui.HomeActivity
import de.pausenhof.app.ui.TwoLineAdapter
import de.pausenhof.ffi.ChannelKind
import de.pausenhof.ffi.ChannelSummary
import de.pausenhof.ffi.FoundPerson
import de.pausenhof.ffi.PushLevel
import java.time.Duration
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config
import org.robolectric.fakes.RoboMenu
import org.robolectric.shadows.ShadowDialog

@RunWith(RobolectricTestRunner::class)
@Config(application = TestApp::class, sdk = [34])
class ChannelScreensTest : ScreenTest() {

    private fun sidebarHas(channelId: String): Boolean = runBlocking {
        app.client.teams().any { team -> app.client.channelList(team.id).flatMap { it.channels }.any { it.id == channelId } }
    }

    @Suppress("UNCHECKED_CAST")
    private fun ChannelBrowserActivity.channels(): List<ChannelSummary> =
        (findViewById<ListView>(R.id.browse_list).adapter as TwoLineAdapter<ChannelSummary>).items

    private fun openBrowserFromHome(): ChannelBrowserActivity {
        val home = launch<HomeActivity>().get()
        waitUntil("the teams are known") { runBlocking { app.client.teams() }.isNotEmpty() }
        shadowOf(home).clickMenuItem(R.id.menu_browse)
        return home.follow(ChannelBrowserActivity::class.java).get()
    }

    @Test
    fun a_public_channel_found_by_name_is_joined_with_a_tap_and_shows_in_the_sidebar() {
        signIn(server.plain("student"))
        val teamId = runBlocking { app.client.teams().first().id }
        OtherUser(server, server.plain("teacher")).use { teacher ->
            val theater = runBlocking { teacher.client.createChannel(teamId, "Theater AG Probe", false, "Proben dienstags") }
            val browser = openBrowserFromHome()
            waitUntil("public channels are listed") { browser.channels().isNotEmpty() }

            browser.findViewById<EditText>(R.id.browse_field).setText("theater")
            // The screen asks only once typing pauses; the main looper's clock moves only when told.
            shadowOf(Looper.getMainLooper()).idleFor(Duration.ofMillis(500))
            waitUntil("only matching channels are listed") {
                browser.channels().any { it.id == theater.id } && browser.channels().all { it.displayName.contains("Theater", ignoreCase = true) }
            }
            val position = browser.channels().indexOfFirst { it.id == theater.id }
            val list = browser.findViewById<ListView>(R.id.browse_list)
            val row = list.adapter.getView(position, null, list)
            assertTrue(row.contentDescription.toString(), row.contentDescription.contains("Proben dienstags"))
            browser.findViewById<ListView>(R.id.browse_list).performItemClick(null, position, 0)

            waitUntil("the channel opens") { shadowOf(browser).peekNextStartedActivity() != null }
            val channel = browser.follow(ChannelActivity::class.java).get()
            assertEquals("Theater AG Probe", channel.title.toString())
            assertTrue("joined: in the sidebar", sidebarHas(theater.id))
        }
    }

    @Test
    fun a_private_channel_is_created_and_opened() {
        signIn(server.plain("student"))
        val browser = openBrowserFromHome()
        browser.findViewById<Button>(R.id.browse_create).performClick()
        val create = browser.follow(CreateChannelActivity::class.java).get()

        create.findViewById<Button>(R.id.create_button).performClick()
        assertEquals(app.getString(R.string.create_name_missing), create.findViewById<EditText>(R.id.create_name).error)

        create.findViewById<EditText>(R.id.create_name).setText("Lerngruppe Mathe")
        create.findViewById<EditText>(R.id.create_purpose).setText("Für die Klausur")
        create.findViewById<CheckBox>(R.id.create_private).performClick()
        create.findViewById<Button>(R.id.create_button).performClick()
        waitUntil("the new channel opens") { shadowOf(create).peekNextStartedActivity() != null }
        val channel = create.follow(ChannelActivity::class.java).get()
        assertEquals("Lerngruppe Mathe", channel.title.toString())

        val channelId = channel.intent.getStringExtra(ChannelActivity.EXTRA_CHANNEL_ID)!!
        val info = runBlocking { app.client.channelInfo(channelId) }
        assertEquals(ChannelKind.PRIVATE, info.summary.kind)
        assertTrue(sidebarHas(channelId))
    }

    private fun channelScreen(channelId: String) = runBlocking { app.client.startRealtime() }.let { launch<ChannelActivity>(
        Intent(app, ChannelActivity::class.java).putExtra(ChannelActivity.EXTRA_CHANNEL_ID, channelId),
    ).get() }

    /** The mute entry as the action bar would draw it now. */
    private fun ChannelActivity.muteTitle(): String? {
        val menu = RoboMenu(this)
        onCreateOptionsMenu(menu)
        onPrepareOptionsMenu(menu)
        return menu.findItem(R.id.menu_channel_mute)?.title?.toString()
    }

    @Test
    fun mute_and_leave_are_one_tap_away_in_the_channel_menu() {
        signIn(server.plain("student"))
        OtherUser(server, server.plain("teacher")).use { teacher ->
            val channel = teacher.sharedChannel(app.client)
            val screen = channelScreen(channel.id)
            waitUntil("the menu offers muting") { screen.muteTitle() == app.getString(R.string.channel_mute) }

            shadowOf(screen).clickMenuItem(R.id.menu_channel_mute)
            waitUntil("muted") { runBlocking { app.client.channelInfo(channel.id).muted } }
            waitUntil("the menu offers unmuting") { screen.muteTitle() == app.getString(R.string.channel_unmute) }

            shadowOf(screen).clickMenuItem(R.id.menu_channel_leave)
            waitUntil("the screen closes") { screen.isFinishing }
            assertTrue("gone from the sidebar", !sidebarHas(channel.id))
        }
    }

    @Test
    fun channel_info_shows_members_and_sets_favorite_and_notification_level() {
        signIn(server.plain("student"))
        OtherUser(server, server.plain("teacher")).use { teacher ->
            val channel = teacher.sharedChannel(app.client)
            val screen = channelScreen(channel.id)
            shadowOf(screen).clickMenuItem(R.id.menu_channel_info)
            val info = screen.follow(ChannelInfoActivity::class.java).get()
            val members = info.findViewById<Button>(R.id.info_members)
            waitUntil("the member count shows") { members.text.isNotEmpty() }
            val count = runBlocking { app.client.channelInfo(channel.id).memberCount }
            assertEquals(app.getString(R.string.info_members, count.toInt()), members.text.toString())

            // The school may have made it a favorite already: the tap turns it the other way.
            val favorite = info.findViewById<Switch>(R.id.info_favorite)
            val wasFavorite = runBlocking { app.client.channelInfo(channel.id).favorite }
            assertEquals(wasFavorite, favorite.isChecked)
            favorite.performClick()
            waitUntil("the favorite state turned") { runBlocking { app.client.channelInfo(channel.id).favorite } != wasFavorite }

            info.findViewById<Button>(R.id.info_push_level).performClick()
            val dialog = ShadowDialog.getLatestDialog() as AlertDialog
            dialog.listView.performItemClick(null, PushLevel.entries.indexOf(PushLevel.MENTIONS), 0)
            waitUntil("only mentions notify") { runBlocking { app.client.channelInfo(channel.id).pushLevel } == PushLevel.MENTIONS }
            waitUntil("the level is shown") {
                info.findViewById<Button>(R.id.info_push_level).text.contains(app.getString(R.string.push_level_mentions))
            }

            members.performClick()
            val list = info.follow(ChannelMembersActivity::class.java).get()
            val teacherName = teacher.client.currentUser()!!.username
            @Suppress("UNCHECKED_CAST")
            val adapter = list.findViewById<ListView>(R.id.members_list).adapter as TwoLineAdapter<FoundPerson>
            waitUntil("the teacher is listed") { adapter.items.any { it.username == teacherName } }
        }
    }
}
