package de.pausenhof.client

import de.pausenhof.client.support.TestServer
import de.pausenhof.client.support.TwoUsers
import de.pausenhof.client.support.runSession
import de.pausenhof.ffi.Post
import de.pausenhof.ffi.SidebarSection
import de.pausenhof.ffi.Thread
import de.pausenhof.ffi.TimelineDiff
import de.pausenhof.ffi.TimelineWindow
import java.util.Collections
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.filterNotNull
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.flow.onEach
import kotlinx.coroutines.cancelChildren
import kotlinx.coroutines.launch
import kotlinx.coroutines.withTimeoutOrNull
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.TestInstance
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertIs
import kotlin.test.assertTrue

/**
 * Subscriptions deliver a snapshot, then diffs; the Kotlin layer applies
 * them. After every change the list kept from diffs must equal a fresh read.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ObserveTest {
    private lateinit var server: TestServer

    @BeforeAll
    fun startServer() {
        server = TestServer.start()
    }

    @AfterAll
    fun stopServer() {
        server.close()
    }

    /** Waits until the kept value equals what a fresh read returns now. */
    private suspend fun <T : Any> StateFlow<T?>.settlesTo(read: suspend () -> T): T =
        withTimeoutOrNull(20_000) { filterNotNull().first { it == read() } }
            // Shows what differs instead of only timing out.
            ?: read().also { assertEquals(it, value, "the kept value never caught up with a fresh read") }

    /** The server's id of a post sent with [clientKey], once its copy replaced the echo. */
    private suspend fun StateFlow<TimelineWindow?>.serverIdOf(clientKey: String): String =
        filterNotNull().first { w -> w.posts.any { it.sentWith(clientKey) } }
            .posts.first { it.sentWith(clientKey) }.id

    private fun Post.sentWith(clientKey: String) = id != clientKey && propsJson.contains(clientKey)

    @Test
    fun `the timeline kept from diffs equals a fresh read after sends, edits, deletes and reactions`() = runSession {
        TwoUsers.connect(server).use { users ->
            val (me, other, channel) = Triple(users.me, users.other, users.channel.id)
            val deliveries = Collections.synchronizedList(mutableListOf<Update<TimelineWindow, TimelineDiff>>())
            val timeline = MutableStateFlow<TimelineWindow?>(null)
            val collector = launch {
                me.timelineUpdates(channel).onEach { deliveries.add(it) }
                    .applyingDiffs { applying(it) }
                    .collect { timeline.value = it }
            }
            val fresh: suspend () -> TimelineWindow = { me.timeline(channel, 50u) }
            timeline.settlesTo(fresh)

            val first = timeline.serverIdOf(me.sendPost(channel, "", "Erste Nachricht ${System.nanoTime()}"))
            val second = timeline.serverIdOf(me.sendPost(channel, "", "Zweite Nachricht ${System.nanoTime()}"))
            timeline.settlesTo(fresh)

            me.editPost(first, "Erste Nachricht (bearbeitet)")
            timeline.filterNotNull().first { w -> w.posts.any { it.id == first && it.message == "Erste Nachricht (bearbeitet)" } }
            timeline.settlesTo(fresh)

            me.addReaction(second, "thumbsup")
            timeline.filterNotNull().first { w -> w.posts.any { p -> p.id == second && p.reactions.any { it.emojiName == "thumbsup" && it.mine } } }
            timeline.settlesTo(fresh)

            me.deletePost(first)
            timeline.filterNotNull().first { w -> w.posts.none { it.id == first && !it.deleted } }
            timeline.settlesTo(fresh)

            val fromOther = "Von der anderen Seite ${System.nanoTime()}"
            other.sendPost(channel, "", fromOther)
            timeline.filterNotNull().first { w -> w.posts.any { it.message == fromOther } }
            val settled = timeline.settlesTo(fresh)
            assertEquals(1, settled.posts.count { it.message == fromOther })
            collector.cancel()

            assertIs<Update.Snapshot<*>>(deliveries.first(), "the first delivery is the whole window")
            val diffs = deliveries.drop(1)
            assertTrue(diffs.isNotEmpty() && diffs.all { it is Update.Diff<*> }, "then only diffs: $diffs")
            // A new post is a small diff, not the whole window again (a
            // diff may be large only when the window moves to another range).
            val smallest = diffs.minOf { (it as Update.Diff<TimelineDiff>).diff.posts.size }
            assertTrue(smallest <= 2, "smallest diff had $smallest operations")
        }
    }

    @Test
    fun `the channel list kept from diffs follows unread changes and viewing`() = runSession {
        TwoUsers.connect(server).use { users ->
            val (me, other, channel) = Triple(users.me, users.other, users.channel.id)
            val fresh: suspend () -> List<SidebarSection> = { me.channelList(users.teamId) }
            val sidebar = me.channelListState(this, users.teamId)
            me.markChannelViewed(channel)
            sidebar.settlesTo(fresh)

            other.sendPost(channel, "", "Neu im Kanal ${System.nanoTime()}")
            sidebar.filterNotNull().first { s -> s.flatMap { it.channels }.any { it.id == channel && it.isUnread } }
            sidebar.settlesTo(fresh)

            me.markChannelViewed(channel)
            sidebar.filterNotNull().first { s -> s.flatMap { it.channels }.any { it.id == channel && !it.isUnread } }
            sidebar.settlesTo(fresh)
            coroutineContext.cancelChildren()
        }
    }

    @Test
    fun `a thread subscription receives replies from both sides and edits`() = runSession {
        TwoUsers.connect(server).use { users ->
            val (me, other, channel) = Triple(users.me, users.other, users.channel.id)
            val timeline = me.timelineState(this, channel)
            val root = timeline.serverIdOf(me.sendPost(channel, "", "Frage zur Hausaufgabe ${System.nanoTime()}"))

            val thread = MutableStateFlow<Thread?>(null)
            launch { me.observeThread(root).collect { thread.value = it } }
            val fresh: suspend () -> Thread = { me.thread(root) }
            thread.settlesTo(fresh)

            val answer = "Antwort von der anderen Seite ${System.nanoTime()}"
            other.sendPost(channel, root, answer)
            thread.filterNotNull().first { t -> t.replies.any { it.message == answer } }
            thread.settlesTo(fresh)

            val mine = "Danke! ${System.nanoTime()}"
            val key = me.sendPost(channel, root, mine)
            val reply = thread.filterNotNull().first { t -> t.replies.any { it.sentWith(key) } }
                .replies.first { it.sentWith(key) }
            me.editPost(reply.id, "Vielen Dank!")
            val edited = thread.filterNotNull().first { t -> t.replies.any { it.id == reply.id && it.message == "Vielen Dank!" } }
            assertEquals(listOf(answer, "Vielen Dank!"), edited.replies.map { it.message })
            assertEquals(root, edited.root?.id)
            thread.settlesTo(fresh)
            coroutineContext.cancelChildren()
        }
    }

    @Test
    fun `another user typing reaches the typing listener and ends`() = runSession {
        TwoUsers.connect(server).use { users ->
            val (me, other, channel) = Triple(users.me, users.other, users.channel.id)
            val otherId = other.currentUser()!!.id
            val typing = MutableStateFlow<List<String>?>(null)
            launch { me.typingUsers(channel).collect { typing.value = it } }
            typing.filterNotNull().first { it.isEmpty() }

            other.userTyping(channel, "")
            typing.filterNotNull().first { it == listOf(otherId) }
            // Posting ends typing at once.
            other.sendPost(channel, "", "Fertig getippt ${System.nanoTime()}")
            typing.filterNotNull().first { it.isEmpty() }
            coroutineContext.cancelChildren()
        }
    }
}
