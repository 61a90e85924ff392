package de.pausenhof.client

import de.pausenhof.client.support.TestServer
import de.pausenhof.client.support.TwoUsers
import de.pausenhof.client.support.newClient
import de.pausenhof.client.support.runSession
import de.pausenhof.ffi.SessionState
import kotlinx.coroutines.cancelChildren
import kotlinx.coroutines.flow.filterNotNull
import kotlinx.coroutines.flow.first
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.TestInstance
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertIs
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/** Direct messages from Kotlin, and the school's terms of service. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PeopleTest {
    private lateinit var server: TestServer
    private lateinit var withTerms: TestServer

    @BeforeAll
    fun startServers() {
        server = TestServer.start()
        withTerms = TestServer.start(extraArgs = listOf("--licensed", "--terms-of-service", TERMS))
    }

    @AfterAll
    fun stopServers() {
        server.close()
        withTerms.close()
    }

    @Test
    fun `a direct message opened from Kotlin shows in the channel list flow on both sides`() = runSession {
        TwoUsers.connect(server).use { users ->
            val (me, other) = users.me to users.other
            val otherUsername = server.plain("student").username
            val person = me.searchPeople(otherUsername, "", 20u).first { it.username == otherUsername }
            val mine = me.channelListState(this, users.teamId)
            val theirs = other.channelListState(this, users.teamId)
            mine.filterNotNull().first()
            theirs.filterNotNull().first()

            val direct = me.openDirectMessage(person.id)
            mine.filterNotNull().first { s -> s.flatMap { it.channels }.any { it.id == direct } }
            theirs.filterNotNull().first { s -> s.flatMap { it.channels }.any { it.id == direct } }
            // Opening it again finds the same conversation.
            assertEquals(direct, me.openDirectMessage(person.id))
            coroutineContext.cancelChildren()
        }
    }

    @Test
    fun `terms of service are shown as text, and accepting them lets the user go on`() = runSession {
        newClient().use { client ->
            val account = withTerms.plain("student")
            client.signInWithPassword(withTerms.url, account.username, account.password, null)
            val terms = assertNotNull(client.pendingTermsOfService())
            assertEquals(TERMS, terms.text)
            assertTrue(terms.message.blocks.isNotEmpty())

            client.acceptTermsOfService(terms.id)
            assertNull(client.pendingTermsOfService())
            assertIs<SessionState.SignedIn>(client.sessionStates().first())
        }
    }

    @Test
    fun `declining the terms of service signs out`() = runSession {
        newClient().use { client ->
            val account = withTerms.plain("teacher")
            client.signInWithPassword(withTerms.url, account.username, account.password, null)
            val terms = assertNotNull(client.pendingTermsOfService())
            client.declineTermsOfService(terms.id)
            assertIs<SessionState.SignedOut>(client.sessionStates().first())
        }
    }

    private companion object {
        const val TERMS = "# Schulordnung\n\nSei **freundlich**."
    }
}
