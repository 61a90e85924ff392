package de.pausenhof.app

import android.app.AlertDialog
import android.widget.ListView
import android.widget.TextView
import de.pausenhof.app.support.OtherUser
import de.pausenhof.app.support.ScreenTest
import de.pausenhof.app.support.TestApp
import de.pausenhof.app.support.follow
import de.pausenhof.app.support.launch
import de.pausenhof.app.support.signIn
import de.pausenhof.app.support.waitUntil
import de.pausenhof.app.ui.HomeActivity
import de.pausenhof.app.ui.ItemsAdapter
import de.pausenhof.app.ui.ThreadActivity
import de.pausenhof.app.ui.ThreadsActivity
import de.pausenhof.app.ui.TwoLineAdapter
import de.pausenhof.ffi.Client
import de.pausenhof.ffi.FollowedThread
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config
import org.robolectric.shadows.ShadowDialog

@RunWith(RobolectricTestRunner::class)
@Config(application = TestApp::class, sdk = [34])
class ThreadsScreenTest : ScreenTest() {

    private fun ThreadsActivity.list(): ListView = findViewById(R.id.threads_list)

    @Suppress("UNCHECKED_CAST")
    private fun ThreadsActivity.rows(): TwoLineAdapter<FollowedThread> =
        list().adapter as TwoLineAdapter<FollowedThread>

    private fun ThreadsActivity.rowOf(preview: String): Int = rows().items.indexOfFirst { it.preview == preview }

    /** Sends and waits until the server has it; returns the post's id. */
    private fun Client.postAndWait(channelId: String, rootId: String, message: String): String = runBlocking {
        startRealtime()
        val key = sendPost(channelId, rootId, message)
        waitUntil("'$message' is on the server") { runBlocking { pendingSends().none { it.clientKey == key } } }
        val where = if (rootId.isEmpty()) timeline(channelId, 50u).posts else loadThread(rootId).replies
        where.last { it.message == message }.id
    }

    /** The student asks in a shared channel and the teacher answers in the thread. */
    private fun questionAnswered(teacher: OtherUser, question: String, answer: String): Pair<String, String> {
        val channel = teacher.sharedChannel(app.client)
        val root = app.client.postAndWait(channel.id, "", question)
        teacher.client.postAndWait(channel.id, root, answer)
        return channel.teamId to root
    }

    private fun threadsFromHome(): ThreadsActivity {
        val home = launch<HomeActivity>().get()
        shadowOf(home).clickMenuItem(R.id.menu_threads)
        return home.follow(ThreadsActivity::class.java).get()
    }

    @Test
    fun an_answered_question_shows_as_unread_opens_and_is_read_after() {
        signIn(server.plain("student"))
        OtherUser(server, server.plain("teacher")).use { teacher ->
            val question = "Bis wann ist das Referat fällig?"
            val (teamId, root) = questionAnswered(teacher, question, "Bis Freitag, bitte mit Folien")

            val threads = threadsFromHome()
            waitUntil("the thread with one new reply is listed") {
                threads.rowOf(question) >= 0 && threads.rows().getItem(threads.rowOf(question)).unreadReplies == 1L
            }
            val row = threads.list().adapter.getView(threads.rowOf(question), null, threads.list())
                as TwoLineAdapter.Row
            assertEquals("1 reply · 1 new", row.second.text.toString().lines().last())
            assertTrue(row.first.text.toString(), row.first.text.toString().contains(teacher.sharedChannel(app.client).displayName))
            assertTrue(
                threads.findViewById<TextView>(R.id.threads_summary).text.toString(),
                threads.findViewById<TextView>(R.id.threads_summary).text.toString().contains("new replies"),
            )

            threads.list().performItemClick(null, threads.rowOf(question), 0)
            val thread = threads.follow(ThreadActivity::class.java).get()
            val posts = thread.findViewById<ListView>(R.id.thread_posts).adapter as ItemsAdapter
            waitUntil("question and answer are shown") {
                posts.messages().containsAll(listOf(question, "Bis Freitag, bitte mit Folien"))
            }
            waitUntil("the thread is read in the list") {
                threads.rows().getItem(threads.rowOf(question)).unreadReplies == 0L
            }
            val onServer = runBlocking { app.client.loadFollowedThreads(teamId) }.threads.first { it.root.id == root }
            assertEquals(0L, onServer.unreadReplies)
        }
    }

    @Test
    fun stopping_to_follow_removes_the_thread_here_and_on_the_server() {
        signIn(server.plain("student"))
        OtherUser(server, server.plain("teacher")).use { teacher ->
            val question = "Wer hat die Lösung zu Aufgabe 4?"
            val (teamId, root) = questionAnswered(teacher, question, "Steht im Buch auf Seite 17")

            val threads = threadsFromHome()
            waitUntil("the thread is listed") { threads.rowOf(question) >= 0 }
            threads.list().onItemLongClickListener.onItemLongClick(threads.list(), null, threads.rowOf(question), 0)
            val dialog = ShadowDialog.getLatestDialog() as AlertDialog
            assertEquals(app.getString(R.string.threads_unfollow), dialog.listView.adapter.getItem(0).toString())
            dialog.listView.performItemClick(null, 0, 0)

            waitUntil("the thread left the list") { threads.rowOf(question) < 0 }
            val onServer = runBlocking { app.client.loadFollowedThreads(teamId) }
            assertTrue(onServer.threads.none { it.root.id == root })
        }
    }
}
