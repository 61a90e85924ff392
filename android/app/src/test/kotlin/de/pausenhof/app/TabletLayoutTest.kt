package de.pausenhof.app

import android.view.View
import android.widget.Button
import android.widget.EditText
import android.widget.FrameLayout
import android.widget.ListView
import de.pausenhof.app.support.ScreenTest
import de.pausenhof.app.support.TestApp
import de.pausenhof.app.support.launch
import de.pausenhof.app.support.signIn
import de.pausenhof.app.support.waitUntil
import de.pausenhof.app.ui.HomeActivity
import de.pausenhof.app.ui.ItemsAdapter
import de.pausenhof.app.ui.SidebarAdapter
import de.pausenhof.ffi.ChannelKind
import de.pausenhof.ffi.ChannelListItem
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config

/** A teacher's iPad-sized Android tablet: the sidebar and the conversation side by side in one screen. */
@RunWith(RobolectricTestRunner::class)
@Config(application = TestApp::class, sdk = [34], qualifiers = "sw800dp-w1280dp-h800dp-land")
class TabletLayoutTest : ScreenTest() {

    private fun HomeActivity.channels(): List<ChannelListItem> =
        (findViewById<ListView>(R.id.home_sidebar).adapter as SidebarAdapter).rows
            .filterIsInstance<SidebarAdapter.Row.Channel>().map { it.item }

    private fun HomeActivity.tap(channel: ChannelListItem) {
        val list = findViewById<ListView>(R.id.home_sidebar)
        val position = (list.adapter as SidebarAdapter).rows.indexOfFirst { it is SidebarAdapter.Row.Channel && it.item.id == channel.id }
        list.performItemClick(list.adapter.getView(position, null, list), position, list.adapter.getItemId(position))
    }

    private fun HomeActivity.conversation(): FrameLayout = findViewById(R.id.home_conversation)

    private fun HomeActivity.messages(): List<String> {
        val list = conversation().findViewById<ListView>(R.id.channel_timeline) ?: return emptyList()
        return ((list.adapter as android.widget.HeaderViewListAdapter).wrappedAdapter as ItemsAdapter).messages()
    }

    /** One that may be left: the server keeps everyone in Town Square. */
    private fun HomeActivity.chooseAPublicChannel(): ChannelListItem {
        val leavable = { item: ChannelListItem -> item.kind == ChannelKind.PUBLIC && item.name != "town-square" }
        waitUntil("channels are listed") { channels().any(leavable) }
        return channels().first(leavable)
    }

    @Test
    fun a_channel_opens_beside_the_sidebar_and_a_message_is_sent_from_there() {
        signIn(server.plain("teacher"))
        val home = launch<HomeActivity>().get()
        assertEquals(View.VISIBLE, home.findViewById<View>(R.id.home_no_conversation).visibility)
        val channel = home.chooseAPublicChannel()

        home.tap(channel)
        assertNull("no screen of its own on a tablet", shadowOf(home).nextStartedActivity)
        assertEquals(channel.displayName, home.title.toString())
        assertTrue("the sidebar stays", home.findViewById<ListView>(R.id.home_sidebar).isShown)
        home.conversation().findViewById<EditText>(R.id.channel_composer).setText("Die Klausur ist am Freitag")
        home.conversation().findViewById<Button>(R.id.channel_send).performClick()
        waitUntil("shown and delivered") {
            "Die Klausur ist am Freitag" in home.messages() && runBlocking { app.client.pendingSends().isEmpty() }
        }
        val onServer = runBlocking {
            app.client.loadOlder(channel.id)
            app.client.timeline(channel.id, 50u).posts.count { it.message == "Die Klausur ist am Freitag" }
        }
        assertEquals(1, onServer)
    }

    @Test
    fun the_open_channel_survives_rotation_and_leaving_it_empties_the_pane() {
        signIn(server.plain("student"))
        val controller = launch<HomeActivity>()
        val channel = controller.get().chooseAPublicChannel()
        controller.get().tap(channel)
        waitUntil("the timeline is loaded") { controller.get().messages().isNotEmpty() }

        controller.recreate()
        val home = controller.get()
        assertEquals(channel.displayName, home.title.toString())
        waitUntil("the same channel is shown again") { home.messages().isNotEmpty() }

        // The netiquette's tools sit in Home's menu while a conversation is open.
        shadowOf(home).clickMenuItem(R.id.menu_channel_leave)
        waitUntil("the pane is empty again") { home.findViewById<View>(R.id.home_no_conversation) != null }
        assertFalse("Home stays open", home.isFinishing)
        assertEquals(home.getString(R.string.app_name), home.title.toString())
        waitUntil("gone from the sidebar") { home.channels().none { it.id == channel.id } }
    }
}
