package de.pausenhof.client

import de.pausenhof.client.support.TestServer
import de.pausenhof.client.support.TwoUsers
import de.pausenhof.client.support.runSession
import de.pausenhof.ffi.LinkDestination
import de.pausenhof.ffi.PostJump
import de.pausenhof.ffi.SearchResults
import kotlinx.coroutines.delay
import kotlinx.coroutines.withTimeoutOrNull
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.TestInstance
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertNotNull
import kotlin.test.assertTrue

/**
 * Server search with modifiers, the jump to a hit and its permalink,
 * through the exported API.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SearchTest {
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
    fun `a search with modifiers finds the post, and the hit opens around it`() = runSession {
        TwoUsers.connect(server).use { users ->
            val (me, other) = users.me to users.other
            val stamp = "zq${System.nanoTime()}"
            other.sendPost(users.channel.id, "", "$stamp Elefant")
            other.sendPost(users.channel.id, "", "$stamp Giraffe")
            val otherName = other.currentUser()!!.username

            val found: SearchResults? = withTimeoutOrNull(20_000) {
                var results: SearchResults
                do {
                    delay(50)
                    results = me.searchPosts(users.teamId, "$stamp from:@$otherName -giraffe", "Europe/Berlin", 20u)
                } while (results.hits.isEmpty())
                results
            }
            assertNotNull(found, "the server search never found the post")
            assertTrue(found.fromServer, "the server answered")
            val hit = found.hits.single()
            assertTrue(hit.post.message.endsWith("Elefant"), "${hit.post.message}")

            val jump = me.jumpToPost(hit.post.id)
            assertTrue(jump is PostJump.Channel, "$jump")
            assertEquals(hit.post.id, jump.window.focusPostId)
            assertTrue(jump.window.posts.any { it.id == hit.post.id }, "the hit is in its window")

            val teamName = me.teams().first { it.id == users.teamId }.name
            val opened = me.openLink("${server.url}/$teamName/pl/${hit.post.id}")
            assertEquals(
                LinkDestination.Conversation(users.teamId, users.channel.id, hit.post.id, ""),
                opened,
            )
            assertEquals(
                LinkDestination.External,
                me.openLink("https://example.org/nachrichten"),
            )
        }
    }
}
