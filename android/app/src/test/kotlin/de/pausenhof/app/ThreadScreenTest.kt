package de.pausenhof.app

import android.app.AlertDialog
import android.content.Intent
import android.widget.Button
import android.widget.EditText
import android.widget.HeaderViewListAdapter
import android.widget.ListView
import de.pausenhof.app.support.OtherUser
import de.pausenhof.app.support.ScreenTest
import de.pausenhof.app.support.TestApp
import de.pausenhof.app.support.follow
import de.pausenhof.app.support.launch
import de.pausenhof.app.support.signIn
import de.pausenhof.app.support.waitUntil
import de.pausenhof.app.ui.ChannelActivity
import de.pausenhof.app.ui.ItemsAdapter
import de.pausenhof.app.ui.ThreadActivity
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.annotation.Config
import org.robolectric.shadows.ShadowDialog

@RunWith(RobolectricTestRunner::class)
@Config(application = TestApp::class, sdk = [34])
class ThreadScreenTest : ScreenTest() {

    private fun channelScreen(channelId: String) = launch<ChannelActivity>(
        Intent(app, ChannelActivity::class.java).putExtra(ChannelActivity.EXTRA_CHANNEL_ID, channelId),
    ).get()

    private fun ChannelActivity.timeline(): ListView = findViewById(R.id.channel_timeline)

    private fun ChannelActivity.positionOf(message: String): Int {
        val adapter = (timeline().adapter as HeaderViewListAdapter).wrappedAdapter as ItemsAdapter
        val index = adapter.indexOfMessage(message)
        return if (index < 0) -1 else index + timeline().headerViewsCount
    }

    private fun ThreadActivity.posts(): ItemsAdapter =
        findViewById<ListView>(R.id.thread_posts).adapter as ItemsAdapter

    private fun ThreadActivity.write(message: String) {
        findViewById<EditText>(R.id.thread_composer).setText(message)
        findViewById<Button>(R.id.thread_send).performClick()
    }

    @Test
    fun tapping_a_post_opens_its_thread_and_a_reply_reaches_the_other_user() {
        signIn(server.plain("student"))
        OtherUser(server, server.plain("teacher")).use { teacher ->
            val channel = teacher.sharedChannel(app.client)
            teacher.post(channel.id, "Wer kommt mit zur Exkursion?")
            val root = runBlocking {
                teacher.client.timeline(channel.id, 20u).posts.last { it.message == "Wer kommt mit zur Exkursion?" }
            }
            runBlocking { teacher.client.sendPost(channel.id, root.id, "Bitte bis Freitag melden") }
            waitUntil("the teacher's reply is on the server") { runBlocking { teacher.client.pendingSends().isEmpty() } }
            runBlocking {
                app.client.sync()
                app.client.startRealtime()
            }

            val screen = channelScreen(channel.id)
            waitUntil("the root shows") { screen.positionOf("Wer kommt mit zur Exkursion?") >= 0 }
            screen.timeline().performItemClick(null, screen.positionOf("Wer kommt mit zur Exkursion?"), 0)
            val thread = screen.follow(ThreadActivity::class.java).get()
            waitUntil("root and reply are shown") {
                thread.posts().messages().containsAll(
                    listOf("Wer kommt mit zur Exkursion?", "Bitte bis Freitag melden"),
                )
            }
            assertEquals("Wer kommt mit zur Exkursion?", thread.posts().messages().first())

            thread.write("Ich komme mit!")
            assertEquals("", thread.findViewById<EditText>(R.id.thread_composer).text.toString())
            waitUntil("my reply shows in the thread") { "Ich komme mit!" in thread.posts().messages() }
            waitUntil("the teacher sees the reply in the thread") {
                runBlocking { teacher.client.loadThread(root.id).replies.any { it.message == "Ich komme mit!" } }
            }
        }
    }

    @Test
    fun reply_from_the_long_press_menu_opens_the_thread_of_a_post_without_replies() {
        signIn(server.plain("student"))
        OtherUser(server, server.plain("teacher")).use { teacher ->
            val channel = teacher.sharedChannel(app.client)
            teacher.post(channel.id, "Heute fällt Sport aus")
            runBlocking {
                app.client.sync()
                app.client.startRealtime()
            }
            val screen = channelScreen(channel.id)
            waitUntil("the post shows") { screen.positionOf("Heute fällt Sport aus") >= 0 }
            val list = screen.timeline()
            list.onItemLongClickListener.onItemLongClick(list, null, screen.positionOf("Heute fällt Sport aus"), 0)
            val dialog = ShadowDialog.getLatestDialog() as AlertDialog
            val items = dialog.listView
            val reply = (0 until items.adapter.count).first { items.adapter.getItem(it).toString() == app.getString(R.string.action_reply) }
            items.performItemClick(null, reply, 0)

            val thread = screen.follow(ThreadActivity::class.java).get()
            waitUntil("the root is shown") { thread.posts().messages().singleOrNull() == "Heute fällt Sport aus" }
            thread.write("Danke für die Info")
            val rootId = thread.posts().post(thread.posts().indexOfMessage("Heute fällt Sport aus"))!!.postId
            waitUntil("the teacher sees the reply") {
                runBlocking { teacher.client.loadThread(rootId).replies.any { it.message == "Danke für die Info" } }
            }
        }
    }
}
