package de.pausenhof.client

import de.pausenhof.client.support.TestServer
import de.pausenhof.client.support.TwoUsers
import de.pausenhof.client.support.runSession
import de.pausenhof.ffi.ClientException
import de.pausenhof.ffi.FollowedThreads
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.TestInstance
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue

/**
 * A team's Threads list through the exported API: unread replies and
 * mentions, a live reply, reading and unfollowing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ThreadsTest {
    private lateinit var server: TestServer

    @BeforeAll
    fun startServer() {
        server = TestServer.start()
    }

    @AfterAll
    fun stopServer() {
        server.close()
    }

    @Test
    fun `replies to my question show in my threads until I read and unfollow them`() = runSession {
        TwoUsers.connect(server).use { users ->
            val (me, other) = users.me to users.other
            val myName = me.currentUser()!!.username
            val question = "Wer hat _Kreide_ besorgt? ${System.nanoTime()}"
            me.sendPost(users.channel.id, "", question)
            // The other side sees only what reached the server: its id is the post's.
            val rootId = withTimeout(20_000) {
                other.observeTimeline(users.channel.id).first { window ->
                    window.posts.any { it.message == question }
                }.posts.first { it.message == question }.id
            }
            other.sendPost(users.channel.id, rootId, "Ich nicht")
            other.sendPost(users.channel.id, rootId, "@$myName frag im Sekretariat")

            val loaded = withTimeout(20_000) {
                var list: FollowedThreads
                do {
                    delay(50)
                    list = me.loadFollowedThreads(users.teamId)
                } while (list.threads.none { it.root.id == rootId && it.replyCount == 2L })
                list
            }
            val thread = loaded.threads.single { it.root.id == rootId }
            assertTrue(thread.preview.startsWith("Wer hat Kreide besorgt?"), thread.preview)
            assertEquals(2L, thread.replyCount)
            assertEquals(2L to 1L, thread.unreadReplies to thread.unreadMentions)
            assertTrue(loaded.unreadThreads >= 1L, "the badge counts the thread")

            val live = withTimeout(20_000) {
                other.sendPost(users.channel.id, rootId, "Oder beim Hausmeister")
                me.observeFollowedThreads(users.teamId).first { list ->
                    list.threads.any { it.root.id == rootId && it.replyCount == 3L }
                }
            }
            assertEquals(3L, live.threads.single { it.root.id == rootId }.unreadReplies)

            me.markThreadRead(rootId)
            val read: FollowedThreads = me.followedThreads(users.teamId)
            assertEquals(0L, read.threads.single { it.root.id == rootId }.unreadReplies)
            assertEquals(loaded.unreadThreads - 1, read.unreadThreads)

            me.setThreadFollowing(rootId, false)
            assertTrue(me.followedThreads(users.teamId).threads.none { it.root.id == rootId })
            assertTrue(me.loadFollowedThreads(users.teamId).threads.none { it.root.id == rootId })

            assertFailsWith<ClientException.InvalidInput> { me.markThreadRead("") }
        }
    }
}
