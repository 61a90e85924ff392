package de.pausenhof.app

import android.app.AlertDialog
import android.content.Intent
import android.view.View
import android.widget.Button
import android.widget.EditText
import android.widget.ListView
import android.widget.TextView
import de.pausenhof.app.support.OtherUser
import de.pausenhof.app.support.ScreenTest
import de.pausenhof.app.support.TestApp
import de.pausenhof.app.support.launch
import de.pausenhof.app.support.screenText
import de.pausenhof.app.support.signIn
import de.pausenhof.app.support.waitUntil
import de.pausenhof.app.ui.ChannelActivity
import de.pausenhof.app.ui.HomeActivity
import de.pausenhof.app.ui.SidebarAdapter
import de.pausenhof.app.ui.ItemsAdapter
import de.pausenhof.client.support.DownableProxy
import de.pausenhof.ffi.LifecycleEvent
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.annotation.Config
import org.robolectric.shadows.ShadowDialog

@RunWith(RobolectricTestRunner::class)
@Config(application = TestApp::class, sdk = [21, 34])
class HomeAndChannelScreensTest : ScreenTest() {

    private fun HomeActivity.rows(): List<SidebarAdapter.Row> =
        (findViewById<ListView>(R.id.home_sidebar).adapter as SidebarAdapter).rows

    private fun HomeActivity.channelRow(channelId: String): SidebarAdapter.ChannelRow? {
        val list = findViewById<ListView>(R.id.home_sidebar)
        val position = rows().indexOfFirst { it is SidebarAdapter.Row.Channel && it.item.id == channelId }
        if (position < 0) return null
        return list.adapter.getView(position, null, list) as SidebarAdapter.ChannelRow
    }

    @Test
    fun the_sidebar_shows_teams_sections_and_channels_after_sync() {
        signIn(server.plain("student"))
        val home = launch<HomeActivity>().get()
        waitUntil("channels are listed") { home.rows().any { it is SidebarAdapter.Row.Channel } }
        val headers = home.rows().filterIsInstance<SidebarAdapter.Row.Header>().map { it.title }
        assertTrue(headers.toString(), "Channels" in headers)
        val teams = runBlocking { app.client.teams() }
        val text = home.screenText()
        teams.forEach { assertTrue("team ${it.displayName} shown", text.contains(it.displayName)) }
    }

    @Test
    fun a_mention_from_someone_else_shows_as_a_badge_while_watching() {
        val me = server.plain("student")
        signIn(me)
        OtherUser(server, server.plain("teacher")).use { teacher ->
            val channel = teacher.sharedChannel(app.client)
            val home = launch<HomeActivity>().get()
            waitUntil("the channel is listed") { home.channelRow(channel.id) != null }
            waitUntil("connected") { home.findViewById<TextView>(R.id.home_banner).visibility == View.GONE }

            teacher.post(channel.id, "@${me.username} bitte die Hausaufgaben abgeben")
            waitUntil("the mention badge shows") { home.channelRow(channel.id)!!.badge.visibility == View.VISIBLE }
            val row = home.channelRow(channel.id)!!
            assertEquals("1", row.badge.text.toString())
            assertTrue(row.contentDescription.toString(), row.contentDescription.contains("1 mention"))
        }
    }

    @Test
    fun a_muted_channel_is_dimmed() {
        signIn(server.plain("student"))
        val home = launch<HomeActivity>().get()
        waitUntil("channels are listed") { home.rows().any { it is SidebarAdapter.Row.Channel } }
        val channel = home.rows().filterIsInstance<SidebarAdapter.Row.Channel>().first().item
        runBlocking { app.client.setChannelMuted(channel.id, true) }
        waitUntil("the row is dimmed") { home.channelRow(channel.id)?.alpha == 0.5f }
        assertTrue(home.channelRow(channel.id)!!.contentDescription.contains("muted"))
    }

    private fun channelScreen(channelId: String, name: String = "Kanal") = launch<ChannelActivity>(
        Intent(app, ChannelActivity::class.java)
            .putExtra(ChannelActivity.EXTRA_CHANNEL_ID, channelId)
            .putExtra(ChannelActivity.EXTRA_CHANNEL_NAME, name),
    ).get()

    private fun ChannelActivity.posts(): ItemsAdapter {
        val list = findViewById<ListView>(R.id.channel_timeline)
        return (list.adapter as android.widget.HeaderViewListAdapter).wrappedAdapter as ItemsAdapter
    }

    private fun ChannelActivity.write(message: String) {
        findViewById<EditText>(R.id.channel_composer).setText(message)
        findViewById<Button>(R.id.channel_send).performClick()
    }

    private fun ChannelActivity.rowText(message: String): String {
        val adapter = posts()
        val position = adapter.indexOfMessage(message)
        check(position >= 0) { "no post \"$message\"" }
        val list = findViewById<ListView>(R.id.channel_timeline)
        return adapter.getView(position, null, list).contentDescription.toString()
    }

