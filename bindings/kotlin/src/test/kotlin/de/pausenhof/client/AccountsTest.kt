package de.pausenhof.client

import de.pausenhof.client.support.MemorySecretStore
import de.pausenhof.client.support.TestServer
import de.pausenhof.client.support.runSession
import de.pausenhof.ffi.AccountSummary
import de.pausenhof.ffi.Client
import de.pausenhof.ffi.ClientException
import de.pausenhof.ffi.ClientOptions
import de.pausenhof.ffi.SessionState
import java.io.File
import java.nio.file.Files
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.launch
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.TestInstance
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNotNull
import kotlin.test.assertTrue

/** Two schools' servers in one client: add, list, switch, sign out of one, restore. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccountsTest {
    private lateinit var schoolA: TestServer
    private lateinit var schoolB: TestServer

    @BeforeAll
    fun startServers() {
        // Different seeds: the two schools' users have different ids.
        schoolA = TestServer.start(seed = 1)
        schoolB = TestServer.start(seed = 2)
    }

    @AfterAll
    fun stopServers() {
        schoolA.close()
        schoolB.close()
    }

    private fun newClient(dataDir: File, secrets: MemorySecretStore) =
        Client(ClientOptions(dataDir = dataDir.path, deviceId = "", extraRootCertificates = emptyList()), secrets)

    private fun List<AccountSummary>.of(server: TestServer): AccountSummary =
        first { it.serverUrl.trimEnd('/') == server.url.trimEnd('/') }

    @Test
    fun `signing in to a second school adds an account, switching and signing out of one keep the other`() = runSession {
        val dataDir = Files.createTempDirectory("pausenhof-accounts").toFile()
        val secrets = MemorySecretStore()
        val studentA = schoolA.plain("student")
        val studentB = schoolB.plain("student")
        newClient(dataDir, secrets).use { client ->
            val states = Channel<SessionState>(Channel.UNLIMITED)
            val collector = launch { client.sessionStates().collect { states.send(it) } }
            assertEquals(SessionState.SignedOut, states.receive())

            val userA = client.signInWithPassword(schoolA.url, studentA.username, studentA.password, null)
            assertEquals(SessionState.SignedIn(userA.id), states.receive())
            val userB = client.signInWithPassword(schoolB.url, studentB.username, studentB.password, null)
            assertEquals(SessionState.SignedIn(userB.id), states.receive())
            assertEquals(2, secrets.secrets.size, "one token per account")

            val accounts = client.accounts()
            assertEquals(2, accounts.size)
            val (a, b) = accounts.of(schoolA) to accounts.of(schoolB)
            assertTrue(b.active && !a.active, "the account signed in last is active")
            assertEquals(userA.id, a.userId)
            assertEquals(studentA.username, a.username)
            assertEquals(b.key, client.activeAccountKey())

            // Switching follows the session state and every per-account call.
            assertEquals(userA.id, client.switchAccount(a.key).id)
            assertEquals(SessionState.SignedIn(userA.id), states.receive())
            assertEquals(userA.id, client.currentUser()?.id)
            assertTrue(client.serverUrl()!!.startsWith(schoolA.url.trimEnd('/')))
            assertEquals(userA.id, client.refreshCurrentUser().id)
            assertFailsWith<ClientException.InvalidInput> { client.switchAccount("nobody") }

            // Signing out of B (not shown) leaves A active and signed in.
            client.signOutAccount(b.key)
            assertEquals(listOf(a.key), client.accounts().map { it.key })
            assertEquals(a.key, client.activeAccountKey())
            assertEquals(1, secrets.secrets.keys.count { it.startsWith("pausenhof.session.") })
            assertEquals(userA.id, client.refreshCurrentUser().id)
            collector.cancel()
        }
        // A new process restores the account that is left.
        newClient(dataDir, secrets).use { client ->
            assertEquals(studentA.username, assertNotNull(client.restore()).username)
            assertTrue(client.accounts().single().active)
        }
    }
}
