package de.pausenhof.client

import de.pausenhof.client.support.MemorySecretStore
import de.pausenhof.client.support.TestServer
import de.pausenhof.client.support.runSession
import de.pausenhof.client.support.totpCode
import de.pausenhof.ffi.Client
import de.pausenhof.ffi.ClientException
import de.pausenhof.ffi.ClientOptions
import de.pausenhof.ffi.SessionState
import de.pausenhof.ffi.SessionStateListener
import java.io.File
import java.net.ServerSocket
import java.nio.file.Files
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.launch
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.TestInstance
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertIs
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/** Probing, sign-in flows, session state and logout through the generated Kotlin. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SessionTest {
    private lateinit var server: TestServer

    @BeforeAll
    fun startServer() {
        server = TestServer.start()
    }

    @AfterAll
    fun stopServer() {
        server.close()
    }

    private fun newDataDir(): File = Files.createTempDirectory("pausenhof-kotlin").toFile()

    private fun newClient(
        dataDir: File = newDataDir(),
        secrets: MemorySecretStore = MemorySecretStore(),
        deviceId: String = "",
    ) = Client(ClientOptions(dataDir = dataDir.path, deviceId = deviceId, extraRootCertificates = emptyList()), secrets)


    @Test
    fun `probing finds the Mattermost server and its sign-in methods`() = runSession {
        newClient().use { client ->
            val info = client.probeServer(server.url)
            assertTrue(info.version.isNotEmpty())
            assertTrue(info.signInWithEmail || info.signInWithUsername)
            assertTrue(info.url.startsWith("http://127.0.0.1:"))
        }
    }

    @Test
    fun `probing a closed port is reported as offline`() = runSession {
        val closedPort = ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()).use { it.localPort }
        newClient().use { client ->
            assertFailsWith<ClientException.Offline> { client.probeServer("http://127.0.0.1:$closedPort") }
        }
    }

    @Test
    fun `a malformed address is an invalid server, with the reason`() = runSession {
        newClient().use { client ->
            val error = assertFailsWith<ClientException.InvalidServer> { client.probeServer("ht!tp://::") }
            assertTrue(error.reason.isNotEmpty())
        }
    }

    @Test
    fun `a wrong password raises InvalidCredentials and stores nothing`() = runSession {
        val secrets = MemorySecretStore()
        newClient(secrets = secrets).use { client ->
            val account = server.plain("student")
            assertFailsWith<ClientException.InvalidCredentials> {
                client.signInWithPassword(server.url, account.username, account.password + "-wrong", null)
            }
            assertTrue(secrets.secrets.isEmpty())
            assertNull(client.currentUser())
        }
    }

    @Test
    fun `MFA sign-in asks for the code, then succeeds with it`() = runSession {
        val account = server.withMfa()
        newClient().use { client ->
            assertFailsWith<ClientException.MfaRequired> {
                client.signInWithPassword(server.url, account.username, account.password, null)
            }
            val user = client.signInWithPassword(
                server.url, account.username, account.password, totpCode(account.mfaSecret!!),
            )
            assertEquals(account.username, user.username)
            assertTrue(user.mfaActive)
            assertEquals(user, client.currentUser())
        }
    }

    @Test
    fun `session states flow from signed out to signed in to signed out, and logout wipes the account`() = runSession {
        val dataDir = newDataDir()
        val secrets = MemorySecretStore()
        val account = server.plain("teacher")
        newClient(dataDir, secrets).use { client ->
            val states = Channel<SessionState>(Channel.UNLIMITED)
            val collector = launch { client.sessionStates().collect { states.send(it) } }
            // The flow starts with the current state before anything happens.
            assertEquals(SessionState.SignedOut, states.receive())

            val user = client.signInWithPassword(server.url, account.email, account.password, null)
            assertEquals(SessionState.SignedIn(user.id), states.receive())
            assertEquals(1, secrets.secrets.size, "the token is in the platform's secret store")
            assertTrue(dataDir.walk().any { it.name.endsWith(".sqlite") }, "the account has a database")

            client.signOut()
            assertEquals(SessionState.SignedOut, states.receive())
            collector.cancel()
            assertTrue(secrets.secrets.isEmpty(), "logout removes the token")
            assertFalse(dataDir.walk().any { it.name.endsWith(".sqlite") }, "logout removes the database")
            assertNull(client.currentUser())
        }
        // A new process finds nobody to restore.
        newClient(dataDir, secrets).use { assertNull(it.restore()) }
    }

    @Test
    fun `a signed-in session is restored by a new client without signing in again`() = runSession {
        val dataDir = newDataDir()
        val secrets = MemorySecretStore()
        val account = server.plain("student")
        val user = newClient(dataDir, secrets).use { client ->
            client.signInWithPassword(server.url, account.username, account.password, null)
        }
        newClient(dataDir, secrets).use { client ->
            val restored = assertNotNull(client.restore())
            assertEquals(user.id, restored.id)
            assertEquals(server.url, client.serverUrl())
            client.signOut()
        }
    }

    @Test
    fun `a cancelled subscription gets nothing more`() = runSession {
        val account = server.plain("student")
        newClient().use { client ->
            val cancelled = LinkedBlockingQueue<SessionState>()
            val kept = LinkedBlockingQueue<SessionState>()
            val cancelledHandle = client.subscribeSessionState(listener { cancelled.add(it) })
            val keptHandle = client.subscribeSessionState(listener { kept.add(it) })
            assertEquals(SessionState.SignedOut, cancelled.poll(30, TimeUnit.SECONDS))
            assertEquals(SessionState.SignedOut, kept.poll(30, TimeUnit.SECONDS))

            cancelledHandle.cancel()
            while (!cancelledHandle.isFinished()) Thread.yield()

            val user = client.signInWithPassword(server.url, account.username, account.password, null)
            assertEquals(SessionState.SignedIn(user.id), kept.poll(30, TimeUnit.SECONDS))
            client.signOut()
            assertEquals(SessionState.SignedOut, kept.poll(30, TimeUnit.SECONDS))
            assertTrue(cancelled.isEmpty(), "the cancelled listener saw $cancelled")

            // Closing a handle cancels too.
            keptHandle.close()
            cancelledHandle.close()
        }
    }

    private fun listener(onState: (SessionState) -> Unit) = object : SessionStateListener {
        override fun onSessionState(state: SessionState) = onState(state)
    }

    @Test
    fun `a session the server revokes shows as expired and keeps the cached data`() = runSession {
        val account = server.plain("admin")
        // Mattermost ends a device's older session when the same device signs in again.
        newClient(deviceId = "tablet-7b").use { first ->
            first.signInWithPassword(server.url, account.username, account.password, null)
            first.sync()
            val teams = first.teams()
            val states = Channel<SessionState>(Channel.UNLIMITED)
            val collector = launch { first.sessionStates().collect { states.send(it) } }
            assertIs<SessionState.SignedIn>(states.receive())

            newClient(deviceId = "tablet-7b").use { second ->
                second.signInWithPassword(server.url, account.username, account.password, null)
                assertFailsWith<ClientException.SessionExpired> { first.sync() }
                assertEquals(SessionState.Expired(userId = second.currentUser()!!.id), states.receive())
                // The cache stays readable until the user signs in again.
                assertEquals(teams, first.teams())
                second.signOut()
            }
            collector.cancel()
        }
    }
}
