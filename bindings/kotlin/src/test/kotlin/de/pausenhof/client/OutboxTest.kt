package de.pausenhof.client

import de.pausenhof.client.support.DownableProxy
import de.pausenhof.client.support.TestServer
import de.pausenhof.client.support.TwoUsers
import de.pausenhof.client.support.newClient
import de.pausenhof.client.support.runSession
import de.pausenhof.ffi.ConnectionState
import de.pausenhof.ffi.FileRendition
import de.pausenhof.ffi.LifecycleEvent
import de.pausenhof.ffi.PendingAction
import de.pausenhof.ffi.SendState
import com.google.gson.JsonParser
import kotlinx.coroutines.cancelChildren
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.filterNotNull
import kotlinx.coroutines.flow.first
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.TestInstance
import kotlin.test.Test
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertTrue

/** Pending sends (list, retry, discard), file attachments and the data export. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OutboxTest {
    private lateinit var server: TestServer

    @BeforeAll
    fun startServer() {
        server = TestServer.start()
    }

    @AfterAll
    fun stopServer() {
        server.close()
    }

    /** Polls the outbox (it has no listener; the UI shows it from the timeline's echoes). */
    private suspend fun <T> until(what: String, read: suspend () -> T, done: (T) -> Boolean): T {
        repeat(400) {
            val value = read()
            if (done(value)) return value
            delay(25)
        }
        error("never reached: $what")
    }

    @Test
    fun `sends while the server is down are listed as pending and can be discarded`() = runSession {
        val account = server.plain("teacher")
        DownableProxy(server.port).use { proxy ->
            newClient().use { client ->
                client.signInWithPassword(proxy.url, account.username, account.password, null)
                client.sync()
                val team = client.teams().first()
                val channel = client.channelList(team.id).flatMap { it.channels }.first().id
                client.startRealtime()
                client.connectionStates().first { it is ConnectionState.Connected }

                proxy.down()
                client.lifecycle(LifecycleEvent.NetworkChanged)
                client.connectionStates().first { it !is ConnectionState.Connected }
                val kept = client.sendPost(channel, "", "Bleibt in der Warteschlange")
                val dropped = client.sendPost(channel, "", "Wird verworfen")

                val pending = client.pendingSends()
                assertEquals(listOf(kept, dropped), pending.map { it.clientKey }, "oldest first")
                val post = pending.first().action as PendingAction.Post
                assertEquals("Bleibt in der Warteschlange", post.message)
                assertEquals(channel, pending.first().channelId)
                assertTrue(pending.all { it.state !is SendState.Failed })

                assertTrue(client.discardSend(dropped), "an unsent post can be discarded")
                assertEquals(listOf(kept), client.pendingSends().map { it.clientKey })
                assertTrue(client.timeline(channel, 50u).posts.none { it.id == dropped }, "its echo is gone")

                proxy.up()
                client.lifecycle(LifecycleEvent.NetworkUp)
                until("the kept post is delivered", { client.pendingSends() }) { it.isEmpty() }
                assertFalse(client.discardSend(kept), "a delivered post cannot be discarded")
                client.stopRealtime()
            }
        }
    }

    @Test
    fun `a refused send is failed, can be retried and then discarded`() = runSession {
        TwoUsers.connect(server).use { users ->
            val me = users.me
            // A channel the user is not in: the server refuses the post.
            val notMine = "zzzzzzzzzzzzzzzzzzzzzzzzzz"
            val key = me.sendPost(notMine, "", "Geht nicht durch")
            val failed = until("the send fails", { me.pendingSends() }) { list ->
                list.any { it.clientKey == key && it.state is SendState.Failed }
            }.first { it.clientKey == key }
            assertTrue((failed.state as SendState.Failed).reason.isNotEmpty())
            assertTrue(failed.attempts >= 1u)

            me.retrySend(key)
            until("the retry is made and fails again", { me.pendingSends() }) { list ->
                list.any { it.clientKey == key && it.state is SendState.Failed && it.attempts > failed.attempts }
            }
            assertTrue(me.discardSend(key))
            assertTrue(me.pendingSends().none { it.clientKey == key })
        }
    }

    @Test
    fun `an uploaded file is attached to a post, reaches the other user and downloads unchanged`() = runSession {
        TwoUsers.connect(server).use { users ->
            val (me, other, channel) = Triple(users.me, users.other, users.channel.id)
            val bytes = "Stundenplan 7b\nMo: Mathe, Deutsch\n".toByteArray()
            val file = me.uploadFile(channel, "stundenplan.txt", "text/plain", bytes)
            assertEquals("stundenplan.txt", file.name)
            assertEquals(bytes.size.toLong(), file.size)

            val text = "Der neue Stundenplan ${System.nanoTime()}"
            me.sendPostWithFiles(channel, "", text, listOf(file.id))
            val received = other.timelineState(this, channel).filterNotNull()
                .first { w -> w.posts.any { it.message == text && it.files.isNotEmpty() } }
                .posts.first { it.message == text }
            assertEquals(listOf(file.id), received.files.map { it.id })
            assertContentEquals(bytes, other.downloadFile(file.id, FileRendition.ORIGINAL))
            coroutineContext.cancelChildren()
        }
    }

    @Test
    fun `the data export holds the profile and the user's own posts`() = runSession {
        TwoUsers.connect(server).use { users ->
            val me = users.me
            val text = "Für den Export ${System.nanoTime()}"
            val key = me.sendPost(users.channel.id, "", text)
            until("the post is delivered", { me.pendingSends() }) { list -> list.none { it.clientKey == key } }

            val export = JsonParser.parseString(me.exportMyData()).asJsonObject
            assertEquals(me.currentUser()!!.id, export["profile"].asJsonObject["id"].asString)
            assertTrue(export["posts_complete"].asBoolean)
            val messages = export["posts"].asJsonArray.map { it.asJsonObject["message"].asString }
            assertTrue(text in messages, "own post exported")
            assertFalse(export.toString().contains(server.plain("teacher").password), "no password in the export")
        }
    }
}