    @Test
    fun a_message_written_is_shown_and_reaches_the_others_and_their_answer_comes_live() {
        signIn(server.plain("student"))
        OtherUser(server, server.plain("teacher")).use { teacher ->
            val channel = teacher.sharedChannel(app.client)
            runBlocking { app.client.startRealtime() }
            val screen = channelScreen(channel.id, channel.displayName)
            waitUntil("the timeline is loaded") { screen.posts().messages().isNotEmpty() }

            screen.write("Ich habe eine Frage zu Aufgabe 3")
            assertEquals("", screen.findViewById<EditText>(R.id.channel_composer).text.toString())
            waitUntil("my message is shown") { "Ich habe eine Frage zu Aufgabe 3" in screen.posts().messages() }
            waitUntil("it is delivered") { !screen.rowText("Ich habe eine Frage zu Aufgabe 3").contains("Sending") }
            assertEquals(1, teacher.copiesOnServer(channel.id, "Ich habe eine Frage zu Aufgabe 3"))

            teacher.post(channel.id, "Frag gerne! **Wichtig:** S. 42")
            waitUntil("the answer arrives live") { "Frag gerne! Wichtig: S. 42" in screen.posts().messages() }
            // The core's items: today's day separator above, Markdown drawn as styled text.
            val items = screen.posts().items
            assertTrue(items.any { it.kind is de.pausenhof.ffi.TimelineItemKind.DaySeparator })
            val list = screen.findViewById<ListView>(R.id.channel_timeline)
            val row = screen.posts().getView(screen.posts().indexOfMessage("Frag gerne! Wichtig: S. 42"), null, list)
            val body = ((row as android.view.ViewGroup).getChildAt(1) as TextView).text as android.text.Spanned
            val bold = body.getSpans(0, body.length, android.text.style.StyleSpan::class.java)
            assertTrue("bold span for **Wichtig:**", bold.any { it.style == android.graphics.Typeface.BOLD })
        }
    }

    @Test
    fun a_message_written_offline_is_shown_pending_then_delivered_once() {
        val student = server.plain("student")
        DownableProxy(server.port).use { proxy ->
            runBlocking {
                app.client.signInWithPassword(proxy.url, student.username, student.password, null)
                app.client.declinePushConsent()
                app.client.sync()
            }
            OtherUser(server, server.plain("teacher")).use { teacher ->
                val channel = teacher.sharedChannel(app.client)
                runBlocking { app.client.startRealtime() }
                val screen = channelScreen(channel.id)
                waitUntil("the timeline is loaded") { screen.posts().messages().isNotEmpty() }

                proxy.down()
                app.client.lifecycle(LifecycleEvent.NetworkDown)
                screen.write("Im Tunnel geschrieben")
                waitUntil("shown as pending") {
                    "Im Tunnel geschrieben" in screen.posts().messages() &&
                        screen.rowText("Im Tunnel geschrieben").contains(app.getString(R.string.post_pending))
                }

                proxy.up()
                app.client.lifecycle(LifecycleEvent.NetworkUp)
                waitUntil("delivered", timeoutMs = 40_000) {
                    runBlocking { app.client.pendingSends().isEmpty() } &&
                        !screen.rowText("Im Tunnel geschrieben").contains(app.getString(R.string.post_pending))
                }
                assertEquals(1, teacher.copiesOnServer(channel.id, "Im Tunnel geschrieben"))
            }
        }
    }

    @Test
    fun long_press_reacts_and_deletes_an_own_message() {
        signIn(server.plain("student"))
        OtherUser(server, server.plain("teacher")).use { teacher ->
            val channel = teacher.sharedChannel(app.client)
            runBlocking { app.client.startRealtime() }
            val screen = channelScreen(channel.id)
            screen.write("Das lösche ich gleich")
            waitUntil("delivered") {
                "Das lösche ich gleich" in screen.posts().messages() &&
                    runBlocking { app.client.pendingSends().isEmpty() }
            }
            waitUntil("the server's copy replaced the echo") {
                !screen.rowText("Das lösche ich gleich").contains(app.getString(R.string.post_pending))
            }

            longPress(screen, "Das lösche ich gleich")
            chooseAction(app.getString(R.string.action_react))
            waitUntil("the reaction shows") { screen.rowText("Das lösche ich gleich").contains("👍 1") }

            longPress(screen, "Das lösche ich gleich")
            chooseAction(app.getString(R.string.action_delete))
            waitUntil("the message is gone for everyone") {
                "Das lösche ich gleich" !in screen.posts().messages()
            }
        }
    }

    private fun longPress(screen: ChannelActivity, message: String) {
        val list = screen.findViewById<ListView>(R.id.channel_timeline)
        val position = screen.posts().indexOfMessage(message) + list.headerViewsCount
        list.onItemLongClickListener.onItemLongClick(list, null, position, 0)
    }

    private fun chooseAction(label: String) {
        val dialog = ShadowDialog.getLatestDialog() as AlertDialog
        val items = dialog.listView
        val index = (0 until items.adapter.count).first { items.adapter.getItem(it).toString() == label }
        items.performItemClick(null, index, 0)
        waitUntil("the dialog closes") { !dialog.isShowing }
    }
}
